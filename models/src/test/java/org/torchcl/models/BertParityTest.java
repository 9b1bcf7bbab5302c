package org.torchcl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TestDevices;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.OnnxGraph;
import org.torchcl.nn.io.OnnxInitializers;

/**
 * all-MiniLM-L6-v2 with its real weights against ONNX Runtime running the same .onnx on the same
 * ids: {@code last_hidden_state} within 1e-4 at every real token, and the pooled, normalized
 * embedding at cosine ≥ 0.99999 — on the CPU backend and every OpenCL device.
 */
class BertParityTest {

    static final double MAX_HIDDEN_DIFF = 1e-4;
    static final double MIN_COSINE = 0.99999;

    private static WordPieceBatch batch;
    private static float[][][] reference;

    @BeforeAll
    static void runOnnxRuntime() throws IOException, OrtException {
        batch = BertFixture.tokenizer().encodeBatch(BertFixture.SENTENCES);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {batch.size(), batch.length()};
        try (OrtSession session = env.createSession(BertFixture.modelBytes(), new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch.inputIds().length]), shape);
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                     "token_type_ids", types))) {
            reference = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        }
    }

    static List<Device> devices() {
        return TestDevices.all().toList();
    }

    @ParameterizedTest(name = "device={0}")
    @MethodSource("devices")
    void hiddenStatesAndEmbeddingsEqualOnnxRuntime(Device device) throws IOException {
        long start = System.nanoTime();
        try (BertModel model = BertModel.fromOnnx(BertFixture.graph(), BertConfig.allMiniLmL6V2(), device);
             SentenceEncoder encoder = new SentenceEncoder(BertFixture.tokenizer(), model);
             Tensor ids = batch.inputIdsTensor(device);
             Tensor mask = batch.attentionMaskTensor(device);
             Tensor hidden = model.forward(ids, mask);
             Tensor embeddings = encoder.encode(batch)) {
            int width = hidden.shape(2);
            float[] ours = hidden.toArray();
            double worst = 0;
            for (int b = 0; b < batch.size(); b++) {
                for (int s = 0; s < batch.tokens(b); s++) {
                    for (int h = 0; h < width; h++) {
                        float got = ours[(b * batch.length() + s) * width + h];
                        worst = Math.max(worst, Math.abs(got - reference[b][s][h]));
                    }
                }
            }
            assertTrue(worst <= MAX_HIDDEN_DIFF, "last_hidden_state max |Δ| " + worst + " on " + device);

            float[] pooled = embeddings.toArray();
            double lowest = 1;
            for (int b = 0; b < batch.size(); b++) {
                double[] expected = referenceEmbedding(b);
                double dot = 0;
                double norm = 0;
                for (int h = 0; h < width; h++) {
                    dot += pooled[b * width + h] * expected[h];
                    norm += (double) pooled[b * width + h] * pooled[b * width + h];
                }
                lowest = Math.min(lowest, dot / Math.sqrt(norm));
            }
            assertTrue(lowest >= MIN_COSINE, "lowest embedding cosine " + lowest + " on " + device);
            System.out.printf("MiniLM parity on %s: %d sentences, %d tokens max, hidden max |Δ| %.2e, "
                    + "min cosine %.8f, %.0f ms (load + 2 forwards)%n", device, batch.size(), batch.length(), worst,
                    lowest, (System.nanoTime() - start) / 1e6);
        }
    }

    @ParameterizedTest(name = "device={0}")
    @MethodSource("devices")
    void anEmbeddingDoesNotDependOnPadding(Device device) throws IOException {
        String sentence = BertFixture.SENTENCES.get(0);
        String longer = BertFixture.SENTENCES.get(5);
        try (BertModel model = BertModel.fromOnnx(BertFixture.graph(), BertConfig.allMiniLmL6V2(), device);
             SentenceEncoder encoder = new SentenceEncoder(BertFixture.tokenizer(), model)) {
            float[] alone = encoder.embed(List.of(sentence))[0];
            float[][] padded = encoder.embed(List.of(sentence, longer));
            assertTrue(encoder.tokenizer().encodeBatch(List.of(sentence, longer)).length()
                    > encoder.tokenizer().encode(sentence).length, "the second batch pads the sentence");
            assertArrayEquals(alone, padded[0], 1e-5f, "the embedding of \"" + sentence + "\" with padding on " + device);
        }
    }

    @Test
    void matMulWeightsGetTheirHuggingFaceNames() throws IOException {
        OnnxGraph graph = BertFixture.graph();
        Map<String, String> names = OnnxInitializers.pyTorchNames(graph);
        assertEquals(36, names.size(), "6 layers x (query, key, value, attention.output.dense, intermediate, output)");
        assertEquals("encoder.layer.0.attention.self.query.weight", names.get("onnx::MatMul_787"));
        assertEquals("encoder.layer.5.output.dense.weight", names.get("onnx::MatMul_864"));
        try (BertModel model = new BertModel(BertConfig.allMiniLmL6V2(), Device.cpu());
             LoadedTensors weights = OnnxInitializers.loadPyTorchNamed(graph, Device.cpu())) {
            assertEquals(model.stateDict().keySet(), weights.keySet(),
                    "the ONNX weights under PyTorch names are exactly the model's state dict");
        }
    }

    /** sentence-transformers' pooling of ONNX Runtime's states, in double: the mean over real tokens, normalized. */
    private static double[] referenceEmbedding(int row) {
        int width = reference[row][0].length;
        double[] mean = new double[width];
        int tokens = batch.tokens(row);
        for (int s = 0; s < tokens; s++) {
            for (int h = 0; h < width; h++) {
                mean[h] += reference[row][s][h] / (double) tokens;
            }
        }
        double norm = 0;
        for (double v : mean) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (int h = 0; h < width; h++) {
            mean[h] /= norm;
        }
        return mean;
    }
}
