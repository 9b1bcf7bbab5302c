package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Tensor;

/**
 * Merges dims {@code startDim..endDim} into one (defaults 1 and -1: everything but the batch dim), as
 * {@code torch.nn.Flatten}. Returns a view: no copy.
 */
public final class Flatten extends Module {

    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("Flatten.forward: input must not be null");
        }
        return input.flatten(startDim, endDim);
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        try {
            return Tensor.flattenedShape(inputShape, startDim, endDim);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Flatten(" + extraRepr() + ") cannot flatten shape "
                    + Arrays.toString(inputShape) + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
