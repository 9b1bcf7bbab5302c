package org.torchcl.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.torchcl.Device;
import org.torchcl.backend.GemmShape;

/** Entry points for the examples' tests: the benchmarks at toy sizes, and the peer protocol. */
public final class BenchAccess {

    private BenchAccess() {
    }

    /** SgemmBench at n=32 and one M=1 Linear shape, no peer; returns the printed table. */
    public static String tinySgemmBench(List<Device> devices, Path json, PrintStream log) throws IOException {
        Report report = SgemmBench.run(devices, Optional.of(new int[] {32}), new int[] {1}, 0.01, false, log);
        report.writeJson(json);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        report.print(new PrintStream(table, true, StandardCharsets.UTF_8));
        return table.toString(StandardCharsets.UTF_8);
    }

    /** The number of result rows in a printed table. */
    public static int rows(String table) {
        return (int) table.lines().filter(l -> l.contains("GFLOP/s") && !l.startsWith("==")).count();
    }

    /** The number of rows SgemmPlot reads back from a JSON table. */
    public static int rowsReadBack(Path json) throws IOException {
        return SgemmPlot.read(json).rows().size();
    }

    public static Peer.Measurement parsePeer(String answer) {
        return Peer.parse(answer);
    }

    /** The CPU peer on one 64^3 product and one fill of 1000 floats; empty without a Python peer. */
    public static Optional<Peer.Measurement> cpuPeerOnAProductAndAFill() {
        return Peer.measure("cpu", 0, 1, List.of(
                new SgemmBench.Case("square n=64", GemmShape.of(64, 64, 64), true).peerRequest(),
                Map.of("op", "fill", "count", 1000)));
    }
}
