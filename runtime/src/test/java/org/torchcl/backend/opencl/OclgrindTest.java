package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every OpenCL kernel under Oclgrind's simulator ({@code apt-get install oclgrind}), which reports
 * out-of-bounds accesses, data races, barrier divergence and API misuse. Runs {@link OclgrindMain}
 * in a child JVM whose ICD loader sees only Oclgrind, and fails on any report in its output. Tagged
 * {@code oclgrind}: the default build excludes it, {@code mvn -Poclgrind} runs only it (see .ci/run).
 */
@Tag("oclgrind")
class OclgrindTest {

    static final String ICD = System.getProperty("oclgrind.icd", "/usr/lib/oclgrind/liboclgrind-rt-icd.so");
    /** What Oclgrind's error reports say; see its docs and src/core/Context.cpp. */
    static final Pattern REPORT = Pattern.compile("Invalid (read|write)|data race|[Dd]ivergence|Uninitialized value"
            + "|Oclgrind - OpenCL runtime error|runtime error detected|Unaligned address|Invalid access|OCLGRIND FATAL"
            + "|^\\s+Kernel: |^\\s+Entity: ");

    @Test
    void everyKernelRunsCleanUnderOclgrind(@TempDir Path dir) throws IOException, InterruptedException {
        // The canary writes past its buffer: its report must come through, or a clean run proves nothing.
        Run canary = run(dir.resolve("canary"), "canary");
        assertTrue(canary.finished && canary.text.contains("Invalid write of size 4")
                && canary.text.contains("Kernel: canary"), "Oclgrind did not report the canary's bad write:\n" + canary.text);

        Run run = run(dir.resolve("all"));
        String text = run.text;
        // The whole output (each step with its seconds) goes into the failure messages; a pass says only this.
        System.out.printf("OclgrindMain ran %d steps in %.1f s%n", text.lines().filter(l -> l.contains("oclgrind step:")).count(),
                run.seconds);
        assertTrue(run.finished, "the Oclgrind run did not finish:\n" + tail(text));
        List<String> reports = text.lines().filter(l -> REPORT.matcher(l).find()).collect(Collectors.toList());
        assertTrue(reports.isEmpty(), "Oclgrind reported " + reports.size() + " problem line(s):\n" + text);
        assertEquals(0, run.exitValue, text);
        assertTrue(text.contains("oclgrind step: done"), text);
        assertTrue(text.contains("Oclgrind Simulator"), "the device was not Oclgrind's:\n" + tail(text));
    }

    private record Run(boolean finished, int exitValue, String text, double seconds) {
    }

    /** Runs OclgrindMain with {@code args} in a JVM whose ICD loader sees Oclgrind alone; stdout and stderr together. */
    private static Run run(Path dir, String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(Path.of(ICD)), ICD + " is missing: apt-get install oclgrind");
        Path vendors = Files.createDirectories(dir.resolve("vendors"));
        Files.writeString(vendors.resolve("oclgrind.icd"), ICD + "\n");
        Path output = dir.resolve("output.txt");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                OclgrindMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        child.environment().put("OCL_ICD_VENDORS", vendors.toString());
        child.environment().remove("OPENCL_VENDOR_PATH");
        child.environment().put("OCLGRIND_CHECK_API", "1");
        child.environment().put("OCLGRIND_DATA_RACES", "1");
        // Its uninitialized-value check aborts on LLVM's freeze instruction.
        child.environment().remove("OCLGRIND_UNINITIALIZED");
        child.environment().put("TORCHCL_CACHE_DIR", "off");
        child.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        child.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        child.environment().remove("TORCHCL_DEVICE");
        long start = System.nanoTime();
        Process process = child.start();
        boolean finished = process.waitFor(20, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        return new Run(finished, finished ? process.exitValue() : -1, Files.readString(output, StandardCharsets.UTF_8),
                (System.nanoTime() - start) / 1e9);
    }

    private static String tail(String text) {
        return text.length() <= 20000 ? text : text.substring(text.length() - 20000);
    }
}
