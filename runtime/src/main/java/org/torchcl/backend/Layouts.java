package org.torchcl.backend;

import java.util.Arrays;

/**
 * Layout arithmetic both backends share: merging dims so that loops and kernels index as few dims
 * as possible. Two neighbouring dims merge when every operand steps through them as through one
 * (stride of the outer = stride of the inner x size of the inner); dims of size 1 vanish. A
 * contiguous tensor becomes one dim, a row broadcast two.
 */
public final class Layouts {

    private Layouts() {
    }

    /** A shape and one stride array per operand, after merging. */
    public record Merged(int[] shape, long[][] strides) {
        public int rank() {
            return shape.length;
        }

        public long numel() {
            long n = 1;
            for (int s : shape) {
                n *= s;
            }
            return n;
        }
    }

    /** Merges the dims of operands that share {@code shape} (with their own strides). */
    public static Merged merge(int[] shape, long[]... strides) {
        int operands = strides.length;
        int[] outShape = new int[shape.length];
        long[][] outStrides = new long[operands][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean mergeable = rank > 0;
            for (int o = 0; o < operands && mergeable; o++) {
                mergeable = outStrides[o][rank - 1] == strides[o][d] * shape[d];
            }
            if (mergeable) {
                outShape[rank - 1] *= shape[d];
                for (int o = 0; o < operands; o++) {
                    outStrides[o][rank - 1] = strides[o][d];
                }
            } else {
                outShape[rank] = shape[d];
                for (int o = 0; o < operands; o++) {
                    outStrides[o][rank] = strides[o][d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            // A single element: one dim of size 1.
            return new Merged(new int[] {1}, new long[operands][1]);
        }
        long[][] trimmed = new long[operands][];
        for (int o = 0; o < operands; o++) {
            trimmed[o] = Arrays.copyOf(outStrides[o], rank);
        }
        return new Merged(Arrays.copyOf(outShape, rank), trimmed);
    }

    /** Merges the layouts of operands that share the first one's shape. */
    public static Merged merge(Strided... operands) {
        long[][] strides = new long[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            strides[i] = operands[i].strides();
        }
        return merge(operands[0].shape(), strides);
    }
}
