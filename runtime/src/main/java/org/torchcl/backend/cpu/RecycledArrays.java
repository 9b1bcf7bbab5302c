package org.torchcl.backend.cpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The float arrays of freed buffers, handed to the next buffer of the same length. The JVM zeroes
 * every new array, and at the sizes of a model's activations (hundreds of KiB to megabytes) that
 * zeroing costs as much as a small matrix product; a buffer's contents are undefined
 * ({@link org.torchcl.backend.Backend#allocate}), so a recycled array is handed out as it is. An
 * inference loop frees and allocates the same lengths on every forward, so after the first one
 * its intermediates are all recycled.
 *
 * <p>Arrays under {@link #MIN_FLOATS} are left to the JVM, which allocates small ones cheaply from
 * the thread's own buffer. At most {@code maxFloats} are held; a freed array that would exceed
 * that drops every held one first, so lengths no longer used do not hold the heap for good.
 */
final class RecycledArrays {

    /** 64 KiB: below this, allocating and zeroing costs less than a look-up here. */
    static final int MIN_FLOATS = 1 << 14;

    private final Map<Integer, ConcurrentLinkedDeque<float[]>> byLength = new ConcurrentHashMap<>();
    private final AtomicLong heldFloats = new AtomicLong();
    private final long maxFloats;

    RecycledArrays(long maxFloats) {
        this.maxFloats = maxFloats;
    }

    /** A held array of exactly {@code length} floats with whatever it held, or null when there is none. */
    float[] take(int length) {
        if (length < MIN_FLOATS) {
            return null;
        }
        ConcurrentLinkedDeque<float[]> arrays = byLength.get(length);
        float[] array = arrays == null ? null : arrays.pollFirst();
        if (array != null) {
            heldFloats.addAndGet(-length);
        }
        return array;
    }

    /** Keeps {@code array}, which no buffer uses any more, for a later {@link #take}. */
    void give(float[] array) {
        int length = array.length;
        if (length < MIN_FLOATS || length > maxFloats) {
            return;
        }
        if (heldFloats.addAndGet(length) > maxFloats) {
            heldFloats.addAndGet(-length);
            clear();
            heldFloats.addAndGet(length);
        }
        byLength.computeIfAbsent(length, ignored -> new ConcurrentLinkedDeque<>()).addFirst(array);
    }

    /** Drops every held array. */
    void clear() {
        for (ConcurrentLinkedDeque<float[]> arrays : byLength.values()) {
            for (float[] array = arrays.pollFirst(); array != null; array = arrays.pollFirst()) {
                heldFloats.addAndGet(-array.length);
            }
        }
    }

    long heldFloats() {
        return heldFloats.get();
    }
}
