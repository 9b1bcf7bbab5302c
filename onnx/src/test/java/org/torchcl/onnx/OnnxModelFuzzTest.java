package org.torchcl.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.nn.io.OnnxFormatException;

/**
 * Seeded fuzzing of {@link OnnxModel#load}: small graphs (the unit-test models and, where
 * libonnx-testdata is installed, a few conformance models with folding, Constant and shape ops)
 * damaged at random — bits flipped, bytes cut, inserted or overwritten — then loaded on the CPU. A
 * load may succeed or throw {@link OnnxFormatException} or {@link UnsupportedOnnxException};
 * anything else fails, as does a load whose device allocations exceed 8 times the file's size.
 */
class OnnxModelFuzzTest {

    static final int CASES = Integer.parseInt(System.getenv().getOrDefault("TORCHCL_FUZZ_CASES", "5000"));
    static final long SEED = 20261129L;

    @Test
    void damagedModelsAreRefusedWithTheDocumentedExceptionsOnly() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : List.of("shape_chain.onnx", "shape_chain_fixed.onnx")) {
            seeds.add(OnnxModelTest.model(name).array());
        }
        for (String name : List.of("test_constantofshape_float_ones", "test_range_int32_type_negative_delta",
                "test_reshape_negative_extended_dims", "test_gemm_all_attributes", "test_slice")) {
            Path file = OnnxConformanceTest.DATA.resolve(name).resolve("model.onnx");
            if (Files.exists(file)) {
                seeds.add(Files.readAllBytes(file));
            }
        }
        Device device = Device.cpu();
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            SplittableRandom random = new SplittableRandom(SEED * 31 + i);
            byte[] file = seeds.get(i % seeds.size()).clone();
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                file = mutate(file, random);
            }
            long base = device.memoryStats().allocatedBytes();
            device.resetPeakMemoryStats();
            try (OnnxModel model = OnnxModel.load(ByteBuffer.wrap(file), device)) {
                assertTrue(model.stepCount() >= 0);
            } catch (OnnxFormatException | UnsupportedOnnxException expected) {
                refused++;
            } catch (Throwable unexpected) {
                throw new AssertionError(failure(i, file, "threw " + unexpected), unexpected);
            }
            long grew = device.memoryStats().peakBytes() - base;
            if (grew > 8L * file.length + 64) {
                throw new AssertionError(failure(i, file, "allocated " + grew + " bytes for a file of " + file.length));
            }
            if (device.memoryStats().allocatedBytes() != base) {
                throw new AssertionError(failure(i, file, "left " + (device.memoryStats().allocatedBytes() - base)
                        + " bytes allocated"));
            }
        }
        assertTrue(refused > CASES / 4, "many damaged files are refused: " + refused + " of " + CASES);
    }

    private static String failure(int index, byte[] file, String what) {
        return "fuzz case " + index + " (seed " + SEED + ") " + what + "; bytes (base64): "
                + Base64.getEncoder().encodeToString(file);
    }

    private static byte[] mutate(byte[] file, SplittableRandom random) {
        if (file.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(file.length);
        switch (random.nextInt(4)) {
            case 0 -> file[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> {
                return java.util.Arrays.copyOf(file, at);
            }
            case 2 -> {
                byte[] longer = new byte[file.length + 1];
                System.arraycopy(file, 0, longer, 0, at);
                longer[at] = (byte) random.nextInt(256);
                System.arraycopy(file, at, longer, at + 1, file.length - at);
                return longer;
            }
            default -> file[at] = (byte) (random.nextBoolean() ? 0xFF : 0x7F);
        }
        return file;
    }
}
