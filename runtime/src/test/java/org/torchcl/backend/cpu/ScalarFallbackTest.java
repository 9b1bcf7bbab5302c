package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.Reference;

/**
 * The CPU backend in a JVM without {@code jdk.incubator.vector}: it must load, say how to get the
 * fast kernels, and compute what this JVM (which has the module) computes.
 */
class ScalarFallbackTest {

    @Test
    void theCpuBackendRunsWithoutTheVectorModule(@TempDir Path dir) throws IOException, InterruptedException {
        Path results = dir.resolve("results.txt");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ScalarFallbackMain.class.getName(), results.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        // Options from the environment could add the module back.
        child.environment().remove("JDK_JAVA_OPTIONS");
        child.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = child.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        String output = Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("--add-modules " + ScalarFallbackMain.VECTOR_MODULE), output);

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
