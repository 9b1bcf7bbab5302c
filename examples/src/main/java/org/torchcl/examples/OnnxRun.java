package org.torchcl.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;
import org.torchcl.onnx.OnnxModel;
import org.torchcl.onnx.OnnxTensorInfo;

/**
 * Any .onnx file through {@link OnnxModel}: prints the graph's inputs and outputs (symbolic dims by
 * name), what loading folded and fused, then runs it on the given inputs or on seeded random ones
 * and prints each output's shape and a summary, the time of the first run and the median of the
 * following ones, and the run's peak device memory.
 *
 * <pre>
 * OnnxRun --model FILE.onnx [--device D] [--inputs FILE.safetensors] [--dim NAME=SIZE ...] [--runs R]
 *         [--int-max N] [--int-max INPUT=N ...] [--seed S]
 * </pre>
 *
 * {@code --inputs} gives tensors by graph input name (e.g. what {@code SentenceEmbeddings --out}
 * writes). Otherwise random inputs are made: float inputs from N(0, 1), integer inputs uniform in
 * {@code [0, --int-max)} (default 100, or per input {@code --int-max token_type_ids=2}: token ids
 * need a bound below the vocabulary), bools at
 * random; each symbolic dim is 1 unless {@code --dim NAME=SIZE} sets it (e.g. {@code --dim
 * sequence_length=128}).
 */
public final class OnnxRun {

    static final String NAME = "OnnxRun";
    private static final Set<String> OPTIONS = Set.of("--model", "--inputs", "--dim", "--runs", "--int-max", "--seed");
    /** The key of the --int-max bound for inputs not named. */
    private static final String DEFAULT_BOUND = "";

    private OnnxRun() {
    }

    record Options(Path model, Path inputs, Map<String, Integer> dims, int runs, Map<String, Integer> intMax,
                   long seed) {

        static Options parse(List<String> args) {
            ResNetInference.checkKnown(args, OPTIONS, Set.of());
            Path model = CommandLine.option(args, "--model").map(Path::of)
                    .orElseThrow(() -> new IllegalArgumentException("--model FILE.onnx is required"));
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("--model: no such file " + model.toAbsolutePath());
            }
            Path inputs = CommandLine.option(args, "--inputs").map(Path::of).orElse(null);
            if (inputs != null && !Files.isRegularFile(inputs)) {
                throw new IllegalArgumentException("--inputs: no such file " + inputs.toAbsolutePath());
            }
            Map<String, Integer> dims = named(args, "--dim", "NAME=SIZE", null);
            Map<String, Integer> intMax = named(args, "--int-max", "N or INPUT=N", DEFAULT_BOUND);
            return new Options(model, inputs, dims, ResNetInference.positive(args, "--runs", 5), intMax,
                    CommandLine.intOption(args, "--seed", 0));
        }

        /** Every {@code option NAME=VALUE}; a bare {@code option VALUE} is stored under {@code fallbackKey}. */
        private static Map<String, Integer> named(List<String> args, String option, String form, String fallbackKey) {
            Map<String, Integer> values = new HashMap<>();
            for (int i = 0; i < args.size(); i++) {
                if (!args.get(i).equals(option)) {
                    continue;
                }
                String value = i + 1 < args.size() ? args.get(i + 1) : "";
                String[] pair = value.split("=", 2);
                try {
                    int number = Integer.parseInt(pair[pair.length - 1]);
                    if (number < 1 || (pair.length == 1 && fallbackKey == null)) {
                        throw new NumberFormatException();
                    }
                    values.put(pair.length == 2 ? pair[0] : fallbackKey, number);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(option + " needs " + form + " with a positive number, got '"
                            + value + "'");
                }
            }
            return values;
        }
    }

    static final Usage USAGE = Usage.of(NAME, "runs any .onnx file on random or given inputs, with timing and peak"
            + " device memory.")
            .text("--model", "FILE.onnx", "the model (required)")
            .text("--inputs", "FILE.safetensors", "tensors by graph input name (default: random inputs)")
            .text("--dim", "NAME=SIZE", "the size of a symbolic dim (repeatable; default 1)")
            .integer("--runs", "R", 1, "timed runs after the first (default 5)")
            .text("--int-max", "N|INPUT=N", "bound of random integer inputs, for all or one input (repeatable;"
                    + " default 100)")
            .integer("--seed", "S", 0, "seed of the random inputs (default 0)");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, Options::parse, (device, out, options) -> run(device, out, options));
    }

    static void run(Device device, PrintStream out, List<String> args) {
        run(device, out, Options.parse(args));
    }

    static void run(Device device, PrintStream out, Options options) {
        CommandLine.header(out, NAME, device);
        long start = System.nanoTime();
        try (OnnxModel model = OnnxModel.load(options.model(), device);
             LoadedTensors given = options.inputs() == null ? null : Safetensors.load(options.inputs(), device)) {
            out.printf(Locale.ROOT, "model: %s, opset %d, loaded in %.2f s: %d ops to run (%d nodes folded at load,"
                    + " fused %s)%n", options.model().getFileName(), model.opsetVersion(),
                    (System.nanoTime() - start) / 1e9, model.stepCount(), model.foldedNodeCount(), model.fusedSubgraphs());
            model.inputs().forEach(info -> out.println("input  " + info));
            model.outputs().forEach(info -> out.println("output " + info));
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            try {
                Random random = new Random(options.seed());
                for (OnnxTensorInfo info : model.inputs()) {
                    if (given != null) {
                        Tensor t = given.get(info.name());
                        if (t == null) {
                            throw new IllegalArgumentException("--inputs has no tensor \"" + info.name() + "\"; it holds "
                                    + given.keySet());
                        }
                        feeds.put(info.name(), t.expand(t.shape()));
                    } else {
                        feeds.put(info.name(), random(device, info, options, random));
                    }
                    out.println("feed   " + info.name() + " " + Arrays.toString(feeds.get(info.name()).shape())
                            + (given == null ? " (random)" : " (given)"));
                }
                double first = 0;
                List<Double> times = new ArrayList<>();
                Map<String, Tensor> last = null;
                for (int r = 0; r <= options.runs(); r++) {
                    if (last != null) {
                        last.values().forEach(Tensor::close);
                    }
                    long t = System.nanoTime();
                    last = model.run(feeds);
                    device.synchronize();
                    double seconds = (System.nanoTime() - t) / 1e9;
                    if (r == 0) {
                        first = seconds;
                    } else {
                        times.add(seconds);
                    }
                }
                for (Map.Entry<String, Tensor> output : last.entrySet()) {
                    out.println("result " + output.getKey() + " " + summary(output.getValue()));
                }
                last.values().forEach(Tensor::close);
                times.sort(null);
                out.printf(Locale.ROOT, "time: first run %.1f ms, median of %d more %.1f ms; peak %.1f MiB of"
                        + " intermediates and outputs%n", first * 1e3, times.size(), times.get(times.size() / 2) * 1e3,
                        model.lastRunPeakBytes() / 1048576.0);
            } finally {
                feeds.values().forEach(Tensor::close);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tensor random(Device device, OnnxTensorInfo info, Options options, Random random) {
        int[] shape = new int[info.shape() == null ? 0 : info.shape().size()];
        for (int d = 0; d < shape.length; d++) {
            OnnxTensorInfo.Dim dim = info.shape().get(d);
            shape[d] = dim.isFixed() ? dim.size() : options.dims().getOrDefault(dim.symbol(), 1);
        }
        int n = Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b));
        if (info.dtype().isFloatingPoint()) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = (float) random.nextGaussian();
            }
            try (Tensor floats = Torch.tensor(device, values, n); Tensor shaped = floats.reshape(shape)) {
                return shaped.to(info.dtype());
            }
        }
        if (info.dtype() == DType.BOOL) {
            boolean[] values = new boolean[n];
            for (int i = 0; i < n; i++) {
                values[i] = random.nextBoolean();
            }
            try (Tensor flat = Torch.tensor(device, values, n)) {
                return flat.reshape(shape);
            }
        }
        int bound = options.intMax().getOrDefault(info.name(), options.intMax().getOrDefault(DEFAULT_BOUND, 100));
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextInt(bound);
        }
        try (Tensor longs = Torch.tensor(device, values, n); Tensor shaped = longs.reshape(shape)) {
            return shaped.to(info.dtype());
        }
    }

    private static String summary(Tensor t) {
        String head = t.dtype() + Arrays.toString(t.shape());
        if (t.numel() == 0) {
            return head;
        }
        try (Tensor f = t.to(DType.FLOAT32)) {
            float[] v = f.toArray();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
                sum += x;
            }
            StringBuilder firsts = new StringBuilder();
            for (int i = 0; i < Math.min(4, v.length); i++) {
                firsts.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g", v[i]));
            }
            return String.format(Locale.ROOT, "%s min %.4g max %.4g mean %.4g, first [%s%s]", head, min, max,
                    sum / v.length, firsts, v.length > 4 ? ", ..." : "");
        }
    }
}
