package org.torchcl.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/** Every example on every available device, checked by what it prints. */
class ExamplesTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    static String run(Example example, Device device, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long before = device.memoryStats().allocatedBytes();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            example.run(device, out, List.of(args));
        }
        assertEquals(before, device.memoryStats().allocatedBytes(), "the example freed everything it allocated");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static void assertPrints(String output, String... lines) {
        for (String line : lines) {
            assertTrue(output.contains(line + "\n"), "expected the line \"" + line + "\" in:\n" + output);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void lazyLinearBasics(Device device) {
        assertPrints(run(LazyLinearBasics::run, device),
                "== LazyLinearBasics on " + device + " ==",
                "in_features before forward: 0",
                "bytes allocated by the layer before forward: 0",
                "input shape: [32, 256]",
                "output shape: [32, 128]",
                "in_features after forward: 256",
                "weight shape: [128, 256]",
                "bytes allocated by the layer after forward: 131584 (= (128*256 + 128) * 4)");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void simpleNet(Device device) {
        assertPrints(run(SimpleNet::run, device),
                "== SimpleNet on " + device + " ==",
                "  (fc): LazyLinear(in_features=0, out_features=10, bias=true)",
                "fc.in_features before forward: 0",
                "output shape: [4, 10]",
                "fc.in_features after forward: 50176 (= 64 * 28 * 28)");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dynamicMlpTakesItsWidthFromTheCommandLine(Device device) {
        String output = run(DynamicMlp::run, device, "--width", "300");
        assertPrints(output,
                "input width chosen at run time: 300",
                "uninitialized parameters before forward: true",
                "output shape: [16, 256]",
                "layer 0: in_features=300, out_features=256",
                "layer 8: in_features=256, out_features=256",
                "parameters: " + (300 * 256 + 256 + 4 * (256 * 256 + 256)));
        assertPrints(run(DynamicMlp::run, device), "layer 0: in_features=784, out_features=256");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void initializationState(Device device) {
        assertPrints(run(InitializationState::run, device),
                "has_uninitialized_params before: true",
                "  0.weight: UninitializedParameter",
                "has_uninitialized_params after forward: false",
                "  0.weight: Parameter [10, 5]",
                "  1.weight: Parameter [20, 10]",
                "has_uninitialized_params after initialize(5, 5): false",
                "parameters: 280");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void featureExtractor(Device device) {
        assertPrints(run(FeatureExtractor::run, device),
                "images [2, 3, 32, 32] -> logits [2, 10], classifier in_features=7200",
                "images [2, 3, 64, 64] -> logits [2, 10], classifier in_features=30752",
                "initialize(1, 3, 32, 32) without data: classifier in_features=7200");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void digitsInferenceAgreesWithPyTorchOnEveryImage(Device device) {
        String output = run(DigitsInference::run, device);
        assertPrints(output,
                "LazyLinear in_features before loading: 0",
                "LazyLinear in_features after loading: 512",
                "test images: 360 [360, 1, 8, 8]",
                "accuracy: 97.78% (PyTorch reported 0.9778)",
                "agreement with PyTorch's predictions: 360/360");
        assertTrue(output.matches("(?s).*throughput: \\d+ images/s.*"), output);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void exportSafetensorsWritesAFileThatReadsBackEqual(Device device, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("export.safetensors");
        assertPrints(run(ExportSafetensors::run, device, "--out", file.toString()),
                "wrote [fc.weight, fc.bias, conv.weight, conv.bias, x, y, img, z] to " + file.toAbsolutePath());
        try (LoadedTensors loaded = Safetensors.load(file, Device.cpu());
             Tensor y = Torch.linear(loaded.get("x"), loaded.get("fc.weight"), loaded.get("fc.bias"))) {
            assertEquals("torchcl on " + device, loaded.metadata().get("written_by"));
            float[] expected = y.toArray();
            float[] written = loaded.get("y").toArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], written[i], 1e-5f * Math.max(1f, Math.abs(expected[i])));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void runAllRunsEveryExample(Device device) {
        String output = run(RunAll::run, device);
        for (String name : RunAll.EXAMPLES.keySet()) {
            assertPrints(output, "== " + name + " on " + device + " ==");
        }
        assertPrints(output, "all 6 examples ran on " + device);
    }

    @Test
    void aBadDeviceIsOneLineListingTheDevicesFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(new String[] {"--device", "gpu"}));
        assertTrue(e.getMessage().startsWith("unknown device 'gpu'") && e.getMessage().contains("devices found: cpu")
                && !e.getMessage().contains("\n"), e.getMessage());
        assertEquals(Device.cpu(), CommandLine.parse(new String[] {"--device=cpu"}).device());
        assertEquals(List.of("--width", "5"), CommandLine.parse(new String[] {"--width", "5", "--device", "cpu"}).rest());
        assertThrows(IllegalArgumentException.class, () -> CommandLine.intOption(List.of("--width", "x"), "--width", 1));
    }

    @Test
    void theMainsRunAsProgramsAndExitWithStatusTwoOnABadDevice() throws Exception {
        Result bad = java("org.torchcl.examples.RunAll", "--device", "opencl:42");
        assertEquals(2, bad.status);
        assertTrue(bad.stderr.contains("RunAll: no OpenCL device with index 42; devices found: cpu"), bad.stderr);
        Result good = java("org.torchcl.examples.LazyLinearBasics", "--device", "cpu");
        assertEquals(0, good.status, good.stderr);
        assertPrints(good.stdout, "in_features after forward: 256");
    }

    @Test
    void aUsageRefusesUnknownOptionsAndBadValuesInOneLine() {
        assertRefused(DynamicMlp.USAGE, "--width must be at least 1, got 0", "--width", "0");
        assertRefused(DynamicMlp.USAGE, "--width needs an integer, got 'abc'", "--width", "abc");
        assertRefused(DynamicMlp.USAGE, "--width needs a value: N", "--width");
        assertRefused(DynamicMlp.USAGE, "unknown option '--widht'; options: --device D, --width N, --help", "--widht", "5");
        assertRefused(LazyLinearBasics.USAGE, "unexpected argument 'stray'; options: --device D, --help", "stray");
        assertRefused(SemanticSearch.USAGE, "--top must be at least 1, got -3", "--top", "-3");
        Usage bench = Usage.of("Bench", "sizes and a budget").integers("--sizes", "N,N,...", 1, "sizes")
                .number("--budget", "SECONDS", 0, "time per case");
        assertRefused(bench, "--sizes needs integers separated by commas, got '256,x'", "--sizes", "256,x");
        assertRefused(bench, "--sizes must be at least 1, got 256,0", "--sizes", "256,0");
        assertRefused(bench, "--budget needs a number, got 'soon'", "--budget", "soon");
        SemanticSearch.USAGE.check(List.of("--top", "3", "Who painted the Mona Lisa?"));
        assertEquals(Device.cpu(), CommandLine.parse(DynamicMlp.USAGE, new String[] {"--width", "5", "--device", "cpu"})
                .device());
    }

    private static void assertRefused(Usage usage, String message, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> usage.check(List.of(args)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theMainsPrintUsageForHelpAndExitWithStatusTwoOnBadOptions() throws Exception {
        Result help = java("org.torchcl.examples.DynamicMlp", "--help");
        assertEquals(0, help.status, help.stderr);
        assertTrue(help.stdout.startsWith("usage: DynamicMlp [--device cpu|opencl|opencl:N|auto] [--width N]\n"),
                help.stdout);
        for (String[] bad : List.of(new String[] {"--width", "abc"}, new String[] {"--width", "0"},
                new String[] {"--bogus"})) {
            Result result = java("org.torchcl.examples.DynamicMlp", bad);
            assertEquals(2, result.status, result.stderr);
            List<String> lines = result.stderr.lines().filter(line -> line.startsWith("DynamicMlp: ")).toList();
            assertEquals(1, lines.size(), result.stderr);
            assertTrue(lines.get(0).endsWith(" (--help for usage)") && !result.stderr.contains("Exception"), result.stderr);
        }
    }

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result java(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the program finished");
        return new Result(process.exitValue(), stdout, stderr);
    }
}
