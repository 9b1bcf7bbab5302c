package org.torchcl.nn;

import org.torchcl.Device;

/**
 * A {@link BatchNorm2d} that learns {@code num_features} from dim 1 of the first {@code [N, C, H, W]}
 * input, with {@link LazyLinear}'s contract: until then it holds no memory, {@link #numFeatures()}
 * is 0, and {@code weight}, {@code bias} and the buffers {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked} are uninitialized. The first {@link #forward} (or {@link #initialize},
 * or {@link #loadStateDict}, from the weight's shape) materializes all five at once, once, even
 * under racing threads, as {@code BatchNorm2d(C)} would make them. A later input with another
 * channel count is an {@link IllegalArgumentException} naming both.
 */
public final class LazyBatchNorm2d extends BatchNorm {

    public LazyBatchNorm2d() {
        this(DEFAULT_EPS);
    }

    public LazyBatchNorm2d(double eps) {
        this(eps, null);
    }

    /** Materializes on {@code device}, or on the default device of this moment when it is null. */
    public LazyBatchNorm2d(double eps, Device device) {
        super(eps, device);
    }

    @Override
    void checkRank(int[] inputShape) {
        BatchNorm2d.checkFourDims("LazyBatchNorm2d", inputShape);
    }
}
