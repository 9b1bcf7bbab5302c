package org.torchcl.onnx;

import java.util.Arrays;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import org.torchcl.DType;

/** The host side of shape arithmetic: numpy broadcasting and index helpers over {@link HostTensor}s. */
final class HostMath {

    private HostMath() {
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The numpy broadcast of two shapes, or an error naming both. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Row-major strides of {@code shape} seen from {@code target}'s rank, zero along broadcast dims. */
    static long[] broadcastStrides(int[] shape, int[] target) {
        long[] strides = new long[target.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            int t = i + target.length - shape.length;
            strides[t] = shape[i] == 1 ? 0 : stride;
            stride *= shape[i];
        }
        return strides;
    }

    /** The element of a tensor with {@code strides} at row-major position {@code index} of {@code target}. */
    static long offset(long index, int[] target, long[] strides) {
        long offset = 0;
        for (int d = target.length - 1; d >= 0; d--) {
            int size = target[d];
            offset += (index % size) * strides[d];
            index /= size;
        }
        return offset;
    }

    static HostTensor binary(HostTensor a, HostTensor b, DType out, LongBinaryOperator op) {
        int[] shape = broadcast(a.shape(), b.shape());
        long n = numel(shape);
        long[] sa = broadcastStrides(a.shape(), shape);
        long[] sb = broadcastStrides(b.shape(), shape);
        long[] result = new long[(int) n];
        for (int i = 0; i < n; i++) {
            result[i] = op.applyAsLong(a.values()[(int) offset(i, shape, sa)], b.values()[(int) offset(i, shape, sb)]);
        }
        return HostTensor.of(out, shape, result);
    }

    static HostTensor unary(HostTensor a, DType out, LongUnaryOperator op) {
        long[] result = new long[a.numel()];
        for (int i = 0; i < result.length; i++) {
            result[i] = op.applyAsLong(a.values()[i]);
        }
        return HostTensor.of(out, a.shape(), result);
    }

    /** {@code a} broadcast to {@code shape}, materialized. */
    static HostTensor expand(HostTensor a, int[] shape) {
        long[] strides = broadcastStrides(a.shape(), shape);
        long[] result = new long[(int) numel(shape)];
        for (int i = 0; i < result.length; i++) {
            result[i] = a.values()[(int) offset(i, shape, strides)];
        }
        return HostTensor.of(a.dtype(), shape, result);
    }

    /** The value an integer of {@code dtype} holds after a cast from a long, as C casts wrap. */
    static long wrap(DType dtype, long value) {
        return switch (dtype) {
            case INT32 -> (int) value;
            case BOOL -> value != 0 ? 1 : 0;
            default -> value;
        };
    }

    /** A dim index in {@code [-rank, rank)} made non-negative, or an error naming the argument. */
    static int axis(String what, long axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException(what + " " + axis + " is outside [" + -rank + ", " + (rank - 1)
                    + "] for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static int toInt(String what, long value) {
        if (value != (int) value) {
            throw new IllegalArgumentException(what + " " + value + " is outside the int range");
        }
        return (int) value;
    }
}
