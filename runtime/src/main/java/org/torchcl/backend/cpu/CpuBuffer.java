package org.torchcl.backend.cpu;

import org.torchcl.DType;
import org.torchcl.backend.Buffer;

/**
 * A CPU backend buffer: one Java array on the heap, of the dtype's carrier type: {@code float[]}
 * for float32, {@code short[]} for the 16-bit floats (their bit patterns), {@code long[]},
 * {@code int[]}, and {@code byte[]} (0 or 1) for bool.
 */
final class CpuBuffer implements Buffer {

    final DType dtype;
    final Object array;
    private final int length;

    private CpuBuffer(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
    }

    static CpuBuffer allocate(DType dtype, int length) {
        Object array = switch (dtype) {
            case FLOAT32 -> new float[length];
            case FLOAT16, BFLOAT16 -> new short[length];
            case INT64 -> new long[length];
            case INT32 -> new int[length];
            case BOOL -> new byte[length];
        };
        return new CpuBuffer(dtype, array, length);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elements() {
        return length;
    }

    float[] floats() {
        return (float[]) array;
    }
}
