package org.torchcl.nn.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.TestDevices;

/**
 * Seeded, reproducible fuzzing of the ONNX reader: {@link OnnxTestModels#linear()} damaged at random
 * — bits flipped, varint bytes replaced by large or continuation bytes, bytes cut off, inserted or
 * appended, slices swapped — then read and loaded. The reader may accept the result or throw
 * {@link OnnxFormatException}; anything else fails, as does a load whose device allocations exceed
 * 8 times the file's size (varint integers widen to 8 bytes). A failure prints the case's seed and bytes.
 */
class OnnxFuzzTest {

    /** Cases per CI run on the CPU (a tenth of that per OpenCL device); TORCHCL_FUZZ_CASES overrides. */
    static final int CASES = Integer.parseInt(System.getenv().getOrDefault("TORCHCL_FUZZ_CASES", "5000"));
    static final long SEED = 20261129L;

    @Test
    void damagedFilesAreRefusedWithTheDocumentedExceptionOnly() throws IOException {
        fuzz(Device.cpu(), CASES);
        for (Device device : TestDevices.openCl()) {
            fuzz(device, Math.max(1, CASES / 10));
        }
    }

    private static void fuzz(Device device, int cases) throws IOException {
        byte[] seed = OnnxTestModels.linear();
        int refused = 0;
        for (int i = 0; i < cases; i++) {
            SplittableRandom random = new SplittableRandom(SEED * 31 + i);
            byte[] file = seed.clone();
            StringBuilder how = new StringBuilder();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                file = mutate(file, random, how);
            }
            long base = device.memoryStats().allocatedBytes();
            device.resetPeakMemoryStats();
            try {
                OnnxGraph graph = OnnxGraph.read(ByteBuffer.wrap(file));
                OnnxInitializers.pyTorchNames(graph);
                try (LoadedTensors loaded = OnnxInitializers.loadPyTorchNamed(graph, device)) {
                    loaded.values().forEach(t -> assertTrue(t.numel() >= 0));
                }
            } catch (OnnxFormatException expected) {
                refused++;
            } catch (Throwable unexpected) {
                throw new AssertionError(failure(device, i, how, file, "threw " + unexpected), unexpected);
            }
            long grew = device.memoryStats().peakBytes() - base;
            if (grew > 8L * file.length) {
                throw new AssertionError(failure(device, i, how, file, "allocated " + grew + " bytes for a file of "
                        + file.length));
            }
        }
        assertTrue(refused > cases / 4, "many damaged files are refused: " + refused + " of " + cases);
        System.out.println("onnx fuzz on " + device + ": " + cases + " cases, " + refused + " refused (seed " + SEED + ")");
    }

    private static String failure(Device device, int index, CharSequence how, byte[] file, String what) {
        return "fuzz case " + index + " (seed " + SEED + ") on " + device + " " + what + "; mutations:" + how
                + "; bytes (base64): " + Base64.getEncoder().encodeToString(file);
    }

    private static byte[] mutate(byte[] file, SplittableRandom random, StringBuilder how) {
        int kind = random.nextInt(6);
        how.append(' ').append(kind);
        if (file.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(file.length);
        switch (kind) {
            case 0 -> file[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> {
                byte[] choices = {(byte) 0xFF, (byte) 0x80, 0x7F, 0, 1, (byte) random.nextInt(256)};
                file[at] = choices[random.nextInt(choices.length)];
            }
            case 2 -> file = Arrays.copyOf(file, at);
            case 3 -> {
                byte[] longer = new byte[file.length + 1 + random.nextInt(16)];
                int inserted = longer.length - file.length;
                System.arraycopy(file, 0, longer, 0, at);
                for (int i = 0; i < inserted; i++) {
                    longer[at + i] = (byte) random.nextInt(256);
                }
                System.arraycopy(file, at, longer, at + inserted, file.length - at);
                file = longer;
            }
            case 4 -> {
                byte[] longer = Arrays.copyOf(file, file.length + 1 + random.nextInt(64));
                for (int i = file.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                file = longer;
            }
            default -> {
                int b = random.nextInt(file.length);
                int n = Math.min(1 + random.nextInt(8), Math.min(file.length - at, file.length - b));
                for (int i = 0; i < n; i++) {
                    byte t = file[at + i];
                    file[at + i] = file[b + i];
                    file[b + i] = t;
                }
            }
        }
        return file;
    }
}
