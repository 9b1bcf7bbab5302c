package org.torchcl;

import java.util.Arrays;

/** Shape arithmetic and the argument checks shared by tensor ops. */
final class Shapes {

    private Shapes() {
    }

    /** Validates a shape for a new tensor and returns a private copy. */
    static int[] checked(String argument, int[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(argument + " must not be null");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(argument + " " + Arrays.toString(shape) + ": dim " + i + " is "
                        + shape[i] + "; dims must not be negative");
            }
        }
        numel(shape);
        return shape.clone();
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    /** Resolves one {@code -1} in {@code requested} so that it holds {@code numel} elements. */
    static int[] reshape(int[] current, long numel, int[] requested) {
        if (requested == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.length; i++) {
            int d = requested[i];
            if (d == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " to "
                            + Arrays.toString(requested) + ": only one dim may be -1, found at " + inferred
                            + " and " + i);
                }
                inferred = i;
            } else if (d < 0) {
                throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " to "
                        + Arrays.toString(requested) + ": dim " + i + " is " + d + "; dims must be at least 0, or -1");
            } else {
                known = Math.multiplyExact(known, (long) d);
            }
        }
        int[] result = requested.clone();
        if (inferred >= 0) {
            if (known == 0) {
                throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " to "
                        + Arrays.toString(requested) + ": the -1 dim is ambiguous next to a dim of size 0");
            }
            if (numel % known != 0 || numel / known > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " (" + numel
                        + " elements) to " + Arrays.toString(requested) + ": " + numel
                        + " is not a multiple of " + known);
            }
            result[inferred] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " (" + numel
                    + " elements) to " + Arrays.toString(requested) + " (" + known + " elements): counts differ");
        }
        return result;
    }

    /** Turns a possibly negative dim into an index in {@code [0, rank)}. */
    static int dimIndex(String argument, int dim, int rank) {
        int index = dim < 0 ? dim + rank : dim;
        if (index < 0 || index >= rank) {
            throw new IllegalArgumentException(argument + " " + dim + " is out of range for a tensor of rank "
                    + rank + " (valid: " + -rank + " to " + (rank - 1) + ")");
        }
        return index;
    }

    /** The row count of a matrix view of {@code shape}; the backends index rows with an int. */
    static int rows(String what, int[] shape, long rows) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + str(shape) + " has " + rows + " rows; at most "
                    + Integer.MAX_VALUE + " are supported");
        }
        return (int) rows;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Whether {@code strides} lay {@code shape} out row-major without gaps (size-1 dims may have any stride). */
    static boolean isContiguous(int[] shape, long[] strides) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return shape[d] == 0 || numel(shape) == 0;
            }
            expected *= shape[d];
        }
        return true;
    }

    /**
     * The strides that show a tensor of {@code shape}/{@code strides} as {@code newShape} without
     * moving data, or null when there are none (PyTorch's {@code computeStride}): dims may only be
     * split or merged within runs that are contiguous among themselves.
     */
    static long[] viewStrides(int[] shape, long[] strides, int[] newShape) {
        long[] result = new long[newShape.length];
        if (numel(shape) == 0) {
            return isContiguous(shape, strides) ? org.torchcl.backend.Strided.contiguousStrides(newShape) : null;
        }
        int[] oldShape = shape.length == 0 ? new int[] {1} : shape;
        long[] oldStrides = shape.length == 0 ? new long[] {1} : strides;
        int viewDim = newShape.length - 1;
        long chunkStride = oldStrides[oldStrides.length - 1];
        long tensorElements = 1;
        long viewElements = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorElements *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorElements * chunkStride)) {
                while (viewDim >= 0 && (viewElements < tensorElements || newShape[viewDim] == 1)) {
                    result[viewDim] = viewElements * chunkStride;
                    viewElements *= newShape[viewDim];
                    viewDim--;
                }
                if (viewElements != tensorElements) {
                    return null;
                }
                if (d > 0) {
                    chunkStride = oldStrides[d - 1];
                    tensorElements = 1;
                    viewElements = 1;
                }
            }
        }
        return viewDim == -1 ? result : null;
    }

    /** Checks that {@code dims} is a permutation of the dims of {@code shape} (negatives allowed) and resolves it. */
    static int[] permutation(String op, int[] dims, int[] shape) {
        if (dims == null || dims.length != shape.length) {
            throw new IllegalArgumentException(op + ": dims " + Arrays.toString(dims) + " must name each of the "
                    + shape.length + " dims of " + str(shape) + " once");
        }
        int[] order = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = dimIndex(op + ": dim", dims[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException(op + ": dims " + Arrays.toString(dims) + " repeat dim " + d
                        + " (shape " + str(shape) + ")");
            }
            seen[d] = true;
            order[i] = d;
        }
        return order;
    }

    static int[] without(int[] values, int index) {
        int[] out = new int[values.length - 1];
        System.arraycopy(values, 0, out, 0, index);
        System.arraycopy(values, index + 1, out, index, values.length - index - 1);
        return out;
    }

    static long[] without(long[] values, int index) {
        long[] out = new long[values.length - 1];
        System.arraycopy(values, 0, out, 0, index);
        System.arraycopy(values, index + 1, out, index, values.length - index - 1);
        return out;
    }

    /**
     * The NumPy broadcast of shapes: aligned at the last dim, each pair of sizes equal or one of
     * them 1. The message names every shape.
     */
    static int[] broadcast(String op, int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                if (s[i] == out[d] || s[i] == 1) {
                    continue;
                }
                if (out[d] == 1) {
                    out[d] = s[i];
                } else {
                    StringBuilder names = new StringBuilder();
                    for (int[] each : shapes) {
                        names.append(names.length() == 0 ? "" : " and ").append(str(each));
                    }
                    throw new IllegalArgumentException(op + ": shapes " + names + " do not broadcast: dim " + d
                            + " (from the right: " + (rank - d) + ") has sizes " + out[d] + " and " + s[i]);
                }
            }
        }
        return out;
    }

    /** Strides that show {@code shape}/{@code strides} broadcast to {@code target} (0 on repeated dims). */
    static long[] broadcastStrides(int[] shape, long[] strides, int[] target) {
        long[] out = new long[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        }
        return out;
    }

    /** Resolves {@code dims} (negatives allowed, no repeats) to a sorted-by-appearance mask over {@code rank} dims. */
    static boolean[] dimMask(String op, int[] dims, int rank) {
        boolean[] mask = new boolean[rank];
        for (int dim : dims) {
            int d = dimIndex(op + ": dim", dim, Math.max(rank, 1));
            if (rank == 0) {
                continue;
            }
            if (mask[d]) {
                throw new IllegalArgumentException(op + ": dim " + dim + " appears twice in " + Arrays.toString(dims));
            }
            mask[d] = true;
        }
        return mask;
    }
}
