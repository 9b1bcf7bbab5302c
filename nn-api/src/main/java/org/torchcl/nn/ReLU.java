package org.torchcl.nn;

import org.torchcl.Tensor;

/** {@code max(x, 0)} elementwise; NaN stays NaN. */
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("ReLU.forward: input must not be null");
        }
        return input.relu();
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }
}
