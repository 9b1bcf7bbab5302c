package org.torchcl.backend.cpu;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.torchcl.Reference;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.PhiloxStart;

/**
 * The child JVM of {@link ScalarFallbackTest}, started without {@code jdk.incubator.vector}: runs a
 * few products and draws on the CPU backend and writes them to the file named by its argument, one
 * result per line: its name, then the bits of its floats in hex.
 */
public final class ScalarFallbackMain {

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final Map<String, GemmShape> PRODUCTS = Map.of(
            "linear", GemmShape.of(37, 29, 41).withTransB(true).withBias(GemmShape.Bias.PER_COLUMN),
            "conv", GemmShape.of(16, 50, 27).withBias(GemmShape.Bias.PER_ROW).withBatch(3, 0, 27 * 50, 16 * 50),
            "square", GemmShape.of(130, 130, 130));
    /** The low counter half wraps during the draws. */
    static final PhiloxStart START = new PhiloxStart(-5, 3, 42);
    static final int DRAW = 1001;

    private ScalarFallbackMain() {
    }

    public static void main(String[] args) throws IOException {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            throw new IllegalStateException(VECTOR_MODULE + " is in this JVM, so it cannot test the fallback");
        }
        String lines = results().entrySet().stream()
                .map(e -> e.getKey() + IntStream.range(0, e.getValue().length)
                        .mapToObj(i -> " " + Integer.toHexString(Float.floatToRawIntBits(e.getValue()[i])))
                        .collect(Collectors.joining()))
                .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(Path.of(args[0]), lines);
    }

    /** Every result by name, from this JVM's CPU backend. */
    static Map<String, float[]> results() {
        Map<String, float[]> results = new HashMap<>();
        PRODUCTS.forEach((name, s) -> results.put(name, gemm(s)));
        CpuBackend cpu = CpuBackend.instance();
        results.put("uniform", draw(out -> cpu.uniform(out, DRAW, START, -1.5f, 4f)));
        results.put("bits", draw(out -> cpu.randomBits(out, DRAW, START)));
        results.put("normal", draw(out -> cpu.normal(out, DRAW, START, 0.5f, 2f)));
        return results;
    }

    /** A, B and the bias of {@code s}, in that order: the same in every JVM. */
    static float[][] gemmInputs(GemmShape s) {
        return new float[][] {
            Reference.randomFloats(1, (int) (s.strideA() * (s.batch() - 1) + (long) s.m() * s.k())),
            Reference.randomFloats(2, (int) (s.strideB() * (s.batch() - 1) + (long) s.k() * s.n())),
            Reference.randomFloats(3, Math.max(s.m(), s.n())),
        };
    }

    private static float[] gemm(GemmShape s) {
        CpuBackend cpu = CpuBackend.instance();
        float[][] inputs = gemmInputs(s);
        Buffer a = upload(inputs[0]);
        Buffer b = upload(inputs[1]);
        Buffer bias = upload(inputs[2]);
        int size = (int) (s.strideC() * (s.batch() - 1) + (long) s.m() * s.n());
        Buffer c = cpu.allocate(org.torchcl.DType.FLOAT32, size);
        cpu.gemm(s, a, b, bias, c);
        float[] result = new float[size];
        cpu.read(c, result, size);
        return result;
    }

    private static float[] draw(Consumer<Buffer> sampler) {
        Buffer out = CpuBackend.instance().allocate(org.torchcl.DType.FLOAT32, DRAW);
        sampler.accept(out);
        float[] result = new float[DRAW];
        CpuBackend.instance().read(out, result, DRAW);
        return result;
    }

    private static Buffer upload(float[] data) {
        Buffer buffer = CpuBackend.instance().allocate(org.torchcl.DType.FLOAT32, data.length);
        CpuBackend.instance().write(FloatBuffer.wrap(data), buffer);
        return buffer;
    }
}
