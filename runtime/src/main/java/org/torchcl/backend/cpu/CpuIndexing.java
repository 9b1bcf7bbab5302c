package org.torchcl.backend.cpu;

import java.util.concurrent.atomic.AtomicLong;
import org.torchcl.backend.Layouts;
import org.torchcl.backend.Strided;

/** Gathering by index on the CPU: {@code torch.gather}, and through expanded indices index_select and embedding. */
final class CpuIndexing {

    /** One chunk per thread: a run's indices, then in place the source offsets they select. */
    private static final ThreadLocal<long[]> CHUNK = ThreadLocal.withInitial(() -> new long[CpuBackend.RUN]);

    private CpuIndexing() {
    }

    /**
     * {@code out[i] = src[i with coordinate dim replaced by index[i]]}; copies raw values of the
     * (shared) dtype. Returns the row-major position of the first out-of-range index, or -1.
     */
    static long gather(Parallel parallel, Strided src, int dim, Strided index, Strided out) {
        if (out.numel() == 0) {
            return -1;
        }
        CpuBuffer from = (CpuBuffer) src.buffer();
        CpuBuffer ids = (CpuBuffer) index.buffer();
        CpuBuffer to = (CpuBuffer) out.buffer();
        int size = src.shape()[dim];
        long dimStride = src.strides()[dim];
        // Four operands walk out's shape: out, the index, the source without dim (its coordinate
        // comes from the index), and the row-major position, to name a bad index.
        long[] sourceStrides = src.strides().clone();
        sourceStrides[dim] = 0;
        Layouts.Merged merged = Layouts.merge(out.shape(), out.strides(), index.strides(), sourceStrides,
                Strided.contiguousStrides(out.shape()));
        long[] bases = {out.offset(), index.offset(), src.offset(), 0};
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        StridedLoop.forEachRun(parallel, merged, bases, CpuBackend.RUN, CpuBackend.ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    long[] at = CHUNK.get();
                    CpuArrays.loadLongs(ids, offsets[1], steps[1], n, at);
                    // One index along a contiguous run (an embedding row, an index_select slice):
                    // a block copy.
                    if (steps[1] == 0 && steps[0] == 1 && steps[2] == 1 && at[0] >= 0 && at[0] < size) {
                        System.arraycopy(from.array, (int) (offsets[2] + at[0] * dimStride), to.array,
                                (int) offsets[0], n);
                        return;
                    }
                    for (int i = 0; i < n; i++) {
                        long id = at[i];
                        if (id >= 0 && id < size) {
                            at[i] = offsets[2] + i * steps[2] + id * dimStride;
                        } else {
                            at[i] = -1;
                            firstBad.accumulateAndGet(offsets[3] + i * steps[3], Math::min);
                        }
                    }
                    copy(from, at, n, to, (int) offsets[0], (int) steps[0]);
                });
        return firstBad.get() == Long.MAX_VALUE ? -1 : firstBad.get();
    }

    /** {@code to[offset + i * step] = from[at[i]]}, or zero (false) where {@code at[i]} is -1. */
    private static void copy(CpuBuffer from, long[] at, int n, CpuBuffer to, int offset, int step) {
        switch (to.dtype) {
            case FLOAT32 -> {
                float[] s = (float[]) from.array;
                float[] d = (float[]) to.array;
                for (int i = 0; i < n; i++) {
                    d[offset + i * step] = at[i] < 0 ? 0f : s[(int) at[i]];
                }
            }
            case FLOAT16, BFLOAT16 -> {
                short[] s = (short[]) from.array;
                short[] d = (short[]) to.array;
                for (int i = 0; i < n; i++) {
                    d[offset + i * step] = at[i] < 0 ? 0 : s[(int) at[i]];
                }
            }
            case INT64 -> {
                long[] s = (long[]) from.array;
                long[] d = (long[]) to.array;
                for (int i = 0; i < n; i++) {
                    d[offset + i * step] = at[i] < 0 ? 0 : s[(int) at[i]];
                }
            }
            case INT32 -> {
                int[] s = (int[]) from.array;
                int[] d = (int[]) to.array;
                for (int i = 0; i < n; i++) {
                    d[offset + i * step] = at[i] < 0 ? 0 : s[(int) at[i]];
                }
            }
            case BOOL -> {
                byte[] s = (byte[]) from.array;
                byte[] d = (byte[]) to.array;
                for (int i = 0; i < n; i++) {
                    d[offset + i * step] = at[i] < 0 ? 0 : s[(int) at[i]];
                }
            }
        }
    }
}
