package org.torchcl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * all-MiniLM-L6-v2 (unmodified, from the langchain4j jar) and an exported ResNet-18 run through
 * {@link OnnxModel} on every device and agree with ONNX Runtime Java on the same inputs within
 * 1e-4 (max absolute difference).
 */
class RealModelParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(RealModelParityTest.class);
    static final double TOLERANCE = 1e-4;

    private static float[] miniLmReference;

    private static synchronized float[] miniLmReference() throws IOException, OrtException {
        if (miniLmReference == null) {
            miniLmReference = RealModels.miniLmReference();
        }
        return miniLmReference;
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void miniLmMatchesOnnxRuntime(Device device) throws IOException, OrtException {
        float[] expected = miniLmReference();
        int[] shape = {RealModels.BATCH, RealModels.SEQUENCE};
        try (OnnxModel model = OnnxModel.load(RealModels.miniLm(), device);
             Tensor ids = Torch.tensor(device, RealModels.inputIds(), shape);
             Tensor mask = Torch.tensor(device, RealModels.attentionMask(), shape);
             Tensor types = Torch.tensor(device, RealModels.tokenTypes(), shape)) {
            assertEquals(Map.of("LayerNorm", 13, "Gelu", 6, "Linear", 36, "Attention", 6), model.fusedSubgraphs());
            assertEquals("[input_ids: int64[batch_size, sequence_length], attention_mask: int64[batch_size,"
                    + " sequence_length], token_type_ids: int64[batch_size, sequence_length]]", model.inputs().toString());
            long before = device.memoryStats().allocatedBytes();
            Map<String, Tensor> out = model.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types));
            try (Tensor hidden = out.get("last_hidden_state")) {
                assertArrayEquals(new int[] {RealModels.BATCH, RealModels.SEQUENCE, 384}, hidden.shape());
                double diff = maxAbsDiff(expected, hidden.toArray());
                LOG.info("MiniLM on {}: max |torchcl - ONNX Runtime| = {}; peak {} bytes over {} steps", device,
                        String.format("%.3g", diff), model.lastRunPeakBytes(), model.stepCount());
                assertTrue(diff <= TOLERANCE, "max |diff| " + diff + " on " + device);
                assertTrue(model.lastRunPeakBytes() > hidden.numel() * 4, "peak covers at least the output");
            }
            assertEquals(before, device.memoryStats().allocatedBytes(), "every intermediate freed");
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void resnet18MatchesOnnxRuntime(Device device) throws IOException, InterruptedException, OrtException {
        Path file = RealModels.resnet();
        int[] shape = {2, 3, 96, 96};
        float[] input = new float[2 * 3 * 96 * 96];
        java.util.Random random = new java.util.Random(20261129);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] expected = RealModels.resnetReference(file, input, new long[] {2, 3, 96, 96});
        try (OnnxModel model = OnnxModel.load(file, device); Tensor x = Torch.tensor(device, input, shape)) {
            Map<String, Tensor> out = model.run(Map.of("input", x));
            try (Tensor logits = out.get("logits")) {
                assertArrayEquals(new int[] {2, 1000}, logits.shape());
                double diff = maxAbsDiff(expected, logits.toArray());
                LOG.info("ResNet-18 on {}: max |torchcl - ONNX Runtime| = {}", device, String.format("%.3g", diff));
                assertTrue(diff <= TOLERANCE, "max |diff| " + diff + " on " + device);
            }
        }
    }

    static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        return worst;
    }

    @Test
    void concurrentRunsAgree() throws Exception {
        Device device = Device.cpu();
        int[] shape = {RealModels.BATCH, RealModels.SEQUENCE};
        try (OnnxModel model = OnnxModel.load(RealModels.miniLm(), device);
             Tensor ids = Torch.tensor(device, RealModels.inputIds(), shape);
             Tensor mask = Torch.tensor(device, RealModels.attentionMask(), shape);
             Tensor types = Torch.tensor(device, RealModels.tokenTypes(), shape)) {
            Map<String, Tensor> feeds = Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types);
            float[][] results = new float[4][];
            Thread[] threads = new Thread[results.length];
            Throwable[] failures = new Throwable[results.length];
            for (int t = 0; t < threads.length; t++) {
                int index = t;
                threads[t] = new Thread(() -> {
                    try (Tensor hidden = model.run(feeds).get("last_hidden_state")) {
                        results[index] = hidden.toArray();
                    } catch (Throwable e) {
                        failures[index] = e;
                    }
                });
                threads[t].start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (int t = 0; t < threads.length; t++) {
                assertEquals(null, failures[t], "thread " + t);
                assertArrayEquals(results[0], results[t], "thread " + t);
            }
        }
    }
}
