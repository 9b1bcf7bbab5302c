package org.torchcl.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** The one-node models GemmShapesBench hands ONNX Runtime compute what torchcl's ops compute. */
class OnnxSingleNodeTest {

    @Test
    void gemmWithTransposedWeightAndBiasIsLinear() throws OrtException {
        float[] x = {1, 2, 3, 4, -1, 0.5f, 2, -3};
        float[] w = {0.5f, -1, 2, 0, 1, 1, 1, 1, -2, 0, 0.25f, 3};
        float[] b = {0.1f, -0.2f, 0.3f};
        byte[] model = new OnnxSingleNode("Gemm", "x", 2, 4).initializer("w", w, 3, 4).initializer("b", b, 3)
                .attribute("transB", 1).toBytes();
        try (Tensor input = Torch.tensor(Device.cpu(), x, 2, 4);
             Tensor weight = Torch.tensor(Device.cpu(), w, 3, 4);
             Tensor bias = Torch.tensor(Device.cpu(), b, 3);
             Tensor expected = Torch.linear(input, weight, bias)) {
            assertArrayEquals(expected.toArray(), run(model, x, new long[] {2, 4}), 1e-5f);
        }
    }

    @Test
    void convWithPaddingIsConv2d() throws OrtException {
        float[] x = new float[2 * 3 * 5 * 5];
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) - 3;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 5) * 0.25f - 0.5f;
        }
        byte[] model = new OnnxSingleNode("Conv", "x", 2, 3, 5, 5).initializer("w", w, 4, 3, 3, 3)
                .attributeList("kernel_shape", 3, 3).attributeList("pads", 1, 1, 1, 1).attributeList("strides", 1, 1)
                .toBytes();
        try (Tensor input = Torch.tensor(Device.cpu(), x, 2, 3, 5, 5);
             Tensor weight = Torch.tensor(Device.cpu(), w, 4, 3, 3, 3);
             Tensor expected = Torch.conv2d(input, weight, null, 1, 1)) {
            assertArrayEquals(expected.toArray(), run(model, x, new long[] {2, 3, 5, 5}), 1e-4f);
        }
    }

    private static float[] run(byte[] model, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(model, options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
