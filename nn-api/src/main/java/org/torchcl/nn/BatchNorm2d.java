package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;

/**
 * Batch normalization over the channels of {@code [N, C, H, W]}, as {@code nn.BatchNorm2d}; see
 * {@link BatchNorm} for the parameters, buffers and modes. Call {@link #eval()} for inference.
 */
public final class BatchNorm2d extends BatchNorm {

    public BatchNorm2d(int numFeatures) {
        this(numFeatures, DEFAULT_EPS);
    }

    public BatchNorm2d(int numFeatures, double eps) {
        this(numFeatures, eps, null);
    }

    /** On {@code device}, or on the default device of this moment when it is null. */
    public BatchNorm2d(int numFeatures, double eps, Device device) {
        super(numFeatures, eps, device);
    }

    @Override
    void checkRank(int[] inputShape) {
        checkFourDims("BatchNorm2d", inputShape);
    }

    static void checkFourDims(String layer, int[] inputShape) {
        if (inputShape.length != 4) {
            throw new IllegalArgumentException(layer + ": expected 4D input [N, C, H, W], got shape "
                    + Arrays.toString(inputShape));
        }
    }
}
