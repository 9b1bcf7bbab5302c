package org.torchcl.backend.cpu;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Packed copies of the operands that products use again unchanged: a Linear's or a convolution's
 * weight is multiplied by every input, and packing it (a transpose for a Linear weight) can cost as
 * much as a small product. An operand is packed for keeps on its second use with the same contents
 * and layout, so activations, used once, are never copied. A copy is valid while its buffer's
 * {@link CpuBuffer#version()} is the one it was packed at (every in-place write bumps it); the
 * buffer's {@code free} drops it, and so does the collector once the buffer is unreachable. At most
 * a quarter of the heap is held.
 */
final class PackedWeights {

    /** What is known of one buffer: the version and packing last seen, and the packed copy once made. */
    private record Entry(int version, PanelSource layout, int width, float[] packed) {
    }

    private final Map<CpuBuffer, Entry> entries = new WeakHashMap<>();
    private final long maxFloats = Runtime.getRuntime().maxMemory() / 4 / Float.BYTES;

    /**
     * {@code source}, whose lines are read from {@code buffer}, as panels of {@code width} lines:
     * already packed when this buffer was used with this layout before and not written since.
     */
    Panels panels(CpuBuffer buffer, PanelSource source, int width, int blockDepth) {
        int version = buffer.version();
        synchronized (this) {
            Entry seen = entries.get(buffer);
            boolean same = seen != null && seen.version == version && seen.width == width
                    && seen.layout.equals(source);
            if (same && seen.packed != null) {
                return Panels.packed(source, width, seen.packed);
            }
            if (!same) {
                entries.put(buffer, new Entry(version, source, width, null));
                return Panels.onDemand(source, width);
            }
            long size = (long) Panels.paddedExtent(source.extent(), width) * source.depth();
            if (heldFloats() + size > maxFloats) {
                return Panels.onDemand(source, width);
            }
        }
        // Packed outside the lock: other products need not wait for it.
        Panels packed = Panels.packAll(source, width, blockDepth);
        synchronized (this) {
            if (buffer.version() == version) {
                entries.put(buffer, new Entry(version, source, width, packed.packed()));
            }
        }
        return packed;
    }

    synchronized void forget(CpuBuffer buffer) {
        entries.remove(buffer);
    }

    private long heldFloats() {
        return entries.values().stream().filter(e -> e.packed != null).mapToLong(e -> e.packed.length).sum();
    }
}
