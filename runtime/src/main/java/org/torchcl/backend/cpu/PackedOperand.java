package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.GemmShape;

/**
 * One side of a product as the packer walks it: the rows of op(A) or the columns of op(B), element
 * {@code (x, k)} at {@code offset + x * across + k * along}. The transposes are only other strides.
 *
 * <p>With a bias the operand has one more depth index, {@code k == depth() - 1}: the bias on the
 * side that is indexed like it (A's rows for a per-row bias, B's columns for a per-column one) and
 * ones on the other, so the bias enters C as one more product term.
 */
final class PackedOperand {

    private final float[] data;
    private final int offset;
    private final int extent;
    private final int across;
    private final int along;
    private final int k;
    private final boolean biasDepth;
    /** The bias indexed along this side, or null for ones. */
    private final float[] bias;

    private PackedOperand(float[] data, int offset, int extent, int across, int along, int k, boolean biasDepth,
                          float[] bias) {
        this.data = data;
        this.offset = offset;
        this.extent = extent;
        this.across = across;
        this.along = along;
        this.k = k;
        this.biasDepth = biasDepth;
        this.bias = bias;
    }

    /** The rows of op(A) of the batch entry at {@code offset}. */
    static PackedOperand rowsOfA(GemmShape s, float[] a, int offset, float[] bias) {
        return new PackedOperand(a, offset, s.m(), s.transA() ? 1 : s.k(), s.transA() ? s.m() : 1, s.k(),
                s.bias() != GemmShape.Bias.NONE, s.bias() == GemmShape.Bias.PER_ROW ? bias : null);
    }

    /** The columns of op(B) of the batch entry at {@code offset}. */
    static PackedOperand columnsOfB(GemmShape s, float[] b, int offset, float[] bias) {
        return new PackedOperand(b, offset, s.n(), s.transB() ? s.k() : 1, s.transB() ? 1 : s.n(), s.k(),
                s.bias() != GemmShape.Bias.NONE, s.bias() == GemmShape.Bias.PER_COLUMN ? bias : null);
    }

    /** The number of depth indices, counting the bias's. */
    int depth() {
        return biasDepth ? k + 1 : k;
    }

    /**
     * Copies lines {@code [x0, x0 + width)} at depths {@code [k0, k0 + kc)} to {@code dst} depth-major,
     * {@code width} floats per depth; lines past the extent become zeros.
     */
    void pack(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
        int lines = Math.min(width, extent - x0);
        int stored = Math.min(kc, k - k0);
        int start = offset + x0 * across + k0 * along;
        // Read the source in its memory order.
        if (along == 1) {
            // Lines run along the depth, so this copy transposes. Eight lines at a time make each
            // depth's stores one 32-byte run instead of eight scattered floats.
            int x = 0;
            for (; x + 8 <= lines; x += 8) {
                copyEightLines(start + x * across, stored, dst, dstOff + x, width);
            }
            for (; x < lines; x++) {
                int src = start + x * across;
                for (int d = 0; d < stored; d++) {
                    dst[dstOff + d * width + x] = data[src + d];
                }
            }
        } else {
            for (int d = 0; d < stored; d++) {
                int src = start + d * along;
                for (int x = 0; x < lines; x++) {
                    dst[dstOff + d * width + x] = data[src + x * across];
                }
            }
        }
        if (stored < kc) {
            for (int x = 0; x < lines; x++) {
                dst[dstOff + stored * width + x] = bias == null ? 1f : bias[x0 + x];
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
