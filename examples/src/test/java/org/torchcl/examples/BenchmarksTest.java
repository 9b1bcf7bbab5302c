package org.torchcl.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.TestDevices;
import org.torchcl.examples.bench.BenchAccess;

/** The benchmark mains stay runnable: a tiny SgemmBench on every device, and the peer's answer format. */
class BenchmarksTest {

    @Test
    void sgemmBenchMeasuresEveryDeviceAndWritesJson(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String table = BenchAccess.tinySgemmBench(TestDevices.all().toList(), dir.resolve("sgemm.json"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        TestDevices.all().forEach(device -> {
            for (String benchCase : new String[] {"square n=32", "linear M=1 (x*W^T, 4096->4096)"}) {
                assertTrue(table.lines().anyMatch(l -> l.startsWith(device + " ") && l.contains(benchCase)
                        && l.contains("GFLOP/s")), device + " " + benchCase + " in\n" + table);
            }
        });
        String json = Files.readString(dir.resolve("sgemm.json"));
        assertTrue(json.contains("\"benchmark\": \"sgemm GFLOP/s\"") && json.contains("\"unit\": \"GFLOP/s\""), json);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("[1/"), "progress lines in non-terminal output");
        assertEquals(BenchAccess.rows(table), BenchAccess.rowsReadBack(dir.resolve("sgemm.json")),
                "the JSON reads back to the same rows, for plotting elsewhere");
    }

    @Test
    void thePeersAnswerIsRead() {
        var measurement = BenchAccess.parsePeer("{\"peer\": \"numpy 1.24.2 (BLAS) on the CPU\", "
                + "\"results\": [0.024, null, 1.5e-05]}");
        assertEquals("numpy 1.24.2 (BLAS) on the CPU", measurement.name());
        assertEquals(Arrays.asList(0.024, null, 1.5e-05), measurement.seconds());
        assertNull(measurement.seconds().get(1));
    }

    @Test
    void thePeerNamesItsBlasAndTimesNoProductOnAReferenceBlas() {
        var measurement = BenchAccess.cpuPeerOnAProductAndAFill();
        assumeTrue(measurement.isPresent(), "no Python with numpy for the peer");
        String name = measurement.get().name();
        assertTrue(name.contains(", BLAS: "), name);
        if (name.contains("BLAS: the reference BLAS")) {
            assertTrue(name.contains("NOT A PEER for sgemm"), name);
            assertNull(measurement.get().seconds().get(0), "no product timed on a reference BLAS");
        } else {
            assertNotNull(measurement.get().seconds().get(0), name);
        }
        assertNotNull(measurement.get().seconds().get(1), "the fill is no BLAS call and is timed anyway");
    }
}
