package org.torchcl.examples.bench;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.torchcl.Device;
import org.torchcl.Generator;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * Uniform random numbers per second ({@code Torch.rand}'s kernel filling a preallocated tensor)
 * against the device's own write bandwidth (a fill of the same tensor) and the peer's
 * {@code rand} and fill in the same run.
 *
 * <pre>RngBench [--device D] [--count N] [--json FILE]</pre>
 */
public final class RngBench {

    private RngBench() {
    }

    static final Usage USAGE = Usage.of("RngBench",
            "Torch.rand's uniform numbers per second against the device's fill bandwidth and the peer's.")
            .integer("--count", "N", 1, "numbers per draw (default 2^28 on a GPU, 2^26 elsewhere)")
            .text("--json", "FILE", "also write the table as JSON");

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        List<Device> devices = line.devicesOrAll();
        Progress progress = new Progress(System.out, devices.size() * 3);
        Report report = new Report("Torch.rand and fill throughput");
        // The peers go first: once an OpenCL driver such as PoCL has run, its idle worker threads
        // can still take CPU time from a process started after it.
        Map<Device, Optional<Peer.Measurement>> peers = new LinkedHashMap<>();
        for (Device device : devices) {
            int count = count(rest, device);
            progress.step(device + " peer");
            peers.put(device, Peer.measure(SgemmBench.peerKind(device), 2, 5,
                    List.of(request("rand", count), request("fill", count))));
        }
        for (Device device : devices) {
            int count = count(rest, device);
            Optional<Peer.Measurement> peer = peers.get(device);
            progress.step(device + " rand of " + count);
            Generator generator = new Generator(1);
            try (Tensor t = Torch.empty(device, count)) {
                Timing.Result rand = Timing.median(() -> timed(t, () -> t.fillUniform(0f, 1f, generator)), 2, 5, 20, 2.0);
                progress.step(device + " fill of " + count);
                Timing.Result fill = Timing.median(() -> timed(t, () -> t.fill(1f)), 2, 5, 20, 2.0);
                double randPerSecond = count / rand.seconds() / 1e9;
                double fillBytesPerSecond = count * 4.0 / fill.seconds() / 1e9;
                report.add(new Report.Row(device.toString(), "rand (Gsamples/s)", randPerSecond, "G/s", rand.runs(),
                        peer.map(p -> count / p.seconds().get(0) / 1e9).orElse(null),
                        peer.map(Peer.Measurement::name).orElse(null)));
                report.add(new Report.Row(device.toString(), "fill (GB/s written)", fillBytesPerSecond, "GB/s",
                        fill.runs(), peer.map(p -> count * 4.0 / p.seconds().get(1) / 1e9).orElse(null),
                        peer.map(Peer.Measurement::name).orElse(null)));
                report.add(new Report.Row(device.toString(), "rand bytes / fill bandwidth",
                        randPerSecond * 4 / fillBytesPerSecond, "x", rand.runs(), null, null));
            }
        }
        progress.finish();
        report.print(System.out);
        report.writeJsonIfAsked(rest);
    }

    private static int count(List<String> args, Device device) {
        return CommandLine.intOption(args, "--count", device.isGpu() ? 1 << 28 : 1 << 26);
    }

    /** Wall clock from the call to the end of the work on {@code t}'s device. */
    private static double timed(Tensor t, Runnable op) {
        long start = System.nanoTime();
        op.run();
        t.device().synchronize();
        return Timing.since(start);
    }

    private static Map<String, Object> request(String op, int count) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("op", op);
        fields.put("count", count);
        return fields;
    }
}
