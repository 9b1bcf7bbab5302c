package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.GemmShape;

/**
 * One side of a product stored as a strided matrix: the rows of op(A) or the columns of op(B),
 * element {@code (x, k)} at {@code data[offset + x * across + k * along]}. The transposes are only
 * other strides. Two equal instances pack to the same panels, so an instance also names a packing.
 */
record PackedOperand(float[] data, int offset, int extent, int across, int along, int depth) implements PanelSource {

    /** The rows of op(A) of the batch entry at {@code offset}. */
    static PackedOperand rowsOfA(GemmShape s, float[] a, int offset) {
        return new PackedOperand(a, offset, s.m(), s.transA() ? 1 : s.k(), s.transA() ? s.m() : 1, s.k());
    }

    /** The columns of op(B) of the batch entry at {@code offset}. */
    static PackedOperand columnsOfB(GemmShape s, float[] b, int offset) {
        return new PackedOperand(b, offset, s.n(), s.transB() ? s.k() : 1, s.transB() ? 1 : s.n(), s.k());
    }

    @Override
    public boolean equals(Object other) {
        // The same array (not equal contents) at the same strides: records compare arrays by reference.
        return other instanceof PackedOperand o && o.data == data && o.offset == offset && o.extent == extent
                && o.across == across && o.along == along && o.depth == depth;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(data) * 31 + offset;
    }

    @Override
    public String toString() {
        return "PackedOperand[" + extent + " lines x " + depth + ", offset " + offset + ", across " + across
                + ", along " + along + "]";
    }

    @Override
    public void pack(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
        int lines = Math.min(width, extent - x0);
        int start = offset + x0 * across + k0 * along;
        // Read the source in its memory order.
        if (along == 1) {
            // Lines run along the depth, so this copy transposes. Eight lines at a time make each
            // depth's stores one 32-byte run instead of eight scattered floats.
            int x = 0;
            for (; x + 8 <= lines; x += 8) {
                copyEightLines(start + x * across, kc, dst, dstOff + x, width);
            }
            for (; x < lines; x++) {
                int src = start + x * across;
                for (int d = 0; d < kc; d++) {
                    dst[dstOff + d * width + x] = data[src + d];
                }
            }
        } else if (across == 1) {
            for (int d = 0; d < kc; d++) {
                System.arraycopy(data, start + d * along, dst, dstOff + d * width, lines);
            }
        } else {
            for (int d = 0; d < kc; d++) {
                int src = start + d * along;
                for (int x = 0; x < lines; x++) {
                    dst[dstOff + d * width + x] = data[src + x * across];
                }
            }
        }
        if (lines < width) {
            for (int d = 0; d < kc; d++) {
                Arrays.fill(dst, dstOff + d * width + lines, dstOff + (d + 1) * width, 0f);
            }
        }
    }

    /** Eight lines from {@code src} on, contiguous along the depth, to eight adjacent floats per depth. */
    private void copyEightLines(int src, int depths, float[] dst, int dstOff, int width) {
        int s1 = src + across;
        int s2 = s1 + across;
        int s3 = s2 + across;
        int s4 = s3 + across;
        int s5 = s4 + across;
        int s6 = s5 + across;
        int s7 = s6 + across;
        for (int d = 0; d < depths; d++) {
            int o = dstOff + d * width;
            dst[o] = data[src + d];
            dst[o + 1] = data[s1 + d];
            dst[o + 2] = data[s2 + d];
            dst[o + 3] = data[s3 + d];
            dst[o + 4] = data[s4 + d];
            dst[o + 5] = data[s5 + d];
            dst[o + 6] = data[s6 + d];
            dst[o + 7] = data[s7 + d];
        }
    }
}
