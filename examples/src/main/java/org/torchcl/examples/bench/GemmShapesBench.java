package org.torchcl.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.torchcl.Device;
import org.torchcl.GemmProbe;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * The CPU backend on the products real models are made of, against ONNX Runtime's Java API in the
 * same JVM and run: {@code Torch.linear(x[M, K], w[N, K], b)} against ORT's Gemm (transB=1, w and b
 * initializers, as in an exported model) on BERT-sized shapes, and {@code Torch.conv2d} against
 * ORT's Conv on ResNet-18's 3x3 convolutions (their im2col products 64x576x3136, 128x1152x784,
 * 256x2304x196 and 512x4608x49) at each batch of {@code --batches}. Each row times ORT then
 * torchcl, median after a warm-up, in GFLOP/s (2 M N K per product). Then the square n=2048 sgemm
 * against numpy on its BLAS ({@code TORCHCL_PYTHON}; the peer's name says which BLAS and any
 * {@code OPENBLAS_*} variable set, as they change OpenBLAS' kernel).
 *
 * <pre>GemmShapesBench [--batches 1,32] [--budget SECONDS] [--ort-threads N] [--only TEXT] [--no-square] [--json FILE]</pre>
 *
 * {@code --budget} (default 1) is the measured time per side of a row; {@code --only} keeps the
 * rows whose name contains the text.
 */
public final class GemmShapesBench {

    private static final int SQUARE = 2048;
    private static final double WARM_UP_SECONDS = 5;
    /**
     * Untimed runs of each torchcl row first: a new shape sends C2 back to recompiling the code
     * around the kernels, and with both cores busy running the product its compiler thread gets
     * little time, so half a second of warm-up was sometimes not enough.
     */
    private static final double ROW_WARM_UP_SECONDS = 2;

    private GemmShapesBench() {
    }

    /** One row: a Linear product or a 3x3 stride-1 convolution, with its gemm sizes for the flop count. */
    record Shape(String name, int m, int k, int n, int batch, int channels, int size) {

        static Shape linear(int m, int k, int n, String where) {
            return new Shape(m + " x " + k + " -> " + n + " (" + where + ")", m, k, n, 1, 0, 0);
        }

        /** A 3x3, pad 1 convolution keeping {@code channels} and the {@code size x size} image. */
        static Shape conv(int channels, int size, int batch) {
            return new Shape(String.format(Locale.ROOT, "conv3x3 %dx%dx%d b%d (%dx%dx%d)", channels, size, size, batch,
                    channels, channels * 9, size * size), channels, channels * 9, size * size, batch, channels, size);
        }

        boolean isConv() {
            return channels > 0;
        }

        double flops() {
            return 2.0 * batch * m * k * n;
        }
    }

    static List<Shape> shapes(int[] batches) {
        List<Shape> shapes = new ArrayList<>(List.of(
                Shape.linear(128, 384, 384, "BERT-mini attention projection"),
                Shape.linear(128, 384, 1536, "BERT FFN up"),
                Shape.linear(128, 1536, 384, "BERT FFN down"),
                Shape.linear(4096, 384, 1536, "32 sentences, FFN up"),
                Shape.linear(4096, 1536, 384, "32 sentences, FFN down"),
                Shape.linear(64, 4096, 4096, "Linear 4096, batch 64"),
                Shape.linear(256, 4096, 4096, "Linear 4096, batch 256"),
                Shape.linear(1, 4096, 4096, "Linear 4096, one row"),
                Shape.linear(8, 4096, 4096, "Linear 4096, batch 8")));
        for (int batch : batches) {
            shapes.add(Shape.conv(64, 56, batch));
            shapes.add(Shape.conv(128, 28, batch));
            shapes.add(Shape.conv(256, 14, batch));
            shapes.add(Shape.conv(512, 7, batch));
        }
        return shapes;
    }

    static final Usage USAGE = Usage.of("GemmShapesBench",
            "Torch.linear and Torch.conv2d on BERT and ResNet-18 shapes against ONNX Runtime, square n=2048 against"
                    + " numpy, in the same run.")
            .integers("--batches", "B,B,...", 1, "ResNet-18 convolution batch sizes (default 1,32)")
            .number("--budget", "SECONDS", 0, "measured time per row (default 1)")
            .integer("--ort-threads", "N", 1, "ONNX Runtime's intra-op threads (default 2)")
            .text("--only", "TEXT", "only the rows whose name contains TEXT")
            .flag("--no-square", "skip the square n=2048 product against numpy")
            .text("--json", "FILE", "also write the table as JSON");

    public static void main(String[] args) throws IOException, OrtException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        int[] batches = Arrays.stream(CommandLine.option(rest, "--batches").orElse("1,32").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        double budget = CommandLine.option(rest, "--budget").map(Double::parseDouble).orElse(1.0);
        int ortThreads = CommandLine.intOption(rest, "--ort-threads", 2);
        Optional<String> only = CommandLine.option(rest, "--only");
        boolean square = !CommandLine.flag(rest, "--no-square");
        List<Shape> shapes = shapes(batches).stream().filter(s -> only.map(s.name()::contains).orElse(true)).toList();

        Progress progress = new Progress(System.out, shapes.size() + 1 + (square ? 2 : 0));
        Report report = new Report("CPU gemm on model shapes, GFLOP/s");
        // numpy first: it is a separate process and must not share the cores with our threads.
        Optional<Peer.Measurement> numpy = Optional.empty();
        if (square) {
            progress.step("numpy square n=" + SQUARE);
            numpy = Peer.measure("cpu", 2, 7, List.of(Map.of("op", "gemm", "m", SQUARE, "n", SQUARE, "k", SQUARE,
                    "transB", false)));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String ortName = "ONNX Runtime " + env.getVersion() + " (Java) on the CPU, " + ortThreads + " intra-op threads";
        Device cpu = Device.cpu();
        progress.step("JIT warm-up");
        warmUp(cpu);
        for (Shape shape : shapes) {
            progress.step(shape.name());
            Timing.Result ort = ortMedian(env, shape, ortThreads, budget);
            Timing.Result torchcl = torchclMedian(cpu, shape, budget);
            report.add(new Report.Row(cpu.toString(), shape.name(), shape.flops() / torchcl.seconds() / 1e9, "GFLOP/s",
                    torchcl.runs(), shape.flops() / ort.seconds() / 1e9, ortName));
        }
        if (square) {
            progress.step("torchcl square n=" + SQUARE);
            Timing.Result torchcl;
            try (GemmProbe probe = GemmProbe.open(cpu, SQUARE, SQUARE, SQUARE, false, 42)) {
                torchcl = Timing.median(probe::run, 1, 5, 15, Math.max(budget, 3));
            }
            double flops = 2.0 * SQUARE * SQUARE * SQUARE;
            Double peer = numpy.map(m -> m.seconds().get(0)).map(s -> flops / s / 1e9).orElse(null);
            report.add(new Report.Row(cpu.toString(), "square n=" + SQUARE, flops / torchcl.seconds() / 1e9, "GFLOP/s",
                    torchcl.runs(), peer, numpy.map(m -> m.name() + openBlasVariables()).orElse(null)));
        }
        progress.finish();
        report.print(System.out);
        report.writeJsonIfAsked(rest);
    }

    /** The {@code OPENBLAS_*} environment the peer inherited, which selects OpenBLAS' kernel and blocking. */
    private static String openBlasVariables() {
        String set = System.getenv().entrySet().stream().filter(e -> e.getKey().startsWith("OPENBLAS_"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" "));
        return set.isEmpty() ? ", no OPENBLAS_* variables set" : ", " + set;
    }

    /**
     * Runs a product and a convolution for {@value #WARM_UP_SECONDS} s before anything is timed: the
     * Vector API kernels are very slow until C2 has compiled them, and under load that takes longer
     * than one row's own warm-up.
     */
    private static void warmUp(Device cpu) {
        Torch.manualSeed(2);
        try (Tensor x = Torch.randn(cpu, 64, 256);
             Tensor w = Torch.randn(cpu, 256, 256);
             Tensor image = Torch.randn(cpu, 1, 16, 14, 14);
             Tensor kernel = Torch.randn(cpu, 32, 16, 3, 3)) {
            long end = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
            while (System.nanoTime() < end) {
                timed(() -> Torch.linear(x, w, null));
                timed(() -> Torch.conv2d(image, kernel, null, 1, 1));
            }
        }
    }

    private static Timing.Result torchclMedian(Device cpu, Shape shape, double budget) {
        Torch.manualSeed(1);
        if (shape.isConv()) {
            try (Tensor x = Torch.randn(cpu, shape.batch(), shape.channels(), shape.size(), shape.size());
                 Tensor w = Torch.randn(cpu, shape.channels(), shape.channels(), 3, 3)) {
                return Timing.medianAfterWarmUp(() -> timed(() -> Torch.conv2d(x, w, null, 1, 1)), ROW_WARM_UP_SECONDS,
                        5, 400, budget);
            }
        }
        try (Tensor x = Torch.randn(cpu, shape.m(), shape.k());
             Tensor w = Torch.randn(cpu, shape.n(), shape.k());
             Tensor b = Torch.randn(cpu, shape.n())) {
            return Timing.medianAfterWarmUp(() -> timed(() -> Torch.linear(x, w, b)), ROW_WARM_UP_SECONDS, 5, 400,
                    budget);
        }
    }

    private static double timed(java.util.function.Supplier<Tensor> op) {
        long start = System.nanoTime();
        try (Tensor y = op.get()) {
            return Timing.since(start);
        }
    }

    /** The same product as one ONNX node, the weights as initializers; the input is fed as a tensor made once. */
    private static Timing.Result ortMedian(OrtEnvironment env, Shape shape, int threads, double budget)
            throws OrtException {
        Random random = new Random(1);
        OnnxSingleNode model;
        long[] inputShape;
        if (shape.isConv()) {
            inputShape = new long[] {shape.batch(), shape.channels(), shape.size(), shape.size()};
            model = new OnnxSingleNode("Conv", "x", inputShape)
                    .initializer("w", gaussians(random, shape.m() * shape.k()), shape.channels(), shape.channels(), 3, 3)
                    .attributeList("kernel_shape", 3, 3).attributeList("pads", 1, 1, 1, 1)
                    .attributeList("strides", 1, 1);
        } else {
            inputShape = new long[] {shape.m(), shape.k()};
            model = new OnnxSingleNode("Gemm", "x", inputShape)
                    .initializer("w", gaussians(random, shape.n() * shape.k()), shape.n(), shape.k())
                    .initializer("b", gaussians(random, shape.n()), shape.n())
                    .attribute("transB", 1);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            int inputSize = Math.toIntExact(Stream.of(inputShape).flatMapToLong(Arrays::stream).reduce(1, (p, d) -> p * d));
            try (OrtSession session = env.createSession(model.toBytes(), options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(gaussians(random, inputSize)), inputShape)) {
                Map<String, OnnxTensor> feed = Map.of("x", x);
                return Timing.median(OrtRuns.of(session, feed), 3, 5, 400, budget);
            }
        }
    }

    private static float[] gaussians(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
