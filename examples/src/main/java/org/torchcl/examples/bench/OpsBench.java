package org.torchcl.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;

/**
 * Memory-bound tensor ops in GB/s (bytes each op must read and write, over its median time):
 * elementwise add (same shape and a row broadcast), gelu, softmax and layer norm on rows of a
 * model's widths, a last-dim sum, and transpose + contiguous, next to the device's own copy
 * bandwidth and PyTorch on the same device in the same run.
 *
 * <pre>OpsBench [--device D] [--json FILE]</pre>
 */
public final class OpsBench {

    /** One case: a PyTorch-side name, a [rows, cols] input, the bytes it moves, and the torchcl op. */
    private record Case(String label, String peerOp, int rows, int cols, long bytes, Function<Inputs, Tensor> op) {
    }

    /** The tensors a case may read, made once per case. */
    private record Inputs(Tensor x, Tensor y, Tensor row, Tensor weight, Tensor bias) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
            y.close();
            row.close();
            weight.close();
            bias.close();
        }
    }

    private static final int N = 1 << 24;

    private OpsBench() {
    }

    static List<Case> cases() {
        long f = Float.BYTES;
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("copy 2^24 (bandwidth)", "copy", 4096, 4096, 2 * f * N, in -> in.x().copy()));
        cases.add(new Case("add 2^24, same shape", "add", 4096, 4096, 3 * f * N, in -> in.x().add(in.y())));
        cases.add(new Case("add 4096x4096 + row", "add_bcast", 4096, 4096, 2 * f * N, in -> in.x().add(in.row())));
        cases.add(new Case("gelu 2^24", "gelu", 4096, 4096, 2 * f * N, in -> in.x().gelu()));
        cases.add(new Case("softmax rows of 384", "softmax", N / 384, 384, 2 * f * (N / 384) * 384,
                in -> in.x().softmax(-1)));
        cases.add(new Case("softmax rows of 30522", "softmax", N / 30522, 30522, 2 * f * (N / 30522) * 30522,
                in -> in.x().softmax(-1)));
        cases.add(new Case("layerNorm rows of 384", "layernorm", N / 384, 384, 2 * f * (N / 384) * 384,
                in -> Torch.layerNorm(in.x(), new int[] {in.x().shape(1)}, in.weight(), in.bias(), 1e-5)));
        cases.add(new Case("layerNorm rows of 4096", "layernorm", 4096, 4096, 2 * f * N,
                in -> Torch.layerNorm(in.x(), new int[] {in.x().shape(1)}, in.weight(), in.bias(), 1e-5)));
        cases.add(new Case("sum over the last dim", "sum", 4096, 4096, f * N, in -> in.x().sum(-1)));
        cases.add(new Case("transpose+contiguous 4096^2", "transpose", 4096, 4096, 2 * f * N,
                OpsBench::transposed));
        return cases;
    }

    static final Usage USAGE = Usage.of("OpsBench",
            "Memory-bound tensor ops in GB/s next to the device copy bandwidth and the peer.")
            .text("--json", "FILE", "also write the table as JSON");

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<Device> devices = line.devicesOrAll();
        List<Case> cases = cases();
        Progress progress = new Progress(System.out, devices.size() * (cases.size() + 1));
        Report report = new Report("Tensor ops, GB/s moved (bytes read + written / median time)");
        // The peers go first: PoCL's idle worker threads can take CPU time from a process started after it.
        Map<Device, Optional<Peer.Measurement>> peers = new LinkedHashMap<>();
        for (Device device : devices) {
            progress.step(device + " peer");
            peers.put(device, Peer.measure(SgemmBench.peerKind(device), 3, 10,
                    cases.stream().map(OpsBench::request).toList()));
        }
        for (Device device : devices) {
            Optional<Peer.Measurement> peer = peers.get(device);
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                progress.step(device + " " + c.label());
                try (Inputs in = inputs(device, c)) {
                    Timing.Result result = Timing.median(() -> timed(device, () -> c.op().apply(in)), 3, 5, 30, 2.0);
                    double gbps = c.bytes() / result.seconds() / 1e9;
                    int index = i;
                    report.add(new Report.Row(device.toString(), c.label(), gbps, "GB/s", result.runs(),
                            peer.map(p -> p.seconds().get(index)).map(s -> c.bytes() / s / 1e9).orElse(null),
                            peer.map(Peer.Measurement::name).orElse(null)));
                }
            }
        }
        progress.finish();
        report.print(System.out);
        report.writeJsonIfAsked(line.rest());
    }

    /** The transposed copy of x; the view is closed at once rather than left to the leak detector. */
    private static Tensor transposed(Inputs in) {
        try (Tensor view = in.x().transpose(0, 1)) {
            return view.contiguous();
        }
    }

    private static Inputs inputs(Device device, Case c) {
        Torch.manualSeed(7);
        return new Inputs(Torch.randn(device, c.rows(), c.cols()), Torch.randn(device, c.rows(), c.cols()),
                Torch.randn(device, c.cols()), Torch.randn(device, c.cols()), Torch.randn(device, c.cols()));
    }

    /** Wall clock from the call to the end of the work on the device, the result freed. */
    private static double timed(Device device, java.util.function.Supplier<Tensor> op) {
        long start = System.nanoTime();
        try (Tensor result = op.get()) {
            device.synchronize();
        }
        return Timing.since(start);
    }

    private static Map<String, Object> request(Case c) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("op", c.peerOp());
        fields.put("rows", c.rows());
        fields.put("cols", c.cols());
        return fields;
    }
}
