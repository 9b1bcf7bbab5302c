package org.torchcl.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.torchcl.Device;
import org.torchcl.GemmProbe;
import org.torchcl.backend.GemmShape;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * float32 matrix multiply throughput per device against the peer in the same run: square
 * {@code n x n x n} products and the Linear-shaped {@code x[M, 4096] * W[4096, 4096]^T}.
 *
 * <pre>
 * SgemmBench [--device D] [--sizes 256,512,...] [--batches 1,8,64,512,4096] [--budget SECONDS]
 *            [--json FILE] [--plot FILE.png] [--no-peer]
 * </pre>
 *
 * OpenCL devices are timed by the kernel's profiling event, the CPU backend by the monotonic clock
 * around the (synchronous) call; each figure is the median of repeated runs after a warm-up.
 */
public final class SgemmBench {

    static final int LINEAR_FEATURES = 4096;

    private SgemmBench() {
    }

    /** One product to time. */
    record Case(String name, GemmShape shape, boolean square) {

        Map<String, Object> peerRequest() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("op", "gemm");
            fields.put("m", shape.m());
            fields.put("n", shape.n());
            fields.put("k", shape.k());
            fields.put("transB", shape.transB());
            return fields;
        }
    }

    static final Usage USAGE = Usage.of("SgemmBench",
            "sgemm GFLOP/s, square and Linear-shaped, against the peer BLAS in the same run.")
            .integers("--sizes", "N,N,...", 1, "square sizes (default: by device)")
            .integers("--batches", "B,B,...", 1, "Linear(4096) batch sizes (default 1,8,64,512,4096)")
            .number("--budget", "SECONDS", 0, "measured time per case (default 5)")
            .text("--json", "FILE", "also write the table as JSON")
            .text("--plot", "FILE.png", "also draw GFLOP/s against n")
            .flag("--no-peer", "do not run the peer (numpy or PyTorch)");

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        List<Device> devices = line.devicesOrAll();
        Optional<int[]> sizes = CommandLine.option(rest, "--sizes").map(SgemmBench::ints);
        int[] batches = CommandLine.option(rest, "--batches").map(SgemmBench::ints).orElse(new int[] {1, 8, 64, 512, 4096});
        double budget = CommandLine.option(rest, "--budget").map(Double::parseDouble).orElse(5.0);
        Report report = run(devices, sizes, batches, budget, !CommandLine.flag(rest, "--no-peer"), System.out);
        report.print(System.out);
        report.writeJsonIfAsked(rest);
        if (CommandLine.option(rest, "--plot").isPresent()) {
            SgemmPlot.write(report, Path.of(CommandLine.option(rest, "--plot").get()));
        }
    }

    /** The square sizes worth timing on {@code device}: large ones only where they finish in seconds. */
    static int[] defaultSizes(Device device) {
        if (device.isGpu()) {
            return new int[] {256, 512, 1024, 2048, 4096, 8192};
        }
        return device.isCpu() ? new int[] {256, 512, 1024, 2048} : new int[] {256, 512, 1024};
    }

    static List<Case> cases(Device device, Optional<int[]> sizes, int[] batches) {
        List<Case> cases = new ArrayList<>();
        for (int n : sizes.orElse(defaultSizes(device))) {
            cases.add(new Case("square n=" + n, GemmShape.of(n, n, n), true));
        }
        for (int m : batches) {
            cases.add(new Case("linear M=" + m + " (x*W^T, 4096->4096)",
                    GemmShape.of(m, LINEAR_FEATURES, LINEAR_FEATURES).withTransB(true), false));
        }
        return cases;
    }

    static Report run(List<Device> devices, Optional<int[]> sizes, int[] batches, double budget, boolean withPeer,
                      PrintStream log) {
        Map<Device, List<Case>> plan = new LinkedHashMap<>();
        devices.forEach(d -> plan.put(d, cases(d, sizes, batches)));
        List<String> peerKinds = withPeer ? peerKinds(devices) : List.of();
        Progress progress = new Progress(log, plan.values().stream().mapToInt(List::size).sum() + peerKinds.size());
        // The peer goes first: once an OpenCL driver such as PoCL has run, its idle worker threads
        // can still take CPU time from a process started after it.
        Map<String, PeerFigures> peers = new LinkedHashMap<>();
        for (String kind : peerKinds) {
            progress.step("peer on " + kind);
            Map<String, Case> union = new LinkedHashMap<>();
            devices.stream().filter(d -> peerKind(d).equals(kind))
                    .forEach(d -> plan.get(d).forEach(c -> union.putIfAbsent(c.name(), c)));
            List<Case> asked = List.copyOf(union.values());
            Peer.measure(kind, 2, 5, asked.stream().map(Case::peerRequest).toList()).ifPresent(m -> {
                Map<String, Double> byCase = new LinkedHashMap<>();
                for (int i = 0; i < asked.size(); i++) {
                    byCase.put(asked.get(i).name(), m.seconds().get(i));
                }
                peers.put(kind, new PeerFigures(m.name(), byCase));
            });
        }
        Map<Device, double[]> seconds = new LinkedHashMap<>();
        Map<Device, int[]> runs = new LinkedHashMap<>();
        plan.forEach((device, cases) -> {
            double[] times = new double[cases.size()];
            int[] counts = new int[cases.size()];
            for (int i = 0; i < cases.size(); i++) {
                progress.step(device + " " + cases.get(i).name());
                Timing.Result result = time(device, cases.get(i).shape(), budget);
                times[i] = result.seconds();
                counts[i] = result.runs();
            }
            seconds.put(device, times);
            runs.put(device, counts);
        });
        progress.finish();
        Report report = new Report("sgemm GFLOP/s");
        plan.forEach((device, cases) -> {
            PeerFigures peer = peers.get(peerKind(device));
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Double peerSeconds = peer == null ? null : peer.secondsByCase().get(c.name());
                report.add(new Report.Row(device.toString(), c.name(), gflops(c.shape(), seconds.get(device)[i]),
                        "GFLOP/s", runs.get(device)[i], peerSeconds == null ? null : gflops(c.shape(), peerSeconds),
                        peer == null ? null : peer.name()));
            }
        });
        return report;
    }

    /** The peer's name and its median seconds for each case it ran, by case name. */
    record PeerFigures(String name, Map<String, Double> secondsByCase) {
    }

    /** The peer library for a device: PyTorch CUDA for a GPU, numpy on this CPU otherwise. */
    static String peerKind(Device device) {
        return device.isGpu() ? "cuda" : "cpu";
    }

    private static List<String> peerKinds(List<Device> devices) {
        return devices.stream().map(SgemmBench::peerKind).distinct().toList();
    }

    static double gflops(GemmShape shape, double seconds) {
        return shape.flops() / seconds / 1e9;
    }

    /** Times one product on {@code device} with random operands; the operands are freed afterwards. */
    static Timing.Result time(Device device, GemmShape shape, double budget) {
        try (GemmProbe probe = GemmProbe.open(device, shape.m(), shape.n(), shape.k(), shape.transB(), 42)) {
            return Timing.median(probe::run, 1, 3, 10, budget);
        }
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
