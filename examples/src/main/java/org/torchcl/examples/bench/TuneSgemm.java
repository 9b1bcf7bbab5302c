package org.torchcl.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.torchcl.Device;
import org.torchcl.GemmProbe;
import org.torchcl.backend.opencl.OpenClException;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * Searches the sgemm tile configurations ({@link GemmProbe#tileConfigs}) on each OpenCL device,
 * checks each one's result against the current configuration's, times it (profiling events,
 * median), and stores the fastest in the kernel cache directory, where every later JVM picks it up.
 *
 * <pre>TuneSgemm [--device opencl:N] [--size N] [--dry-run]</pre>
 */
public final class TuneSgemm {

    private TuneSgemm() {
    }

    record Trial(String config, double gflops, String failure) {
    }

    static final Usage USAGE = Usage.of("TuneSgemm",
            "Times every sgemm tile configuration on an OpenCL device and keeps the best.")
            .integer("--size", "N", 1, "the square size to tune on (default 4096 on a GPU, 512 elsewhere)")
            .flag("--dry-run", "use the best configuration in this run only, without saving it");

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        List<Device> devices = line.explicitDevice().map(List::of)
                .orElse(Device.available().stream().filter(Device::isOpenCl).toList());
        if (devices.isEmpty() || devices.stream().anyMatch(d -> !d.isOpenCl())) {
            System.err.println("TuneSgemm: tunes OpenCL devices; found " + Device.available());
            System.exit(2);
        }
        for (Device device : devices) {
            int n = CommandLine.intOption(rest, "--size", device.isGpu() ? 4096 : 512);
            String before = GemmProbe.tileConfig(device);
            List<Trial> trials = tune(device, n);
            trials.sort(Comparator.comparingDouble(Trial::gflops).reversed());
            System.out.printf(Locale.ROOT, "== sgemm tuning on %s, n=%d (was %s) ==%n", device, n, before);
            trials.stream().limit(10).forEach(t -> System.out.printf(Locale.ROOT, "%-20s %10.1f GFLOP/s%n",
                    t.config(), t.gflops()));
            trials.stream().filter(t -> t.failure() != null)
                    .forEach(t -> System.out.println("skipped " + t.config() + ": " + t.failure()));
            Trial best = trials.get(0);
            if (best.failure() == null) {
                GemmProbe.useTileConfig(device, best.config(), !rest.contains("--dry-run"));
            }
        }
    }

    static List<Trial> tune(Device device, int n) {
        List<String> candidates = GemmProbe.tileConfigs(device);
        try (GemmProbe probe = GemmProbe.open(device, n, n, n, false, 7)) {
            probe.run();
            float[] reference = probe.result();
            Progress progress = new Progress(System.out, candidates.size());
            List<Trial> trials = new ArrayList<>();
            for (String config : candidates) {
                progress.step(device + " " + config);
                trials.add(trial(probe, config, reference));
            }
            progress.finish();
            return trials;
        }
    }

    private static Trial trial(GemmProbe probe, String config, float[] reference) {
        try {
            Timing.Result result = Timing.median(() -> probe.run(config), 1, 3, 5, 1.0);
            float[] got = probe.result();
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - reference[i]) / (1 + Math.abs(reference[i])));
            }
            if (worst > 1e-3) {
                return new Trial(config, 0, "result differs from the current configuration's by " + worst);
            }
            return new Trial(config, probe.flops() / result.seconds() / 1e9, null);
        } catch (OpenClException e) {
            return new Trial(config, 0, e.statusName() + " in " + e.call());
        }
    }
}
