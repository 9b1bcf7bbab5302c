package org.torchcl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * ResNet-18 loaded with torchvision's weights computes torchvision's logits, on every device, both
 * as the eager model and as the lazy one: max |out - ref| / max |ref| <= 1e-4 and the same top-1
 * class per image.
 *
 * <p>The reference (47 MB) is not committed: {@code examples/python/make_resnet_golden.py} writes it
 * into {@code target/} with the system Python's torch and torchvision. Outside CI a machine without
 * them skips these tests; under {@code CI=true} they fail instead, since {@code .ci/run} installs
 * them and a skip would hide the lost coverage.
 */
class ResNetParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(ResNetParityTest.class);

    static final double TOLERANCE = 1e-4;
    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT = Path.of("..", "examples", "python", "make_resnet_golden.py");
    static final Path GOLDEN = Path.of("target", "golden", "resnet18.safetensors");

    private static boolean generated;

    /**
     * The reference file, written on first use (and again when the script is newer): only the tests
     * that need it depend on Python.
     */
    static synchronized Path golden() throws IOException, InterruptedException {
        if (generated || (Files.exists(GOLDEN)
                && Files.getLastModifiedTime(GOLDEN).compareTo(Files.getLastModifiedTime(SCRIPT)) > 0)) {
            return GOLDEN;
        }
        String missing = missingPythonPackages();
        if (missing != null) {
            if (TestDevices.isCi()) {
                fail("CI=true but " + missing + "; .ci/run installs python3-torch and python3-torchvision");
            }
            Assumptions.abort(missing + ": ResNet parity tests skipped (apt-get install python3-torch python3-torchvision)");
        }
        Files.createDirectories(GOLDEN.getParent());
        Result result = run(PYTHON, SCRIPT.toString(), GOLDEN.toString());
        if (result.exitCode != 0) {
            fail(SCRIPT + " failed with exit code " + result.exitCode + ":\n" + result.output);
        }
        LOG.info("{}", result.output.strip());
        generated = true;
        return GOLDEN;
    }

    /** Why the golden file cannot be generated here, or null when it can. */
    private static String missingPythonPackages() throws InterruptedException {
        try {
            Result result = run(PYTHON, "-c", "import torch, torchvision, numpy");
            return result.exitCode == 0 ? null : PYTHON + " cannot import torch, torchvision and numpy: "
                    + result.output.strip();
        } catch (IOException e) {
            return PYTHON + " does not run (" + e.getMessage() + ")";
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 5 minutes");
        }
        return new Result(process.exitValue(), output);
    }

    static Stream<Arguments> variants() {
        return TestDevices.all().flatMap(device -> Stream.of(
                Arguments.of(device, "resnet18", (BiFunction<Integer, Device, ResNet>) ResNet::resnet18),
                Arguments.of(device, "resnet18Lazy", (BiFunction<Integer, Device, ResNet>) ResNet::resnet18Lazy)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("variants")
    void logitsMatchTorchvision(Device device, String name, BiFunction<Integer, Device, ResNet> factory)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        try (LoadedTensors file = Safetensors.load(golden(), device); ResNet model = factory.apply(1000, device)) {
            assertEquals(name.endsWith("Lazy"), model.hasUninitializedParams());
            model.loadStateDict(file.withPrefix("model."));
            model.eval();
            assertFalse(model.hasUninitializedParams());
            Tensor input = file.get("input");
            float[] expected = file.get("output").toArray();
            long forwardStart = System.nanoTime();
            float[] actual;
            try (Tensor logits = model.forward(input)) {
                assertArrayEquals(new int[] {input.shape(0), 1000}, logits.shape());
                actual = logits.toArray();
            }
            double maxDiff = 0;
            double maxRef = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
                maxRef = Math.max(maxRef, Math.abs(expected[i]));
            }
            double relative = maxDiff / maxRef;
            LOG.info("{} on {}: max |Δ| / max |ref| = {} (max |ref| {}); forward {} ms, test {} ms", name, device,
                    String.format("%.3g", relative), String.format("%.4g", maxRef),
                    (System.nanoTime() - forwardStart) / 1_000_000, (System.nanoTime() - start) / 1_000_000);
            assertTrue(relative <= TOLERANCE, name + " on " + device + ": max |Δ| / max |ref| = " + relative
                    + " > " + TOLERANCE);
            for (int image = 0; image < input.shape(0); image++) {
                assertEquals(argmax(expected, image, 1000), argmax(actual, image, 1000),
                        "top-1 class of image " + image);
            }
        }
    }

    private static int argmax(float[] logits, int row, int width) {
        int best = 0;
        for (int i = 1; i < width; i++) {
            if (logits[row * width + i] > logits[row * width + best]) {
                best = i;
            }
        }
        return best;
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void forwardLeavesNoDeviceMemoryBehind(Device device) throws IOException, InterruptedException {
        try (LoadedTensors file = Safetensors.load(golden(), device); ResNet model = ResNet.resnet18Lazy(1000, device)) {
            model.loadStateDict(file.withPrefix("model."));
            model.eval();
            Tensor input = file.get("input");
            // The first call may fill caches the backend keeps for the life of the device; later ones must not allocate.
            model.forward(input).close();
            long steady = device.memoryStats().allocatedBytes();
            for (int i = 0; i < 2; i++) {
                model.forward(input).close();
                assertEquals(steady, device.memoryStats().allocatedBytes(), "allocated bytes after closed forward " + i);
            }
        }
    }

    @Test
    void stateDictHasTorchvisionNamesAndShapes() {
        try (ResNet eager = ResNet.resnet18(10, Device.cpu()); ResNet lazy = ResNet.resnet18Lazy(10, Device.cpu())) {
            lazy.initialize(1, 3, 64, 64);
            Map<String, Tensor> expected = eager.stateDict();
            Map<String, Tensor> actual = lazy.stateDict();
            assertEquals(expected.keySet(), actual.keySet());
            expected.forEach((key, tensor) -> assertArrayEquals(tensor.shape(), actual.get(key).shape(), key));
            // torchvision's resnet18 has 11,689,512 parameters with 1000 classes; its fc holds 513,000 of them.
            assertEquals(11_689_512 - 513_000 + 5_130, eager.numParameters());
            assertArrayEquals(new int[] {128, 64, 1, 1}, expected.get("layer2.0.downsample.0.weight").shape());
            assertArrayEquals(new int[] {512}, expected.get("layer4.1.bn2.running_var").shape());
            assertTrue(expected.containsKey("bn1.num_batches_tracked"));
            assertNull(((BasicBlock) eager.layer(1).get(0)).downsample(), "layer1 keeps 64 channels: identity shortcut");
        }
    }

    @Test
    void rejectsUnbatchedInputAndBadConfigurations() {
        try (ResNet model = ResNet.resnet18(10, Device.cpu()); Tensor image = Torch.zeros(Device.cpu(), 3, 32, 32)) {
            assertThrows(IllegalArgumentException.class, () -> model.forward(image));
        }
        assertThrows(IllegalArgumentException.class, () -> new ResNet(new int[] {2, 2, 2}, 10, Device.cpu(), false));
        assertThrows(IllegalArgumentException.class, () -> ResNet.resnet18(0, Device.cpu()));
        assertThrows(IndexOutOfBoundsException.class, () -> {
            try (ResNet model = ResNet.resnet18(10, Device.cpu())) {
                model.layer(5);
            }
        });
    }
}
