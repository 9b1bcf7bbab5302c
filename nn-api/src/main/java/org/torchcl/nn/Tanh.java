package org.torchcl.nn;

import org.torchcl.Tensor;

/** The hyperbolic tangent elementwise, as {@code nn.Tanh}. */
public final class Tanh extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return Activations.checked("Tanh", input).tanh();
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }
}
