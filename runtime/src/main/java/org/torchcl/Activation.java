package org.torchcl;

import org.torchcl.backend.UnaryOp;

/**
 * An elementwise function applied to the result of {@link Torch#linear(Tensor, Tensor, Tensor, Activation)}
 * or {@link Torch#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int, Activation)} as the product
 * is stored: the CPU backend applies it to each block of the output while the block is still in
 * cache, instead of a separate pass over the whole output.
 */
public enum Activation {
    /** The product (plus bias) as it is. */
    NONE(null),
    /** {@code max(x, 0)}, as {@link Torch#relu}. */
    RELU(UnaryOp.RELU),
    /** The exact (erf) GELU, as {@link Torch#gelu(Tensor)}. */
    GELU(UnaryOp.GELU),
    /** The tanh approximation of GELU, as {@code Torch.gelu(x, "tanh")}. */
    GELU_TANH(UnaryOp.GELU_TANH);

    private final UnaryOp op;

    Activation(UnaryOp op) {
        this.op = op;
    }

    /** The elementwise op, or null for {@link #NONE}. */
    UnaryOp op() {
        return op;
    }
}
