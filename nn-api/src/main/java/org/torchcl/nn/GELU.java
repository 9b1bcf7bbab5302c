package org.torchcl.nn;

import org.torchcl.Tensor;

/**
 * {@code x * Φ(x)}, as {@code nn.GELU}: exact (through erf) by default, or with
 * {@code approximate = "tanh"} the tanh form that BERT-era checkpoints were trained with.
 */
public final class GELU extends Module {

    private final String approximate;

    public GELU() {
        this("none");
    }

    /** @param approximate {@code "none"} (exact) or {@code "tanh"}, as PyTorch spells them */
    public GELU(String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("GELU: approximate must be \"none\" or \"tanh\", got "
                    + (approximate == null ? "null" : "\"" + approximate + "\""));
        }
        this.approximate = approximate;
    }

    public String approximate() {
        return approximate;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Activations.checked("GELU", input).gelu(approximate);
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }

    @Override
    protected String extraRepr() {
        return "approximate='" + approximate + "'";
    }
}
