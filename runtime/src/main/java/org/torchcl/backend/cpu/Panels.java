package org.torchcl.backend.cpu;

/**
 * One side of a product for {@link BlockedGemm}: packed on demand from {@link #source()}, or packed
 * already ({@link #packed()} non-null, a cached weight). Packed, depth block {@code [k0, k0 + kc)}
 * starts at {@code k0 * paddedExtent} and holds the panels of {@code width} lines in line order, the
 * panel of line {@code x0} at {@code x0 * kc} within the block: exactly what packing block by block
 * produces, kept. Or read in place ({@link #inPlaceStarts()} non-null): line {@code x} at depth
 * {@code k} is {@code packed[x + inPlaceStarts[k]]}, the columns of a {@link PaddedImage}.
 */
record Panels(PanelSource source, int width, float[] packed, int[] inPlaceStarts) {

    static Panels onDemand(PanelSource source, int width) {
        return new Panels(source, width, null, null);
    }

    /** {@code source} packed already, as {@link #packAll} packs it. */
    static Panels packed(PanelSource source, int width, float[] packed) {
        return new Panels(source, width, packed, null);
    }

    static Panels inPlace(float[] data, int[] starts, int width) {
        return new Panels(null, width, data, starts);
    }

    /** Packs every depth block of {@code source} at once, in blocks of {@code blockDepth}. */
    static Panels packAll(PanelSource source, int width, int blockDepth) {
        float[] packed = new float[packedSize(source, width)];
        packPanels(source, width, blockDepth, packed, 0, paddedExtent(source.extent(), width) / width);
        return packed(source, width, packed);
    }

    /** {@link #packAll} into {@code into} (at least {@link #packedSize} long), the panels split over {@code cores}. */
    static Panels packAll(PanelSource source, int width, int blockDepth, float[] into, Parallel cores) {
        int panels = paddedExtent(source.extent(), width) / width;
        cores.forRange(panels, 1, (first, end) -> packPanels(source, width, blockDepth, into, (int) first, (int) end));
        return packed(source, width, into);
    }

    static int packedSize(PanelSource source, int width) {
        return Math.multiplyExact(paddedExtent(source.extent(), width), source.depth());
    }

    /** Panels {@code [first, end)} of {@code source} at every depth block, where {@link #offset} expects them. */
    private static void packPanels(PanelSource source, int width, int blockDepth, float[] packed, int first, int end) {
        int padded = paddedExtent(source.extent(), width);
        for (int k0 = 0; k0 < source.depth(); k0 += blockDepth) {
            int kc = Math.min(blockDepth, source.depth() - k0);
            for (int x0 = first * width; x0 < end * width; x0 += width) {
                source.pack(x0, width, k0, kc, packed, k0 * padded + x0 * kc);
            }
        }
    }

    static int paddedExtent(int extent, int width) {
        return (extent + width - 1) / width * width;
    }

    /** Where the panel of line {@code x0} (a multiple of the width) in block {@code k0} of depth {@code kc} starts. */
    int offset(int k0, int kc, int x0) {
        return inPlaceStarts != null ? x0 : k0 * paddedExtent(source.extent(), width) + x0 * kc;
    }
}
