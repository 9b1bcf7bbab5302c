package org.torchcl.nn;

import org.torchcl.Device;
import org.torchcl.Tensor;

/** The seed's four scenarios, written as a user would write them. */
final class Scenarios {

    private Scenarios() {
    }

    /** Conv2d(3, 64, 5) -> flatten -> LazyLinear(10). */
    static final class SimpleNet extends Module {
        final Conv2d conv;
        final LazyLinear fc;

        SimpleNet(Device device) {
            super(device);
            conv = registerModule("conv", new Conv2d(3, 64, 5, Conv2dOptions.defaults().withDevice(device)));
            fc = registerModule("fc", new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor features = conv.forward(x); Tensor flat = features.reshape(features.shape(0), -1)) {
                return fc.forward(flat);
            }
        }
    }

    /** Five LazyLinear(256) layers with ReLU between: any input width. */
    static Sequential dynamicMlp(Device device) {
        Sequential mlp = new Sequential();
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                mlp.append(new ReLU());
            }
            mlp.append(new LazyLinear(256, LinearOptions.defaults().withDevice(device)));
        }
        return mlp;
    }

    /** A convolutional feature stack and a lazy classifier that adapts to its output size. */
    static final class FeatureExtractor extends Module {
        final Sequential features;
        final LazyLinear classifier;

        FeatureExtractor(Device device) {
            super(device);
            Conv2dOptions options = Conv2dOptions.defaults().withDevice(device);
            features = registerModule("features", new Sequential(
                    new Conv2d(3, 16, 3, options.withPadding(1)), new ReLU(),
                    new Conv2d(16, 32, 3, options.withStride(2)), new ReLU(),
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
}
