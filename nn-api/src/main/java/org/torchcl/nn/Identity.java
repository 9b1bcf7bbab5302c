package org.torchcl.nn;

import org.torchcl.Tensor;

/**
 * Passes its input through, as {@code nn.Identity}: a placeholder where an architecture has no layer
 * (a block without downsampling, a removed classifier head). Returns a view the caller owns.
 */
public final class Identity extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return Activations.checked("Identity", input).view(input.shape());
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }
}
