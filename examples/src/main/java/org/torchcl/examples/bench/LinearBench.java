package org.torchcl.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Module;

/**
 * What laziness costs. Steady state: a materialized {@code LazyLinear(4096)} against
 * {@code Linear(4096, 4096)}, forward passes timed alternately (wall clock to a finished queue,
 * median), reported as the ratio of their times. First forward: a fresh JVM times LazyLinear's
 * first call (weight allocation, the init kernel, kernel builds, the product) with an empty kernel
 * cache, then again with the cache the first JVM left.
 *
 * <pre>LinearBench [--device D] [--batches 1,64] [--runs 200] [--budget SECONDS] [--json FILE]</pre>
 */
public final class LinearBench {

    static final int FEATURES = 4096;
    private static final String FIRST_FORWARD = "--first-forward-child";

    private LinearBench() {
    }

    static final Usage USAGE = Usage.of("LinearBench",
            "What laziness costs: LazyLinear(4096) against Linear(4096, 4096), steady state and first forward.")
            .integers("--batches", "B,B,...", 1, "batch sizes (default 1,64)")
            .integer("--runs", "N", 1, "forward passes per timing (default 200)")
            .number("--budget", "SECONDS", 0, "measured time per case (default 10)")
            .text("--json", "FILE", "also write the table as JSON")
            .flag(FIRST_FORWARD, "(internal) the child JVM that times one first forward");

    public static void main(String[] args) throws IOException, InterruptedException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        if (rest.contains(FIRST_FORWARD)) {
            firstForwardChild(line.device(), System.out);
            return;
        }
        List<Device> devices = line.devicesOrAll();
        int[] batches = CommandLine.option(rest, "--batches")
                .map(s -> Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray()).orElse(new int[] {1, 64});
        int runs = CommandLine.intOption(rest, "--runs", 200);
        double budget = CommandLine.option(rest, "--budget").map(Double::parseDouble).orElse(10.0);
        Progress progress = new Progress(System.out, devices.size() * (batches.length + 2));
        Report report = new Report("LazyLinear vs Linear, 4096 -> 4096");
        for (Device device : devices) {
            for (int batch : batches) {
                progress.step(device + " steady state, batch " + batch);
                steadyState(device, batch, runs, budget, report);
            }
            progress.step(device + " first forward, cold kernel cache");
            Path cache = Files.createTempDirectory("torchcl-cache");
            double cold = firstForwardInChild(device, cache);
            progress.step(device + " first forward, warm kernel cache");
            double warm = firstForwardInChild(device, cache);
            report.add(new Report.Row(device.toString(), "first forward, cold cache (ms)", cold, "ms", 1, null, null));
            report.add(new Report.Row(device.toString(), "first forward, warm cache (ms)", warm, "ms", 1, null, null));
        }
        progress.finish();
        report.print(System.out);
        report.writeJsonIfAsked(rest);
    }

    /** Alternates the two layers' forwards: {@code runs} pairs, or fewer (at least 5) once {@code budget} s are spent. */
    private static void steadyState(Device device, int batch, int runs, double budget, Report report) {
        LinearOptions options = LinearOptions.defaults().withDevice(device);
        Torch.manualSeed(0);
        try (Linear linear = new Linear(FEATURES, FEATURES, options);
             LazyLinear lazy = new LazyLinear(FEATURES, options);
             Tensor x = Torch.randn(device, batch, FEATURES)) {
            lazy.initialize(batch, FEATURES);
            double warmed = 0;
            for (int i = 0; i < 20 && warmed < Timing.WARMUP_SECONDS; i++) {
                warmed += forwardSeconds(linear, x) + forwardSeconds(lazy, x);
            }
            double[] linearTimes = new double[runs];
            double[] lazyTimes = new double[runs];
            double spent = 0;
            int done = 0;
            while (done < runs && (done < 5 || spent < budget)) {
                linearTimes[done] = forwardSeconds(linear, x);
                lazyTimes[done] = forwardSeconds(lazy, x);
                spent += linearTimes[done] + lazyTimes[done];
                done++;
            }
            double linearMedian = median(Arrays.copyOf(linearTimes, done));
            double lazyMedian = median(Arrays.copyOf(lazyTimes, done));
            // The ratio column is LazyLinear's time over Linear's: 1.00 means laziness costs nothing.
            report.add(new Report.Row(device.toString(), "steady forward, batch " + batch + " (us; Lazy/Linear)",
                    lazyMedian * 1e6, "us", done, linearMedian * 1e6, "Linear(4096, 4096) in the same run"));
        }
    }

    private static double forwardSeconds(Module layer, Tensor x) {
        long start = System.nanoTime();
        try (Tensor y = layer.forward(x)) {
            y.device().synchronize();
        }
        return Timing.since(start);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** In the child JVM: the device is ready, the input is zeros (no kernel), then LazyLinear's first forward. */
    private static void firstForwardChild(Device device, PrintStream out) {
        device.memoryStats();
        try (Tensor x = Torch.zeros(device, 64, FEATURES);
             LazyLinear lazy = new LazyLinear(FEATURES, LinearOptions.defaults().withDevice(device))) {
            long start = System.nanoTime();
            try (Tensor y = lazy.forward(x)) {
                y.device().synchronize();
            }
            out.println("first-forward-ms " + Timing.since(start) * 1e3);
        }
    }

    private static double firstForwardInChild(Device device, Path cache) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtorchcl.cache.dir=" + cache, "-cp", System.getProperty("java.class.path"),
                LinearBench.class.getName(), "--device", device.spec(), FIRST_FORWARD));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        // Only torchcl's cache may be warm: PoCL's and NVIDIA's own compile caches start empty or off.
        builder.environment().put("POCL_CACHE_DIR", Files.createTempDirectory("pocl-cache").toString());
        builder.environment().put("CUDA_CACHE_DISABLE", "1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("the first-forward child failed: " + output);
        }
        return output.lines().filter(l -> l.startsWith("first-forward-ms ")).findFirst()
                .map(l -> Double.parseDouble(l.substring("first-forward-ms ".length())))
                .orElseThrow(() -> new IllegalStateException("no timing from the child: " + output));
    }
}
