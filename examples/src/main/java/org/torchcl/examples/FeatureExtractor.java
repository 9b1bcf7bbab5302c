package org.torchcl.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.Flatten;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Module;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

/**
 * A Conv2d/ReLU feature stack and a LazyLinear classifier: the same model class serves two image
 * sizes, each instance sizing its classifier from what the features produce.
 */
public final class FeatureExtractor {

    private FeatureExtractor() {
    }

    static final class Model extends Module {
        final Sequential features;
        final LazyLinear classifier;

        Model(Device device) {
            super(device);
            Conv2dOptions conv = Conv2dOptions.defaults().withDevice(device);
            features = registerModule("features", new Sequential(
                    new Conv2d(3, 16, 3, conv.withPadding(1)), new ReLU(),
                    new Conv2d(16, 32, 3, conv.withStride(2)), new ReLU(),
                    new Flatten()));
            classifier = registerModule("classifier", new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor f = features.forward(x)) {
                return classifier.forward(f);
            }
        }

        @Override
        protected int[] propagateShape(int[] inputShape) {
            return propagateShape(classifier, propagateShape(features, inputShape));
        }
    }

    static final Usage USAGE = Usage.of("FeatureExtractor",
            "A Conv2d/ReLU stack with a lazy classifier sized by the image size.");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, FeatureExtractor::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        CommandLine.header(out, "FeatureExtractor", device);
        for (int size : new int[] {32, 64}) {
            try (Model model = new Model(device); Tensor images = Torch.randn(device, 2, 3, size, size);
                 Tensor logits = model.forward(images)) {
                out.println("images " + Arrays.toString(images.shape()) + " -> logits "
                        + Arrays.toString(logits.shape()) + ", classifier in_features=" + model.classifier.inFeatures());
            }
        }
        try (Model model = new Model(device)) {
            model.initialize(1, 3, 32, 32);
            out.println("initialize(1, 3, 32, 32) without data: classifier in_features="
                    + model.classifier.inFeatures());
            out.println(model);
        }
    }
}
