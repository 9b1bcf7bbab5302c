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
            if (shape[i] < 1) {
                throw new IllegalArgumentException(argument + " " + Arrays.toString(shape) + ": dim " + i + " is "
                        + shape[i] + "; every dim must be at least 1");
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
            } else if (d < 1) {
                throw new IllegalArgumentException("reshape " + Arrays.toString(current) + " to "
                        + Arrays.toString(requested) + ": dim " + i + " is " + d + "; dims must be positive or -1");
            } else {
                known = Math.multiplyExact(known, (long) d);
            }
        }
        int[] result = requested.clone();
        if (inferred >= 0) {
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
}
