package org.torchcl.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * Small-op throughput from several threads sharing a device: each thread runs {@code relu} on its own
 * 256-float tensor (an allocation, a kernel launch and a free per op), the way a service's request
 * threads share one model. Measures what per-op overhead and kernel-object sharing cost.
 *
 * <pre>LaunchBench [--device D] [--threads 1,8] [--ops 4000]</pre>
 */
public final class LaunchBench {

    private LaunchBench() {
    }

    static final Usage USAGE = Usage.of("LaunchBench",
            "Small-op throughput from several threads sharing a device.")
            .integers("--threads", "T,T,...", 1, "thread counts (default 1,8)")
            .integer("--ops", "N", 1, "ops per thread (default 4000)");

    public static void main(String[] args) throws Exception {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        List<Device> devices = line.devicesOrAll();
        int ops = CommandLine.intOption(rest, "--ops", 4000);
        int[] threadCounts = CommandLine.option(rest, "--threads")
                .map(s -> java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray())
                .orElse(new int[] {1, 8});
        Report report = new Report("small ops per second from several threads");
        for (Device device : devices) {
            for (int threads : threadCounts) {
                Timing.Result result = Timing.median(() -> round(device, threads, ops), 1, 5, 5, 2.0);
                report.add(new Report.Row(device.toString(), threads + " threads x relu[256]",
                        threads * (double) ops / result.seconds() / 1e3, "kops/s", result.runs(), null, null));
            }
        }
        report.print(System.out);
    }

    private static double round(Device device, int threads, int ops) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Tensor> inputs = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                inputs.add(Torch.rand(device, 256));
            }
            device.synchronize();
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            List<Future<?>> work = new ArrayList<>();
            for (Tensor x : inputs) {
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < ops; i++) {
                        x.relu().close();
                    }
                    return null;
                }));
            }
            start.await();
            long begin = System.nanoTime();
            for (Future<?> f : work) {
                f.get();
            }
            device.synchronize();
            return Timing.since(begin);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
            inputs.forEach(Tensor::close);
        }
    }
}
