package org.torchcl.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.models.ResNet;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * ResNetInference, SentenceEmbeddings and SemanticSearch on every device (PoCL included), with
 * small inputs so the whole class stays well under a minute, checked by the numbers they print.
 */
class ModelExamplesTest {

    /** What models' ResNetParityTest generates with examples/python/make_resnet_golden.py (torchvision's logits). */
    static final Path TORCHVISION_GOLDEN = Path.of("..", "models", "target", "golden", "resnet18.safetensors");

    @TempDir
    static Path shared;
    private static Path reference;

    static String run(Example example, Device device, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long before = device.memoryStats().allocatedBytes();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            example.run(device, out, List.of(args));
        }
        assertEquals(before, device.memoryStats().allocatedBytes(), "the example freed everything it allocated");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Matcher find(String output, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(output);
        assertTrue(m.find(), "expected a line matching /" + regex + "/ in:\n" + output);
        return m;
    }

    /**
     * A file in the golden file's layout ({@code model.*}, {@code input}, {@code output}) made by the
     * CPU backend from a seeded ResNet-18 with 10 classes: every device must reproduce its logits.
     */
    static synchronized Path cpuReference() throws IOException {
        if (reference == null) {
            Torch.manualSeed(7);
            try (ResNet model = ResNet.resnet18(10, Device.cpu());
                 Tensor input = Torch.randn(Device.cpu(), 1, 3, 64, 64)) {
                model.eval();
                try (Tensor output = model.forward(input)) {
                    Map<String, Tensor> tensors = new LinkedHashMap<>();
                    model.stateDict().forEach((key, value) -> tensors.put("model." + key, value));
                    tensors.put("input", input);
                    tensors.put("output", output);
                    Path file = shared.resolve("resnet18-cpu.safetensors");
                    Safetensors.save(tensors, Map.of("made_by", "ModelExamplesTest"), file);
                    reference = file;
                }
            }
        }
        return reference;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void resNetInferenceReproducesTheReferenceLogitsAndTimesABatch(Device device) throws IOException {
        String output = run(ResNetInference::run, device, "--weights", cpuReference().toString(),
                "--size", "64", "--batch", "1", "--runs", "1");
        assertTrue(output.startsWith("== ResNetInference on " + device + " ==\n"), output);
        find(output, "^model: ResNet-18, 11,181,642 parameters, 10 classes");
        Matcher parity = find(output, "^parity with the reference logits on input \\[1, 3, 64, 64\\]: "
                + "max \\|Δ\\| / max \\|ref\\| = (\\S+) .*top-1 agreement 1/1$");
        assertTrue(Double.parseDouble(parity.group(1)) <= 1e-4, parity.group());
        assertTrue(Double.parseDouble(find(output, "^batch 1 \\[1, 3, 64, 64\\]: (\\S+) images/s").group(1)) > 0, output);
    }

    @Test
    void resNetInferenceWithoutWeightsSaysItIsRandomlyInitialized() {
        String output = run(ResNetInference::run, Device.cpu(), "--size", "32", "--batch", "2", "--runs", "1");
        find(output, "^weights: seeded random initialization \\(seed 0\\)");
        find(output, "^model: ResNet-18, 11,689,512 parameters, 1000 classes");
        find(output, "^batch 2 \\[2, 3, 32, 32\\]: \\S+ images/s");
        assertTrue(!output.contains("parity"), output);
    }

    @Test
    void resNetInferenceMatchesTorchvisionWithTheGoldenFile() {
        String absent = TORCHVISION_GOLDEN + " is absent (models' ResNetParityTest writes it in the same build)";
        if (TestDevices.isCi()) {
            // CI installs PyTorch, and models' tests run before these: a missing file is a failure there.
            assertTrue(Files.isRegularFile(TORCHVISION_GOLDEN), absent);
        }
        Assumptions.assumeTrue(Files.isRegularFile(TORCHVISION_GOLDEN), absent + ": torchvision parity skipped here");
        String output = run(ResNetInference::run, Device.cpu(), "--weights", TORCHVISION_GOLDEN.toString(),
                "--size", "32", "--batch", "1", "--runs", "1");
        Matcher parity = find(output, "^parity with the reference logits on input \\[2, 3, 96, 96\\]: "
                + "max \\|Δ\\| / max \\|ref\\| = (\\S+) .*top-1 agreement 2/2$");
        assertTrue(Double.parseDouble(parity.group(1)) <= 1e-4, parity.group());
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void sentenceEmbeddingsRankAParaphraseAboveAnUnrelatedSentence(Device device, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("embeddings.safetensors");
        String output = run(SentenceEmbeddings::run, device, "--out", file.toString(),
                "A man is eating food.", "A man is eating a piece of bread.", "A woman is playing violin.");
        assertTrue(output.startsWith("== SentenceEmbeddings on " + device + " ==\n"), output);
        find(output, "^model: all-MiniLM-L6-v2 \\(6 layers, hidden 384, vocabulary 30522\\)");
        find(output, "^  \\[0\\] A man is eating food\\. \\(8\\)$");
        find(output, "^embeddings: \\[3, 384\\], padded length 11,");
        float[][] similarity = new float[3][];
        for (int i = 0; i < 3; i++) {
            Matcher row = find(output, "^  \\[" + i + "\\]((?: +-?\\d\\.\\d{3}){3})$");
            String[] cells = row.group(1).trim().split(" +");
            similarity[i] = new float[3];
            for (int j = 0; j < 3; j++) {
                similarity[i][j] = Float.parseFloat(cells[j]);
            }
            assertEquals(1.0f, similarity[i][i], 0.0015f, "a sentence with itself");
        }
        assertTrue(similarity[0][1] > 0.7f && similarity[0][2] < 0.2f && similarity[1][2] < 0.2f,
                "the paraphrase scores high, the violin low: " + output);
        assertEquals(similarity[0][1], similarity[1][0], 0.0015f, "symmetric");
        find(output, "^most similar pair: \\[0\\] and \\[1\\]");
        find(output, "^wrote \\[input_ids, attention_mask, embeddings\\] to " + Pattern.quote(file.toAbsolutePath().toString()) + "$");

        try (LoadedTensors written = Safetensors.load(file, Device.cpu())) {
            assertEquals(DType.INT64, written.get("input_ids").dtype());
            assertEquals(DType.INT64, written.get("attention_mask").dtype());
            assertEquals(DType.FLOAT32, written.get("embeddings").dtype());
            assertArrayEquals(new int[] {3, 11}, written.get("input_ids").shape());
            assertArrayEquals(new int[] {3, 11}, written.get("attention_mask").shape());
            assertArrayEquals(new int[] {3, 384}, written.get("embeddings").shape());
            long[] ids = written.get("input_ids").toLongArray();
            assertEquals(101, ids[0], "[CLS]");
            assertEquals(102, ids[7], "[SEP] ends the 8 tokens of sentence 0");
            assertEquals(8 + 11 + 8, sum(written.get("attention_mask").toLongArray()), "real tokens");
            float[] embeddings = written.get("embeddings").toArray();
            for (int row = 0; row < 3; row++) {
                double norm = 0;
                for (int j = 0; j < 384; j++) {
                    norm += embeddings[row * 384 + j] * embeddings[row * 384 + j];
                }
                assertEquals(1.0, Math.sqrt(norm), 1e-4, "row " + row + " has unit length");
            }
        }
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void semanticSearchFindsTheFactAQueryAsksFor(Device device) {
        String output = run(SemanticSearch::run, device, "--limit", "24", "--top", "3",
                "What is the capital city of France?", "Who painted the Mona Lisa?");
        assertTrue(output.startsWith("== SemanticSearch on " + device + " ==\n"), output);
        find(output, "^corpus: 24 sentences embedded in ");
        find(output, "^2 queries answered in .*\\[2, 24\\] on the device, top-3 there by 3 rounds of argmax \\+ maskedFill");
        Matcher france = find(output, "^query: What is the capital city of France\\?\n"
                + "  1\\. (\\S+)  Paris is the capital of France\\.\n  2\\. (\\S+)  .*\n  3\\. (\\S+)  .*$");
        assertTrue(Float.parseFloat(france.group(1)) > Float.parseFloat(france.group(2))
                && Float.parseFloat(france.group(2)) >= Float.parseFloat(france.group(3)), france.group());
        find(output, "^query: Who painted the Mona Lisa\\?\n  1\\. \\S+  Leonardo da Vinci painted the Mona Lisa\\.$");
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void topKOnTheDeviceMatchesASort(Device device) {
        float[] scores = {0.1f, 0.9f, -0.3f, 0.5f, 0.7f, 0.2f, /* row 1 */ 0.4f, -0.9f, 0.8f, 0.0f, 0.3f, 0.6f};
        try (Tensor matrix = Torch.tensor(device, scores, 2, 6)) {
            Tensor[] best = SemanticSearch.topK(matrix, 3);
            try (Tensor indices = best[0]; Tensor values = best[1]) {
                assertEquals(DType.INT64, indices.dtype());
                assertArrayEquals(new long[] {1, 4, 3, 2, 5, 0}, indices.toLongArray());
                assertArrayEquals(new float[] {0.9f, 0.7f, 0.5f, 0.8f, 0.6f, 0.4f}, values.toArray());
            }
        }
    }

    @Test
    void badArgumentsAreRefusedByName(@TempDir Path dir) {
        assertMessage("unknown argument '--bogus'", () -> ResNetInference.Options.parse(List.of("--bogus")));
        assertMessage("unknown argument 'cat.jpg'", () -> ResNetInference.Options.parse(List.of("cat.jpg")));
        assertMessage("--batch must be at least 1, got 0", () -> ResNetInference.Options.parse(List.of("--batch", "0")));
        assertMessage("--size must be at least 32", () -> ResNetInference.Options.parse(List.of("--size", "16")));
        assertMessage("--weights: no such file", () -> ResNetInference.Options.parse(
                List.of("--weights", dir.resolve("missing.safetensors").toString())));
        assertMessage("unknown option '--outt'", () -> SentenceEmbeddings.Options.parse(List.of("--outt", "x")));
        assertMessage("--out needs a file name", () -> SentenceEmbeddings.Options.parse(List.of("a", "--out")));
        assertMessage("--top must be at least 1", () -> SemanticSearch.Options.parse(List.of("--top", "0")));
        assertMessage("--corpus: no such file", () -> SemanticSearch.Options.parse(
                List.of("--corpus", dir.resolve("none.txt").toString())));
        assertEquals(300, SemanticSearch.corpus(SemanticSearch.Options.parse(List.of())).size(), "the bundled facts");
        assertEquals(SentenceEmbeddings.DEFAULT_SENTENCES, SentenceEmbeddings.Options.parse(List.of()).sentences());
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse);
        assertTrue(e.getMessage().startsWith(start) && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void theMainsExitWithStatusTwoAndOneLineOnBadArguments() throws Exception {
        for (String[] command : List.of(
                new String[] {"org.torchcl.examples.ResNetInference", "--device", "cpu", "--size", "x"},
                new String[] {"org.torchcl.examples.SentenceEmbeddings", "--device", "cpu", "--bogus"},
                new String[] {"org.torchcl.examples.SemanticSearch", "--device", "cpu", "--limit", "-3"})) {
            List<String> line = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path")));
            line.addAll(List.of(command));
            Process process = new ProcessBuilder(line).start();
            process.getInputStream().readAllBytes();
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(1, TimeUnit.MINUTES));
            assertEquals(2, process.exitValue(), stderr);
            String name = command[0].substring(command[0].lastIndexOf('.') + 1);
            assertTrue(stderr.lines().anyMatch(l -> l.startsWith(name + ": ")) && !stderr.contains("Exception"), stderr);
        }
    }
}
