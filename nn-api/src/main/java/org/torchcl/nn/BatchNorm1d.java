package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;

/**
 * Batch normalization over the channels of {@code [N, C]} or {@code [N, C, L]}, as
 * {@code nn.BatchNorm1d}; see {@link BatchNorm} for the parameters, buffers and modes.
 */
public final class BatchNorm1d extends BatchNorm {

    public BatchNorm1d(int numFeatures) {
        this(numFeatures, DEFAULT_EPS);
    }

    public BatchNorm1d(int numFeatures, double eps) {
        this(numFeatures, eps, null);
    }

    /** On {@code device}, or on the default device of this moment when it is null. */
    public BatchNorm1d(int numFeatures, double eps, Device device) {
        super(numFeatures, eps, device);
    }

    @Override
    void checkRank(int[] inputShape) {
        if (inputShape.length != 2 && inputShape.length != 3) {
            throw new IllegalArgumentException("BatchNorm1d: expected 2D or 3D input [N, C] or [N, C, L], got shape "
                    + Arrays.toString(inputShape));
        }
    }
}
