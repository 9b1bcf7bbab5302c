package org.torchcl.nn;

import org.torchcl.Tensor;

/** {@code x * sigmoid(x)} elementwise, as {@code nn.SiLU} (swish). */
public final class SiLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return Activations.checked("SiLU", input).silu();
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }
}
