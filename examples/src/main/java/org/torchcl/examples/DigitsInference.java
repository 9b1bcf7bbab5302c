package org.torchcl.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.models.DigitsNet;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Sequential;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * A classifier trained in PyTorch (examples/python/train_digits.py, scikit-learn's 8x8 digits)
 * served from Java: the model is declared with an uninitialized LazyLinear, the safetensors weights
 * materialize it, and the bundled test images are classified on the chosen device. Prints accuracy,
 * agreement with PyTorch's own predictions, and images per second.
 */
public final class DigitsInference {

    static final String RESOURCES = "/org/torchcl/examples/digits/";
    private static final int TIMED_RUNS = 20;

    private DigitsInference() {
    }

    static final Usage USAGE = Usage.of("DigitsInference",
            "A digits classifier trained in PyTorch, loaded from safetensors into a model with a LazyLinear,\n" + "classifying 360 test images: accuracy, agreement with PyTorch, images/s.");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, DigitsInference::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        CommandLine.header(out, "DigitsInference", device);
        try (Sequential model = DigitsNet.create(device);
             LoadedTensors weights = Safetensors.load(resource("digits-model.safetensors"), device);
             LoadedTensors test = Safetensors.load(resource("digits-test.safetensors"), device)) {
            LazyLinear hidden = (LazyLinear) model.get(3);
            out.println("LazyLinear in_features before loading: " + hidden.inFeatures());
            model.loadStateDict(weights);
            out.println("LazyLinear in_features after loading: " + hidden.inFeatures());

            Tensor images = test.get("images");
            int count = images.shape(0);
            long correct;
            long agree;
            float maxLogitDiff;
            // Everything is compared on the device; only three numbers come back to the host.
            try (TensorScope scope = TensorScope.open()) {
                Tensor logits = model.forward(images);
                Tensor predicted = logits.argmax(1);
                correct = predicted.eq(test.get("labels").to(DType.INT64)).sum().itemLong();
                agree = predicted.eq(test.get("predictions").to(DType.INT64)).sum().itemLong();
                maxLogitDiff = logits.sub(test.get("logits")).abs().amax().item();
            }
            out.printf("test images: %d %s%n", count, Arrays.toString(images.shape()));
            out.printf("accuracy: %.2f%% (PyTorch reported %s)%n", 100.0 * correct / count,
                    weights.metadata().get("test_accuracy"));
            out.printf("agreement with PyTorch's predictions: %d/%d%n", agree, count);
            out.printf("max |logit - PyTorch logit|: %.2e%n", maxLogitDiff);
            out.printf("throughput: %.0f images/s (batch %d, median of %d runs)%n",
                    count / medianSeconds(model, images), count, TIMED_RUNS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double medianSeconds(Sequential model, Tensor images) {
        double[] seconds = new double[TIMED_RUNS];
        for (int run = -3; run < TIMED_RUNS; run++) {
            long start = System.nanoTime();
            try (Tensor logits = model.forward(images)) {
                logits.device().synchronize();
            }
            if (run >= 0) {
                seconds[run] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(seconds);
        return seconds[TIMED_RUNS / 2];
    }

    private static ByteBuffer resource(String name) throws IOException {
        try (InputStream in = DigitsInference.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCES + name + " is missing from the classpath");
            }
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }
}
