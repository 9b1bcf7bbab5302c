package org.torchcl.backend;

import java.util.Arrays;
import org.torchcl.DType;

/**
 * A tensor as a backend sees it: a buffer, the element type, and where each element lives in it.
 * Element {@code [i0, i1, ...]} is at {@code offset + i0 * strides[0] + i1 * strides[1] + ...}
 * (in elements, not bytes). A stride of 0 repeats one element along a dim: that is how
 * broadcasting reaches the backends. Strides are never negative.
 */
public record Strided(Buffer buffer, DType dtype, int[] shape, long[] strides, long offset) {

    /** A contiguous row-major layout of {@code shape} at the start of {@code buffer}. */
    public static Strided contiguous(Buffer buffer, DType dtype, int... shape) {
        return new Strided(buffer, dtype, shape, contiguousStrides(shape), 0);
    }

    /** Row-major strides of {@code shape}. */
    public static long[] contiguousStrides(int[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = step;
            step *= shape[d];
        }
        return strides;
    }

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

    /** The same elements with {@code shape} and {@code strides} replaced (same buffer, dtype and offset). */
    public Strided withLayout(int[] newShape, long[] newStrides) {
        return new Strided(buffer, dtype, newShape, newStrides, offset);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
