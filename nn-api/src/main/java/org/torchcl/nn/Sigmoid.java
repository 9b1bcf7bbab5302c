package org.torchcl.nn;

import org.torchcl.Tensor;

/** {@code 1 / (1 + exp(-x))} elementwise, as {@code nn.Sigmoid}. */
public final class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return Activations.checked("Sigmoid", input).sigmoid();
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }
}
