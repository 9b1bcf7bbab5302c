package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.Reference;

/**
 * The CPU backend in a JVM without {@code jdk.incubator.vector}: it must load, say how to get the
 * fast kernels (on stderr too when no SLF4J provider would show the log line), and compute what
 * this JVM (which has the module) computes.
 */
class ScalarFallbackTest {

    private static final String HINT = "run the JVM with --add-modules " + ScalarFallbackMain.VECTOR_MODULE;

    @Test
    void theCpuBackendRunsWithoutTheVectorModule(@TempDir Path dir) throws IOException, InterruptedException {
        Path results = dir.resolve("results.txt");
        String output = runChild(dir, System.getProperty("java.class.path"), results);
        assertEquals(1, occurrences(output, HINT), "the hint, logged once through Logback:\n" + output);
        assertFalse(output.contains("torchcl: "), "no stderr copy while a logger is bound:\n" + output);

        Map<String, float[]> fallback = read(results);
        Map<String, float[]> here = ScalarFallbackMain.results();
        assertEquals(here.keySet(), fallback.keySet());
        ScalarFallbackMain.PRODUCTS.forEach((name, s) -> {
            float[][] inputs = ScalarFallbackMain.gemmInputs(s);
            Reference.assertGemm(s, inputs[0], inputs[1], inputs[2], fallback.get(name));
        });
        assertArrayEquals(bits(here.get("uniform")), bits(fallback.get("uniform")), "uniform, bit for bit");
        assertArrayEquals(bits(here.get("bits")), bits(fallback.get("bits")), "raw bits");
        assertArrayEquals(here.get("normal"), fallback.get("normal"), 1e-6f, "normal");
    }

    @Test
    void withNoSlf4jProviderTheHintIsPrintedOnStderrOnce(@TempDir Path dir) throws IOException, InterruptedException {
        String withoutLogback = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("logback-"))
                .collect(Collectors.joining(File.pathSeparator));
        String output = runChild(dir, withoutLogback, dir.resolve("results.txt"));
        assertTrue(output.contains("No SLF4J providers were found"), "the child must run without a provider:\n" + output);
        assertEquals(1, occurrences(output, "torchcl: CPU kernels: plain Java"), output);
        assertEquals(1, occurrences(output, HINT), output);
    }

    /** Runs {@link ScalarFallbackMain} without the Vector module; returns its stdout and stderr. */
    private static String runChild(Path dir, String classPath, Path results) throws IOException, InterruptedException {
        Path output = dir.resolve("output.txt");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, ScalarFallbackMain.class.getName(), results.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // Options from the environment could add the module back.
        child.environment().remove("JDK_JAVA_OPTIONS");
        child.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = child.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> results = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] words = line.split(" ");
            float[] values = new float[words.length - 1];
            for (int i = 0; i < values.length; i++) {
                values[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(words[i + 1], 16));
            }
            results.put(words[0], values);
        }
        return results;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
