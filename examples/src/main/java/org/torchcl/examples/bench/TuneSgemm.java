package org.torchcl.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.torchcl.Device;
import org.torchcl.Generator;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.opencl.GemmConfig;
import org.torchcl.backend.opencl.OpenClBackend;
import org.torchcl.backend.opencl.OpenClException;
import org.torchcl.examples.CommandLine;

/**
 * Searches the sgemm tile configurations ({@link GemmConfig#candidates()}) on each OpenCL device,
 * checks each one's result against the current configuration's, times it (profiling events,
 * median), and stores the fastest in the kernel cache directory, where every later JVM picks it up.
 *
 * <pre>TuneSgemm [--device opencl:N] [--size N] [--dry-run]</pre>
 */
public final class TuneSgemm {

    private TuneSgemm() {
    }

    record Trial(GemmConfig config, double gflops, String failure) {
    }

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parse(args);
        List<String> rest = line.rest();
        List<Device> devices = line.explicitDevice().map(List::of)
                .orElse(Device.available().stream().filter(Device::isOpenCl).toList());
        if (devices.isEmpty() || devices.stream().anyMatch(d -> !d.isOpenCl())) {
            System.err.println("TuneSgemm: tunes OpenCL devices; found " + Device.available());
            System.exit(2);
        }
        for (Device device : devices) {
            OpenClBackend backend = (OpenClBackend) device.backend();
            int n = CommandLine.intOption(rest, "--size", device.isGpu() ? 4096 : 512);
            List<Trial> trials = tune(backend, n);
            trials.sort(Comparator.comparingDouble(Trial::gflops).reversed());
            System.out.printf(Locale.ROOT, "== sgemm tuning on %s, n=%d (was %s) ==%n", device, n, backend.gemmConfig());
            trials.stream().limit(10).forEach(t -> System.out.printf(Locale.ROOT, "%-20s %10.1f GFLOP/s%n",
                    t.config(), t.gflops()));
            trials.stream().filter(t -> t.failure() != null)
                    .forEach(t -> System.out.println("skipped " + t.config() + ": " + t.failure()));
            Trial best = trials.get(0);
            if (best.failure() == null) {
                backend.useGemmConfig(best.config(), !rest.contains("--dry-run"));
            }
        }
    }

    static List<Trial> tune(OpenClBackend backend, int n) {
        List<GemmConfig> candidates = GemmConfig.candidates().stream().filter(c -> c.fits(backend.info())).toList();
        GemmShape shape = GemmShape.of(n, n, n);
        long elements = (long) n * n;
        Buffer a = backend.allocate(elements);
        Buffer b = backend.allocate(elements);
        Buffer c = backend.allocate(elements);
        Buffer expected = backend.allocate(elements);
        try {
            Generator generator = new Generator(7);
            backend.uniform(a, elements, generator.reserve(elements), -1f, 2f);
            backend.uniform(b, elements, generator.reserve(elements), -1f, 2f);
            backend.gemm(shape, a, b, null, expected);
            float[] reference = new float[(int) elements];
            backend.read(expected, reference, reference.length);
            Progress progress = new Progress(System.out, candidates.size());
            List<Trial> trials = new ArrayList<>();
            for (GemmConfig config : candidates) {
                progress.step(backend.device() + " " + config);
                trials.add(trial(backend, config, shape, a, b, c, reference));
            }
            progress.finish();
            return trials;
        } finally {
            for (Buffer buffer : List.of(a, b, c, expected)) {
                backend.free(buffer);
            }
        }
    }

    private static Trial trial(OpenClBackend backend, GemmConfig config, GemmShape shape, Buffer a, Buffer b, Buffer c,
                               float[] reference) {
        try {
            Timing.Result result = Timing.median(() -> backend.timeGemm(shape, a, b, null, c, config) / 1e9, 1, 3, 5, 1.0);
            float[] got = new float[reference.length];
            backend.read(c, got, got.length);
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - reference[i]) / (1 + Math.abs(reference[i])));
            }
            if (worst > 1e-3) {
                return new Trial(config, 0, "result differs from the current configuration's by " + worst);
            }
            return new Trial(config, shape.flops() / result.seconds() / 1e9, null);
        } catch (OpenClException e) {
            return new Trial(config, 0, e.statusName() + " in " + e.call());
        }
    }
}
