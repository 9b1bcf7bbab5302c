package org.torchcl.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.backend.Backend;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.HalfFloats;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.Layouts;
import org.torchcl.backend.MemoryCounter;
import org.torchcl.backend.PhiloxStart;
import org.torchcl.backend.PoolShape;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;

/**
 * The pure-Java backend: heap float arrays, loops split over one fork-join worker per core. Every
 * call completes before it returns. Uniform samples equal the OpenCL kernels' bit for bit. sgemm,
 * the Philox samplers and the float math of elementwise ops, softmax, layer norm and sums run on
 * {@link CpuKernels}, Vector API ones when the JVM has {@code jdk.incubator.vector}.
 */
public final class CpuBackend implements Backend {

    /** The most floats one Java array can hold on common JVMs. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Below this many elements a loop is not worth splitting across threads. */
    static final long ELEMENTWISE_GRAIN = 1 << 16;
    /** Elements per run of a strided loop: its scratch arrays stay in L1. */
    static final int RUN = 1024;
    /**
     * A transposing copy's tiles: 64 destination rows by 8 columns. The tile's 8 source runs of 64
     * elements, which lie a source row apart and so fall in the same L1 sets, fit the 8 ways of one
     * set; wider tiles evict their own lines.
     */
    private static final int TILE_ROWS = 64;
    private static final int TILE_COLUMNS = 8;
    /** Words per pass of the normal sampler: its scratch array stays in L1. */
    private static final int NORMAL_CHUNK = 2048;

    private static final CpuBackend INSTANCE = new CpuBackend();

    private final MemoryCounter memory = new MemoryCounter();
    /** Freed float arrays for the next buffers of their length: up to an eighth of the heap. */
    private final RecycledArrays recycled = new RecycledArrays(Runtime.getRuntime().maxMemory() / 8 / Float.BYTES);
    private final Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors());
    private final CpuKernels kernels = CpuKernels.select(parallel);
    private final CpuElementwise elementwise = new CpuElementwise(parallel, kernels.math);
    private final CpuReductions reductions = new CpuReductions(parallel, kernels.math);

    private CpuBackend() {
    }

    public static CpuBackend instance() {
        return INSTANCE;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public MemoryCounter memory() {
        return memory;
    }

    @Override
    public Buffer allocate(DType dtype, long elements) {
        long bytes = elements * dtype.byteSize();
        if (elements > MAX_ELEMENTS) {
            throw new DeviceOutOfMemoryException(device(), bytes, MAX_ELEMENTS * dtype.byteSize(),
                    "the CPU backend holds one tensor in one Java array of at most", null);
        }
        CpuBuffer buffer;
        try {
            buffer = CpuBuffer.allocate(dtype, (int) elements, recycled);
        } catch (OutOfMemoryError full) {
            // The held arrays are the first thing to give back to the heap.
            recycled.clear();
            buffer = allocateAfterClearing(dtype, (int) elements, bytes);
        }
        memory.allocated(bytes);
        return buffer;
    }

    private CpuBuffer allocateAfterClearing(DType dtype, int elements, long bytes) {
        try {
            return CpuBuffer.allocate(dtype, elements, recycled);
        } catch (OutOfMemoryError e) {
            Runtime runtime = Runtime.getRuntime();
            long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            throw new DeviceOutOfMemoryException(device(), bytes, free, "the Java heap (-Xmx) has about", e);
        }
    }

    @Override
    public void free(Buffer buffer) {
        CpuBuffer freed = (CpuBuffer) buffer;
        kernels.gemm.forget(freed);
        memory.freed(buffer.bytes());
        if (freed.array instanceof float[] floats) {
            recycled.give(floats);
        }
    }

    @Override
    public void write(java.nio.Buffer src, Buffer dst) {
        try {
            writeHost(src, (CpuBuffer) dst);
        } finally {
            ((CpuBuffer) dst).written();
        }
    }

    private static void writeHost(java.nio.Buffer src, CpuBuffer target) {
        if (src instanceof ByteBuffer bytes && target.dtype != DType.BOOL) {
            ByteBuffer view = bytes.duplicate().order(ByteOrder.nativeOrder());
            switch (target.dtype) {
                case FLOAT32 -> view.asFloatBuffer().get((float[]) target.array, 0, view.remaining() / Float.BYTES);
                case FLOAT16, BFLOAT16 -> view.asShortBuffer().get((short[]) target.array, 0, view.remaining() / Short.BYTES);
                case INT64 -> view.asLongBuffer().get((long[]) target.array, 0, view.remaining() / Long.BYTES);
                case INT32 -> view.asIntBuffer().get((int[]) target.array, 0, view.remaining() / Integer.BYTES);
                default -> throw new IllegalStateException("unreachable: " + target.dtype);
            }
            return;
        }
        java.nio.Buffer view = src.duplicate();
        switch (target.dtype) {
            case FLOAT32 -> ((FloatBuffer) view).get((float[]) target.array, 0, view.remaining());
            case FLOAT16, BFLOAT16 -> ((ShortBuffer) view).get((short[]) target.array, 0, view.remaining());
            case INT64 -> ((LongBuffer) view).get((long[]) target.array, 0, view.remaining());
            case INT32 -> ((IntBuffer) view).get((int[]) target.array, 0, view.remaining());
            case BOOL -> ((ByteBuffer) view).get((byte[]) target.array, 0, view.remaining());
        }
    }

    @Override
    public void read(Buffer src, Object dst, int count) {
        System.arraycopy(((CpuBuffer) src).array, 0, dst, 0, count);
    }

    @Override
    public void copy(Strided src, Strided dst) {
        try {
            copyElements(src, dst);
        } finally {
            ((CpuBuffer) dst.buffer()).written();
        }
    }

    private void copyElements(Strided src, Strided dst) {
        CpuBuffer from = (CpuBuffer) src.buffer();
        CpuBuffer to = (CpuBuffer) dst.buffer();
        if (src.numel() == 0) {
            return;
        }
        Layouts.Merged merged = Layouts.merge(dst, src);
        if (src.dtype() == dst.dtype() && merged.rank() == 1 && merged.strides()[0][0] == 1
                && merged.strides()[1][0] == 1) {
            System.arraycopy(from.array, (int) src.offset(), to.array, (int) dst.offset(), (int) src.numel());
            return;
        }
        if (src.dtype() == dst.dtype() && (src.dtype() == DType.FLOAT32 || src.dtype() == DType.INT32)
                && merged.rank() == 2 && merged.strides()[0][1] == 1 && merged.strides()[1][0] == 1) {
            transpose(from.array, (int) src.offset(), merged.strides()[1][1], to.array, (int) dst.offset(),
                    merged.strides()[0][0], merged.shape()[0], merged.shape()[1]);
            return;
        }
        boolean integral = !src.dtype().isFloatingPoint() && !dst.dtype().isFloatingPoint();
        StridedLoop.forEachRun(parallel, merged, new long[] {dst.offset(), src.offset()}, RUN, ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    if (integral) {
                        long[] values = new long[n];
                        CpuArrays.loadLongs(from, offsets[1], steps[1], n, values);
                        CpuArrays.storeLongs(values, n, to, offsets[0], steps[0]);
                    } else {
                        float[] values = new float[n];
                        CpuArrays.loadFloats(from, offsets[1], steps[1], n, values);
                        CpuArrays.storeFloats(values, n, to, offsets[0], steps[0]);
                    }
                });
    }

    /**
     * {@code to[dst + r * dstStep + c] = from[src + r + c * srcStep]} for {@code r < rows, c < cols}
     * over float[] or int[] arrays: a 2-D transpose, in cache tiles, where the element by element
     * walk would miss the cache on every source read.
     */
    private void transpose(Object from, int src, long srcStep, Object to, int dst, long dstStep, int rows, int cols) {
        parallel.forRange(rows, Math.max(TILE_ROWS, ELEMENTWISE_GRAIN / cols), (first, end) -> {
            for (int r0 = (int) first; r0 < end; r0 += TILE_ROWS) {
                int r1 = (int) Math.min(end, r0 + TILE_ROWS);
                for (int c0 = 0; c0 < cols; c0 += TILE_COLUMNS) {
                    int c1 = Math.min(cols, c0 + TILE_COLUMNS);
                    if (from instanceof float[] in) {
                        float[] out = (float[]) to;
                        for (int r = r0; r < r1; r++) {
                            int o = (int) (dst + r * dstStep);
                            for (int c = c0; c < c1; c++) {
                                out[o + c] = in[(int) (src + r + c * srcStep)];
                            }
                        }
                    } else {
                        int[] in = (int[]) from;
                        int[] out = (int[]) to;
                        for (int r = r0; r < r1; r++) {
                            int o = (int) (dst + r * dstStep);
                            for (int c = c0; c < c1; c++) {
                                out[o + c] = in[(int) (src + r + c * srcStep)];
                            }
                        }
                    }
                }
            }
        });
    }

    @Override
    public void fill(Buffer dst, DType dtype, long count, double value) {
        CpuBuffer out = (CpuBuffer) dst;
        parallel.forRange(count, ELEMENTWISE_GRAIN, (start, end) -> {
            int from = (int) start;
            int to = (int) end;
            switch (dtype) {
                case FLOAT32 -> Arrays.fill((float[]) out.array, from, to, (float) value);
                case FLOAT16 -> Arrays.fill((short[]) out.array, from, to, HalfFloats.floatToHalf((float) value));
                case BFLOAT16 -> Arrays.fill((short[]) out.array, from, to, HalfFloats.floatToBfloat16((float) value));
                case INT64 -> Arrays.fill((long[]) out.array, from, to, (long) value);
                case INT32 -> Arrays.fill((int[]) out.array, from, to, (int) (long) value);
                case BOOL -> Arrays.fill((byte[]) out.array, from, to, value != 0 ? (byte) 1 : (byte) 0);
            }
        });
        out.written();
    }

    @Override
    public void randomBits(Buffer dst, long count, PhiloxStart start) {
        float[] out = data(dst);
        forWordRuns(count, (first, words) -> kernels.philox.bits(start, first, words, out, (int) first));
        ((CpuBuffer) dst).written();
    }

    @Override
    public void uniform(Buffer dst, long count, PhiloxStart start, float low, float scale) {
        float[] out = data(dst);
        forWordRuns(count, (first, words) -> kernels.philox.uniform(start, first, words, out, (int) first, low, scale));
        ((CpuBuffer) dst).written();
    }

    @Override
    public void normal(Buffer dst, long count, PhiloxStart start, float mean, float std) {
        float[] out = data(dst);
        forWordRuns(count, (first, words) -> {
            float[] bits = new float[NORMAL_CHUNK];
            for (int done = 0; done < words; done += NORMAL_CHUNK) {
                // Box-Muller takes the words in pairs: draw whole blocks, even past the end.
                int chunk = Math.min(NORMAL_CHUNK, (words - done + 3) & ~3);
                kernels.philox.bits(start, first + done, chunk, bits, 0);
                for (int i = 0; i < chunk; i += 2) {
                    float u1 = Philox.unitFloatNonZero(Float.floatToRawIntBits(bits[i]));
                    float u2 = Philox.unitFloat(Float.floatToRawIntBits(bits[i + 1]));
                    float radius = (float) Math.sqrt(-2.0f * (float) Math.log(u1));
                    float angle = 6.2831855f * u2;
                    long e = first + done + i;
                    if (e < count) {
                        out[(int) e] = Math.fma(radius * (float) Math.cos(angle), std, mean);
                    }
                    if (e + 1 < count) {
                        out[(int) e + 1] = Math.fma(radius * (float) Math.sin(angle), std, mean);
                    }
                }
            }
        });
        ((CpuBuffer) dst).written();
    }

    /** A run of a draw's words, {@code [first, first + count)}; {@code first} is a multiple of 4. */
    @FunctionalInterface
    private interface WordRun {
        void fill(long first, int count);
    }

    /** Splits a draw of {@code count} words across the cores at block boundaries. */
    private void forWordRuns(long count, WordRun run) {
        long blocks = (count + 3) / 4;
        parallel.forRange(blocks, ELEMENTWISE_GRAIN / 4, (first, end) ->
                run.fill(first * 4, (int) (Math.min(count, end * 4) - first * 4)));
    }

    @Override
    public void gemm(GemmShape shape, Buffer a, Buffer b, Buffer bias, Buffer c) {
        kernels.gemm.run(shape, (CpuBuffer) a, (CpuBuffer) b, bias == null ? null : data(bias), data(c));
    }

    @Override
    public void unary(UnaryOp op, Strided src, Strided dst, double p0, double p1) {
        elementwise.unary(op, src, dst, p0, p1);
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Strided cond, Strided a, Strided b, Strided out) {
        elementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Strided src, Strided dst, int reducedDims, double correction) {
        reductions.reduce(op, src, dst, reducedDims, correction);
    }

    @Override
    public void softmax(Buffer src, Buffer dst, long rows, int cols, boolean log) {
        reductions.softmax(data(src), data(dst), rows, cols, log);
    }

    @Override
    public void layerNorm(Buffer src, Buffer weight, Buffer bias, Buffer dst, long rows, int cols, float eps) {
        reductions.layerNorm(data(src), weight == null ? null : data(weight), bias == null ? null : data(bias),
                data(dst), rows, cols, eps);
    }

    @Override
    public long gather(Strided src, int dim, Strided index, Strided out) {
        return CpuIndexing.gather(parallel, src, dim, index, out);
    }

    @Override
    public void conv2dGrouped(Buffer src, Buffer weight, Buffer bias, Buffer dst, Im2colShape shape,
                              int outChannels, int groups) {
        conv2dGrouped(src, weight, bias, dst, shape, outChannels, groups, null);
    }

    @Override
    public void conv2dGrouped(Buffer src, Buffer weight, Buffer bias, Buffer dst, Im2colShape shape,
                              int outChannels, int groups, UnaryOp activation) {
        if (groups == 1) {
            // Ungrouped: one product whose B is read straight from the images, no im2col buffer.
            kernels.gemm.conv2d(shape, data(src), (CpuBuffer) weight, bias == null ? null : data(bias), data(dst),
                    outChannels, activation);
            return;
        }
        CpuConvolution.conv2dGrouped(parallel, data(src), data(weight), bias == null ? null : data(bias), data(dst),
                shape, outChannels, groups);
        if (activation != null) {
            Strided output = Strided.contiguous(dst, DType.FLOAT32, shape.batch(), outChannels, shape.outHeight(),
                    shape.outWidth());
            unary(activation, output, output, 0, 0);
        }
    }

    @Override
    public void pool2d(Buffer src, Buffer dst, PoolShape shape) {
        CpuConvolution.pool2d(parallel, kernels.math, data(src), data(dst), shape);
    }

    @Override
    public void im2col(Buffer src, Buffer cols, Im2colShape s) {
        float[] in = data(src);
        float[] out = data(cols);
        int rows = s.patchSize();
        int outH = s.outHeight();
        int outW = s.outWidth();
        int positions = s.positions();
        parallel.forRange((long) s.batch() * rows, Math.max(1, ELEMENTWISE_GRAIN / positions), (first, end) -> {
            for (long r = first; r < end; r++) {
                int n = (int) (r / rows);
                int row = (int) (r % rows);
                int kw = row % s.kernelW();
                int kh = (row / s.kernelW()) % s.kernelH();
                int c = row / (s.kernelW() * s.kernelH());
                int plane = (n * s.channels() + c) * s.height();
                int o = (int) (r * positions);
                for (int oh = 0; oh < outH; oh++) {
                    int h = oh * s.strideH() - s.padH() + kh * s.dilationH();
                    boolean rowInside = h >= 0 && h < s.height();
                    for (int ow = 0; ow < outW; ow++) {
                        int w = ow * s.strideW() - s.padW() + kw * s.dilationW();
                        out[o++] = rowInside && w >= 0 && w < s.width() ? in[(plane + h) * s.width() + w] : 0f;
                    }
                }
            }
        });
    }

    @Override
    public void synchronize() {
        // Every call has finished when it returns.
    }

    private static float[] data(Buffer buffer) {
        return ((CpuBuffer) buffer).floats();
    }
}
