package org.torchcl.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;

/** OnnxRun and SentenceEmbeddings --onnx on every device, checked by what they print. */
class OnnxExamplesTest {

    @TempDir
    static Path dir;

    private static Path miniLm() throws IOException {
        Path file = dir.resolve("all-minilm-l6-v2.onnx");
        if (!Files.exists(file)) {
            try (InputStream in = OnnxExamplesTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
                Files.copy(in, file);
            }
        }
        return file;
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void onnxRunPrintsTheGraphAndRunsItOnRandomInputs(Device device) throws IOException {
        String output = ModelExamplesTest.run(OnnxRun::run, device, "--model", miniLm().toString(),
                "--dim", "sequence_length=8", "--int-max", "1000", "--int-max", "token_type_ids=2", "--runs", "1");
        assertTrue(output.contains("input  input_ids: int64[batch_size, sequence_length]"), output);
        assertTrue(output.contains("output last_hidden_state: float32[batch_size, sequence_length, 384]"), output);
        assertTrue(output.contains("fused {"), output);
        assertTrue(output.contains("result last_hidden_state float32[1, 8, 384]"), output);
        assertTrue(Pattern.compile("time: first run [0-9.]+ ms, median of 1 more [0-9.]+ ms").matcher(output).find(),
                output);
    }

    @Test
    void sentenceEmbeddingsFromTheOnnxFileMatchTheModulePath() {
        Device cpu = Device.cpu();
        String modules = ModelExamplesTest.run(SentenceEmbeddings::run, cpu, "A man is eating food.", "A man eats.");
        String graph = ModelExamplesTest.run(SentenceEmbeddings::run, cpu, "--onnx", "A man is eating food.",
                "A man eats.");
        assertTrue(graph.contains("from its .onnx through OnnxModel"), graph);
        assertEquals(pairSimilarity(modules), pairSimilarity(graph), 1e-3);
    }

    private static double pairSimilarity(String output) {
        Matcher m = Pattern.compile("most similar pair: \\[0\\] and \\[1\\], ([0-9.]+)").matcher(output);
        assertTrue(m.find(), output);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void badArgumentsAreRefusedByName() throws IOException {
        String file = Files.write(dir.resolve("empty.onnx"), new byte[0]).toString();
        assertEquals("--model FILE.onnx is required",
                assertThrows(IllegalArgumentException.class, () -> OnnxRun.Options.parse(List.of())).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxRun.Options.parse(
                List.of("--model", dir.resolve("none.onnx").toString()))).getMessage().startsWith("--model: no such file"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxRun.Options.parse(List.of("--bogus")))
                .getMessage().startsWith("unknown argument '--bogus'"));
        assertEquals("--dim needs NAME=SIZE with a positive number, got '7'", assertThrows(IllegalArgumentException.class,
                () -> OnnxRun.Options.parse(List.of("--model", file, "--dim", "7"))).getMessage());
        assertEquals("--int-max needs N or INPUT=N with a positive number, got 'ids=0'",
                assertThrows(IllegalArgumentException.class, () -> OnnxRun.Options.parse(
                        List.of("--model", file, "--int-max", "ids=0"))).getMessage());
    }
}
