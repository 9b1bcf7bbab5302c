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
    private volatile int version;

    private CpuBuffer(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
    }

    static CpuBuffer allocate(DType dtype, int length, RecycledArrays recycled) {
        Object array = switch (dtype) {
            case FLOAT32 -> {
                float[] reused = recycled.take(length);
                yield reused != null ? reused : new float[length];
            }
            case FLOAT16, BFLOAT16 -> new short[length];
            case INT64 -> new long[length];
            case INT32 -> new int[length];
            case BOOL -> new byte[length];
        };
        return new CpuBuffer(dtype, array, length);
    }

    /** A float32 buffer over {@code values} (not copied), for calling the kernels directly. */
    static CpuBuffer of(float[] values) {
        return new CpuBuffer(DType.FLOAT32, values, values.length);
    }

    /** How many in-place writes this buffer has had. */
    int version() {
        return version;
    }

    /** Records an in-place write: the values may differ from any copy taken before. */
    void written() {
        // Racing writers may lose an increment; either still moves the version off every cached one.
        version++;
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
