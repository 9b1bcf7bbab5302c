package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

class KernelCacheTest {

    @TempDir
    Path dir;

    @Test
    void theDirectoryComesFromPropertyThenEnvironmentThenXdgThenHome() {
        assertEquals(Path.of("/p"), KernelCache.resolve("/p", "/e", "/x", "/h"));
        assertEquals(Path.of("/e"), KernelCache.resolve(null, "/e", "/x", "/h"));
        assertEquals(Path.of("/x/torchcl"), KernelCache.resolve(" ", null, "/x", "/h"));
        assertEquals(Path.of("/h/.cache/torchcl"), KernelCache.resolve(null, "", null, "/h"));
        assertNull(KernelCache.resolve(null, "OFF", "/x", "/h"));
        assertNull(KernelCache.resolve("off", "/e", "/x", "/h"));
    }

    @Test
    void theKeyChangesWithAnythingThatChangesTheBinary() {
        OpenClDeviceInfo device = new OpenClDeviceInfo(null, null, "GPU", "Vendor", "Platform", "580.1", "OpenCL 3.0",
                true, 1, 256, 49152, 1 << 30, 1L << 32, null);
        OpenClDeviceInfo newDriver = new OpenClDeviceInfo(null, null, "GPU", "Vendor", "Platform", "580.2", "OpenCL 3.0",
                true, 1, 256, 49152, 1 << 30, 1L << 32, null);
        String key = KernelCache.key(device, "sgemm.cl", "-DX=1", "source");
        assertTrue(key.startsWith("sgemm_cl-"), key);
        assertEquals(key, KernelCache.key(device, "sgemm.cl", "-DX=1", "source"));
        assertNotEquals(key, KernelCache.key(device, "sgemm.cl", "-DX=2", "source"));
        assertNotEquals(key, KernelCache.key(device, "sgemm.cl", "-DX=1", "source "));
        assertNotEquals(key, KernelCache.key(newDriver, "sgemm.cl", "-DX=1", "source"));
    }

    /**
     * A second JVM with the same cache loads every program from disk instead of compiling it: the
     * DEBUG line written before each source compile never appears, and the first forward is faster.
     */
    @Test
    void aSecondJvmLoadsTheProgramsInsteadOfCompilingThem() throws Exception {
        List<Device> devices = OpenClFaultsTest.openClDevices();
        Run cold = firstForward(devices.get(0));
        assertTrue(cold.log.contains("clBuildProgram: compiling sgemm.cl from source"), cold.log);
        assertTrue(cold.log.contains("built philox.cl for "), cold.log);
        try (Stream<Path> files = Files.list(dir.resolve("kernels"))) {
            assertTrue(files.count() >= 2, "binaries stored");
        }
        Run warm = firstForward(devices.get(0));
        assertFalse(warm.log.contains("compiling"), warm.log);
        assertTrue(warm.log.contains("loaded sgemm.cl for ") && warm.log.contains("from the kernel cache"), warm.log);
        assertEquals(cold.output, warm.output, "the same numbers from the cached binaries");
    }

    @Test
    void aCorruptBinaryIsReplacedByASourceBuild() throws Exception {
        List<Device> devices = OpenClFaultsTest.openClDevices();
        firstForward(devices.get(0));
        try (Stream<Path> files = Files.list(dir.resolve("kernels"))) {
            for (Path file : files.toList()) {
                Files.write(file, "not a binary".getBytes(StandardCharsets.UTF_8));
            }
        }
        Run rebuilt = firstForward(devices.get(0));
        assertTrue(rebuilt.log.contains("was refused") && rebuilt.log.contains("compiling sgemm.cl from source"),
                rebuilt.log);
    }

    private record Run(String output, String log) {
    }

    /** Runs {@link FirstForward} in a fresh JVM on {@code device} with this test's cache directory. */
    private Run firstForward(Device device) throws IOException, InterruptedException {
        Path log = dir.resolve("child.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + KernelCache.PROPERTY + "=" + dir,
                "-Dlogback.configurationFile=" + writeDebugLogConfig(),
                "-cp", System.getProperty("java.class.path"),
                FirstForward.class.getName(), device.spec()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "the child JVM finished");
        String text = Files.readString(log);
        assertEquals(0, process.exitValue(), text);
        String result = text.lines().filter(line -> line.startsWith("result ")).findFirst().orElseThrow();
        return new Run(result, text);
    }

    private Path writeDebugLogConfig() throws IOException {
        Path config = dir.resolve("logback-debug.xml");
        Files.writeString(config, "<configuration><appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%level %msg%n</pattern></encoder></appender>"
                + "<logger name=\"org.torchcl\" level=\"DEBUG\"/><root level=\"WARN\"><appender-ref ref=\"OUT\"/></root>"
                + "</configuration>");
        return config;
    }

    /** The child program: a LazyLinear-sized first forward, timed, and its result printed. */
    public static final class FirstForward {
        public static void main(String[] args) {
            Device device = Device.parse(args[0]);
            long started = System.nanoTime();
            Torch.manualSeed(1);
            // A batch of 32 runs the tiled sgemm, a single row the small-batch kernel.
            try (Tensor x = Torch.rand(device, 32, 64); Tensor w = Torch.rand(device, 32, 64);
                 Tensor one = Torch.rand(device, 1, 64);
                 Tensor y = Torch.linear(x, w, null); Tensor single = Torch.linear(one, w, null)) {
                float[] out = y.toArray();
                single.toArray();
                System.out.println("first forward " + (System.nanoTime() - started) / 1_000_000 + " ms");
                System.out.println("result " + out[0] + " " + out[out.length - 1]);
            }
        }
    }
}
