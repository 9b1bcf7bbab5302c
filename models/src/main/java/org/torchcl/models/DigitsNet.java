package org.torchcl.models;

import org.torchcl.Device;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.Flatten;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

/**
 * The examples' digits classifier ({@code examples/python/train_digits.py}, on scikit-learn's 8x8
 * digits): a 3x3 convolution to 8 channels, ReLU, flatten, a {@link LazyLinear} to 32 (it learns
 * its input width, 512, from the first batch), ReLU, a Linear to 10 classes. The parameters carry
 * the PyTorch {@code nn.Sequential}'s names ({@code 0.weight}, {@code 3.weight}, {@code 5.weight}, ...).
 */
public final class DigitsNet {

    private DigitsNet() {
    }

    /** A new, untrained model on {@code device}: load its weights with {@code loadStateDict}. */
    public static Sequential create(Device device) {
        LinearOptions linear = LinearOptions.defaults().withDevice(device);
        return new Sequential(
                new Conv2d(1, 8, 3, Conv2dOptions.defaults().withPadding(1).withDevice(device)), new ReLU(),
                new Flatten(),
                new LazyLinear(32, linear), new ReLU(),
                new Linear(32, 10, linear));
    }
}
