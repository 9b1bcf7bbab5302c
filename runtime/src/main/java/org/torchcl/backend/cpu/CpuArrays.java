package org.torchcl.backend.cpu;

import org.torchcl.backend.HalfFloats;

/**
 * Loads and stores runs of a {@link CpuBuffer}'s values in the two computation types, float32 and
 * int64, whatever the buffer's dtype: the CPU kernels compute on float[] / long[] chunks and stay
 * free of dtype switches. Conversions are PyTorch's (see {@code Backend.copy}).
 */
final class CpuArrays {

    private CpuArrays() {
    }

    static void loadFloats(CpuBuffer src, long offset, long step, int n, float[] dst) {
        int at = (int) offset;
        int by = (int) step;
        switch (src.dtype) {
            case FLOAT32 -> {
                float[] a = (float[]) src.array;
                if (by == 1) {
                    System.arraycopy(a, at, dst, 0, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        dst[i] = a[at + i * by];
                    }
                }
            }
            case FLOAT16 -> {
                short[] a = (short[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = HalfFloats.halfToFloat(a[at + i * by]);
                }
            }
            case BFLOAT16 -> {
                short[] a = (short[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = HalfFloats.bfloat16ToFloat(a[at + i * by]);
                }
            }
            case INT64 -> {
                long[] a = (long[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
            case INT32 -> {
                int[] a = (int[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
            case BOOL -> {
                byte[] a = (byte[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
        }
    }

    static void storeFloats(float[] src, int n, CpuBuffer dst, long offset, long step) {
        int at = (int) offset;
        int by = (int) step;
        switch (dst.dtype) {
            case FLOAT32 -> {
                float[] a = (float[]) dst.array;
                if (by == 1) {
                    System.arraycopy(src, 0, a, at, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        a[at + i * by] = src[i];
                    }
                }
            }
            case FLOAT16 -> {
                short[] a = (short[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = HalfFloats.floatToHalf(src[i]);
                }
            }
            case BFLOAT16 -> {
                short[] a = (short[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = HalfFloats.floatToBfloat16(src[i]);
                }
            }
            case INT64 -> {
                long[] a = (long[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = (long) src[i];
                }
            }
            case INT32 -> {
                int[] a = (int[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = (int) (long) src[i];
                }
            }
            case BOOL -> {
                byte[] a = (byte[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = src[i] != 0f ? (byte) 1 : (byte) 0;
                }
            }
        }
    }

    static void loadLongs(CpuBuffer src, long offset, long step, int n, long[] dst) {
        int at = (int) offset;
        int by = (int) step;
        switch (src.dtype) {
            case INT64 -> {
                long[] a = (long[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
            case INT32 -> {
                int[] a = (int[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
            case BOOL -> {
                byte[] a = (byte[]) src.array;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[at + i * by];
                }
            }
            default -> {
                float[] floats = new float[n];
                loadFloats(src, offset, step, n, floats);
                for (int i = 0; i < n; i++) {
                    dst[i] = (long) floats[i];
                }
            }
        }
    }

    static void storeLongs(long[] src, int n, CpuBuffer dst, long offset, long step) {
        int at = (int) offset;
        int by = (int) step;
        switch (dst.dtype) {
            case INT64 -> {
                long[] a = (long[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = src[i];
                }
            }
            case INT32 -> {
                int[] a = (int[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = (int) src[i];
                }
            }
            case BOOL -> {
                byte[] a = (byte[]) dst.array;
                for (int i = 0; i < n; i++) {
                    a[at + i * by] = src[i] != 0 ? (byte) 1 : (byte) 0;
                }
            }
            default -> {
                float[] floats = new float[n];
                for (int i = 0; i < n; i++) {
                    floats[i] = src[i];
                }
                storeFloats(floats, n, dst, offset, step);
            }
        }
    }
}
