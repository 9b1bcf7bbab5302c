package org.torchcl.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.models.ResNet;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * ResNet-18 ({@code org.torchcl.models.ResNet}, torchvision's layout and names) classifying image
 * batches: images per second at batch 1 and 32, and, given the reference file that
 * {@code examples/python/make_resnet_golden.py} writes (the models tests leave it in
 * {@code models/target/golden/resnet18.safetensors}), parity with torchvision's logits.
 *
 * <pre>
 * ResNetInference [--device D] [--weights FILE.safetensors] [--batch N] [--size S] [--runs R] [--seed N]
 * </pre>
 *
 * Nothing is downloaded: without {@code --weights} the model keeps its seeded random
 * initialization (throughput does not depend on the values). {@code --weights} takes the golden
 * file (keys {@code model.*}, {@code input}, {@code output}) or a plain torchvision state dict
 * converted to safetensors; the number of classes is read from {@code fc.weight}. The images are
 * seeded random {@code [N, 3, S, S]} batches; {@code --batch} measures one batch size instead of
 * 1 and 32.
 */
public final class ResNetInference {

    static final String NAME = "ResNetInference";
    private static final Logger LOG = LoggerFactory.getLogger(ResNetInference.class);
    private static final Set<String> OPTIONS = Set.of("--weights", "--batch", "--size", "--runs", "--seed");
    private static final int WARM_UP = 1;

    private ResNetInference() {
    }

    /** The parsed command line (without --device). */
    record Options(Path weights, int[] batches, int size, int runs, long seed) {

        static Options parse(List<String> args) {
            checkKnown(args, OPTIONS, Set.of());
            Path weights = CommandLine.option(args, "--weights").map(Path::of).orElse(null);
            if (weights != null && !Files.isRegularFile(weights)) {
                throw new IllegalArgumentException("--weights: no such file " + weights.toAbsolutePath()
                        + " (examples/python/make_resnet_golden.py writes one; the models tests leave it in"
                        + " models/target/golden/resnet18.safetensors)");
            }
            int[] batches = args.contains("--batch")
                    ? new int[] {positive(args, "--batch", 1)}
                    : new int[] {1, 32};
            int size = positive(args, "--size", 224);
            if (size < 32) {
                throw new IllegalArgumentException("--size must be at least 32 (ResNet-18 halves it five times), got " + size);
            }
            int runs = positive(args, "--runs", 5);
            long seed = CommandLine.intOption(args, "--seed", 0);
            return new Options(weights, batches, size, runs, seed);
        }
    }

    static final Usage USAGE = Usage.of(NAME, "ResNet-18 inference: images/s at batch 1 and 32, and parity with torchvision"
            + " when given its weights.")
            .text("--weights", "FILE", "ResNet-18 weights in safetensors (else a seeded random init)")
            .integer("--batch", "N", 1, "one batch size instead of 1 and 32")
            .integer("--size", "S", 1, "the image size, at least 32 (default 224)")
            .integer("--runs", "R", 1, "timed runs per batch size (default 5)")
            .integer("--seed", "N", Integer.MIN_VALUE, "the seed of the random init (default 0)");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, Options::parse, (device, out, options) -> run(device, out, options));
    }

    static void run(Device device, PrintStream out, List<String> args) {
        run(device, out, Options.parse(args));
    }

    static void run(Device device, PrintStream out, Options options) {
        CommandLine.header(out, NAME, device);
        long start = System.nanoTime();
        try (LoadedTensors file = options.weights() == null ? null : Safetensors.load(options.weights(), device)) {
            Map<String, Tensor> state = file == null ? null : stateDict(file);
            int classes = state == null ? 1000 : state.get("fc.weight").shape(0);
            if (state == null) {
                Torch.manualSeed(options.seed());
            }
            try (ResNet model = ResNet.resnet18(classes, device)) {
                if (state == null) {
                    out.printf("weights: seeded random initialization (seed %d), not trained: the logits mean nothing;"
                            + " --weights FILE.safetensors loads real ones%n", options.seed());
                } else {
                    model.loadStateDict(state);
                    out.println("weights: " + options.weights().toAbsolutePath()
                            + (file.metadata().isEmpty() ? "" : " " + file.metadata()));
                }
                model.eval();
                out.printf(Locale.ROOT, "model: ResNet-18, %,d parameters, %d classes (built in %.1f s)%n",
                        model.numParameters(), classes, (System.nanoTime() - start) / 1e9);
                if (file != null && file.containsKey("input") && file.containsKey("output")) {
                    parity(model, file.get("input"), file.get("output"), out);
                } else if (file != null) {
                    out.println("parity: the file has no input/output pair to compare with");
                }
                for (int batch : options.batches()) {
                    throughput(model, device, batch, options, out);
                }
                out.printf(Locale.ROOT, "device memory peak: %.1f MiB%n", device.memoryStats().peakBytes() / 1048576.0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden file's {@code model.*} tensors, or the whole file when it is a plain state dict. */
    private static Map<String, Tensor> stateDict(LoadedTensors file) {
        boolean prefixed = file.keySet().stream().anyMatch(key -> key.startsWith("model."));
        Map<String, Tensor> state = prefixed ? file.withPrefix("model.") : file;
        if (!state.containsKey("fc.weight")) {
            throw new IllegalArgumentException("--weights: no fc.weight (nor model.fc.weight) in the file: not a ResNet-18 state dict");
        }
        return state;
    }

    /** The model's logits against the reference ones, compared on the device. */
    private static void parity(ResNet model, Tensor input, Tensor reference, PrintStream out) {
        int images = input.shape(0);
        float maxDiff;
        float maxRef;
        long agree;
        try (TensorScope scope = TensorScope.open()) {
            Tensor logits = model.forward(input);
            maxDiff = logits.sub(reference).abs().amax().item();
            maxRef = reference.abs().amax().item();
            agree = logits.argmax(1).eq(reference.argmax(1)).sum().itemLong();
        }
        out.printf(Locale.ROOT, "parity with the reference logits on input %s: max |Δ| / max |ref| = %.2e"
                        + " (max |Δ| %.2e, max |ref| %.3g), top-1 agreement %d/%d%n",
                Arrays.toString(input.shape()), maxDiff / maxRef, maxDiff, maxRef, agree, images);
    }

    private static void throughput(ResNet model, Device device, int batch, Options options, PrintStream out) {
        LOG.info("timing batch {} at {}x{}: {} warm-up and {} timed runs", batch, options.size(), options.size(),
                WARM_UP, options.runs());
        double[] seconds = new double[options.runs()];
        Torch.manualSeed(options.seed() + batch);
        try (Tensor images = Torch.randn(device, batch, 3, options.size(), options.size())) {
            for (int run = -WARM_UP; run < seconds.length; run++) {
                long started = System.nanoTime();
                try (Tensor logits = model.forward(images)) {
                    logits.device().synchronize();
                }
                if (run >= 0) {
                    seconds[run] = (System.nanoTime() - started) / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        double median = seconds[seconds.length / 2];
        out.printf(Locale.ROOT, "batch %d [%d, 3, %d, %d]: %.1f images/s (%.1f ms per batch, median of %d runs after %d warm-up)%n",
                batch, batch, options.size(), options.size(), batch / median, median * 1e3, seconds.length, WARM_UP);
    }

    /**
     * Refuses an option not in {@code valued} or {@code flags}, and any bare word: a typo must not
     * silently fall back to a default.
     */
    static void checkKnown(List<String> args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (valued.contains(arg)) {
                i++;
            } else if (!flags.contains(arg)) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; options: --device, "
                        + String.join(", ", valued.stream().sorted().toList())
                        + (flags.isEmpty() ? "" : ", " + String.join(", ", flags.stream().sorted().toList())));
            }
        }
    }

    /** A positive integer option. */
    static int positive(List<String> args, String name, int fallback) {
        int value = CommandLine.intOption(args, name, fallback);
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }
}
