package org.torchcl;

import java.io.IOException;
import java.util.List;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.opencl.GemmConfig;
import org.torchcl.backend.opencl.OpenClBackend;

/**
 * The sgemm as the benchmarks and the tuner see it: one product shape with random operands on a
 * device, timed at the kernel (the OpenCL profiling event; wall clock on the CPU backend, whose
 * calls finish before they return), and the OpenCL tile configurations to choose from. This is
 * the public way in for measuring; tensors are the way in for computing.
 *
 * <pre>{@code
 * try (GemmProbe probe = GemmProbe.open(device, 4096, 4096, 4096, false, 42)) {
 *     double seconds = probe.run();
 * }
 * }</pre>
 */
public final class GemmProbe implements AutoCloseable {

    private final Backend backend;
    private final GemmShape shape;
    private final Buffer a;
    private final Buffer b;
    private final Buffer c;
    private boolean closed;

    private GemmProbe(Backend backend, GemmShape shape, Buffer a, Buffer b, Buffer c) {
        this.backend = backend;
        this.shape = shape;
        this.a = a;
        this.b = b;
        this.c = c;
    }

    /**
     * Operands for {@code [m, k] x [k, n]} ({@code B} stored {@code [n, k]} when {@code transB}, as a
     * Linear weight), filled with U[-1, 1) from a generator seeded with {@code seed}.
     */
    public static GemmProbe open(Device device, int m, int n, int k, boolean transB, long seed) {
        if (device == null) {
            throw new IllegalArgumentException("GemmProbe: device must not be null");
        }
        GemmShape shape = GemmShape.of(m, n, k).withTransB(transB);
        Backend backend = device.backend();
        long sizeA = (long) m * k;
        long sizeB = (long) k * n;
        Buffer a = backend.allocate(DType.FLOAT32, sizeA);
        Buffer b = null;
        try {
            b = backend.allocate(DType.FLOAT32, sizeB);
            Buffer c = backend.allocate(DType.FLOAT32, (long) m * n);
            Generator generator = new Generator(seed);
            backend.uniform(a, sizeA, generator.reserve(sizeA), -1f, 2f);
            backend.uniform(b, sizeB, generator.reserve(sizeB), -1f, 2f);
            backend.synchronize();
            return new GemmProbe(backend, shape, a, b, c);
        } catch (RuntimeException | Error e) {
            backend.free(a);
            if (b != null) {
                backend.free(b);
            }
            throw e;
        }
    }

    /** Floating-point operations of one product (multiply-adds times two). */
    public double flops() {
        return shape.flops();
    }

    /** Runs the product once with the device's current tiles; returns its seconds. */
    public double run() {
        checkOpen();
        if (backend instanceof OpenClBackend openCl) {
            return openCl.timeGemm(shape, a, b, null, c, openCl.gemmConfig()) / 1e9;
        }
        long start = System.nanoTime();
        backend.gemm(shape, a, b, null, c);
        backend.synchronize();
        return (System.nanoTime() - start) / 1e9;
    }

    /** Runs the product once with the OpenCL tile configuration {@code tiles} (one of {@link #tileConfigs}). */
    public double run(String tiles) {
        checkOpen();
        OpenClBackend openCl = openCl(backend.device());
        return openCl.timeGemm(shape, a, b, null, c, GemmConfig.parse(tiles)) / 1e9;
    }

    /** The result of the last run, {@code [m, n]} row-major. */
    public float[] result() {
        checkOpen();
        float[] out = new float[Math.toIntExact((long) shape.m() * shape.n())];
        backend.read(c, out, out.length);
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.free(a);
            backend.free(b);
            backend.free(c);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("GemmProbe is closed");
        }
    }

    /** The sgemm tile configurations that fit this OpenCL device, as strings {@link #run(String)} takes. */
    public static List<String> tileConfigs(Device device) {
        OpenClBackend openCl = openCl(device);
        return GemmConfig.candidates().stream().filter(c -> c.fits(openCl.info())).map(GemmConfig::toString).toList();
    }

    /** The tiles sgemm uses on this OpenCL device now (tuned and stored, or the default). */
    public static String tileConfig(Device device) {
        return openCl(device).gemmConfig().toString();
    }

    /** Switches this OpenCL device's sgemm to {@code tiles}; with {@code persist}, later JVMs use them too. */
    public static void useTileConfig(Device device, String tiles, boolean persist) throws IOException {
        openCl(device).useGemmConfig(GemmConfig.parse(tiles), persist);
    }

    private static OpenClBackend openCl(Device device) {
        if (device == null || !device.isOpenCl()) {
            throw new IllegalArgumentException("sgemm tiles exist on OpenCL devices only, got " + device);
        }
        return (OpenClBackend) device.backend();
    }
}
