package org.torchcl.backend.cpu;

import java.nio.FloatBuffer;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.MemoryCounter;
import org.torchcl.backend.PhiloxStart;

/**
 * The pure-Java backend: heap float arrays, loops split over one fork-join worker per core. Every
 * call completes before it returns. Uniform samples equal the OpenCL kernels' bit for bit. sgemm
 * and the Philox samplers run on {@link CpuKernels}, Vector API ones when the JVM has
 * {@code jdk.incubator.vector}.
 */
public final class CpuBackend implements Backend {

    /** The most floats one Java array can hold on common JVMs. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Below this many elements a loop is not worth splitting across threads. */
    private static final long ELEMENTWISE_GRAIN = 1 << 16;
    /** Words per pass of the normal sampler: its scratch array stays in L1. */
    private static final int NORMAL_CHUNK = 2048;

    private static final CpuBackend INSTANCE = new CpuBackend();

    private final MemoryCounter memory = new MemoryCounter();
    private final Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors());
    private final CpuKernels kernels = CpuKernels.select(parallel);

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
    public Buffer allocate(long elements) {
        long bytes = elements * Float.BYTES;
        if (elements > MAX_ELEMENTS) {
            throw new DeviceOutOfMemoryException(device(), bytes, MAX_ELEMENTS * Float.BYTES,
                    "the CPU backend holds one tensor in one Java array of at most", null);
        }
        float[] data;
        try {
            data = new float[(int) elements];
        } catch (OutOfMemoryError e) {
            Runtime runtime = Runtime.getRuntime();
            long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            throw new DeviceOutOfMemoryException(device(), bytes, free, "the Java heap (-Xmx) has about", e);
        }
        memory.allocated(bytes);
        return new CpuBuffer(data);
    }

    @Override
    public void free(Buffer buffer) {
        memory.freed(data(buffer).length * (long) Float.BYTES);
    }

    @Override
    public void write(FloatBuffer src, Buffer dst) {
        FloatBuffer view = src.duplicate();
        view.get(data(dst), 0, view.remaining());
    }

    @Override
    public void read(Buffer src, float[] dst, int count) {
        System.arraycopy(data(src), 0, dst, 0, count);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long count) {
        System.arraycopy(data(src), 0, data(dst), 0, (int) count);
    }

    @Override
    public void fill(Buffer dst, long count, float value) {
        float[] out = data(dst);
        parallel.forRange(count, ELEMENTWISE_GRAIN, (start, end) -> java.util.Arrays.fill(out, (int) start,
                (int) end, value));
    }

    @Override
    public void randomBits(Buffer dst, long count, PhiloxStart start) {
        float[] out = data(dst);
        forWordRuns(count, (first, words) -> kernels.philox.bits(start, first, words, out, (int) first));
    }

    @Override
    public void uniform(Buffer dst, long count, PhiloxStart start, float low, float scale) {
        float[] out = data(dst);
        forWordRuns(count, (first, words) -> kernels.philox.uniform(start, first, words, out, (int) first, low, scale));
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
        kernels.gemm.run(shape, data(a), data(b), bias == null ? null : data(bias), data(c));
    }

    @Override
    public void relu(Buffer src, Buffer dst, long count) {
        float[] in = data(src);
        float[] out = data(dst);
        parallel.forRange(count, ELEMENTWISE_GRAIN, (start, end) -> {
            for (int i = (int) start; i < end; i++) {
                float x = in[i];
                out[i] = x < 0f ? 0f : x;
            }
        });
    }

    @Override
    public void addBroadcast(Buffer x, Buffer y, Buffer out, long count, long yCount) {
        float[] xs = data(x);
        float[] ys = data(y);
        float[] os = data(out);
        int period = (int) yCount;
        parallel.forRange(count, ELEMENTWISE_GRAIN, (start, end) -> {
            for (int i = (int) start; i < end; i++) {
                os[i] = xs[i] + ys[i % period];
            }
        });
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
                    int h = oh * s.strideH() - s.padH() + kh;
                    boolean rowInside = h >= 0 && h < s.height();
                    for (int ow = 0; ow < outW; ow++) {
                        int w = ow * s.strideW() - s.padW() + kw;
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
        return ((CpuBuffer) buffer).data;
    }
}
