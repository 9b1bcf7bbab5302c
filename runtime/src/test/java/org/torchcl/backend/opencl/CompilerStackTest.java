package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Kernels compile on torchcl's large-stack thread, whatever thread asks: PoCL compiles at a
 * kernel's first launch in the calling thread, and its LLVM recursion used to overflow small
 * thread stacks and kill the JVM (exit 139, no hs_err file).
 */
class CompilerStackTest {

    @TempDir
    Path dir;

    @Test
    void aThreadWithATinyStackCanTriggerEveryCompile() throws Exception {
        Device device = OpenClFaultsTest.openClDevices().get(0);
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + KernelCache.PROPERTY + "=off", "-cp", System.getProperty("java.class.path"),
                TinyStack.class.getName(), device.spec()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        // An empty PoCL cache, so PoCL really compiles (other drivers ignore the variable).
        builder.environment().put("POCL_CACHE_DIR", Files.createDirectories(dir.resolve("pocl")).toString());
        Process process = builder.start();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        String output = Files.readString(dir.resolve("out.log"));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("tiny stack ok"), output);
    }

    /** Runs a linear layer's kernels (RNG, small-batch and tiled gemm) from a 128 KiB thread. */
    public static final class TinyStack {
        public static void main(String[] args) throws InterruptedException {
            Device device = Device.parse(args[0]);
            Thread thread = new Thread(null, () -> {
                try (Tensor x = Torch.rand(device, 32, 64); Tensor w = Torch.rand(device, 48, 64);
                     Tensor y = Torch.linear(x, w, null); Tensor row = Torch.rand(device, 1, 64);
                     Tensor z = Torch.linear(row, w, null)) {
                    System.out.println("tiny stack ok " + y.toArray()[0] + " " + z.toArray()[0]);
                }
            }, "tiny", 128 << 10);
            thread.start();
            thread.join();
        }
    }
}
