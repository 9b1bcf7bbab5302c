package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * Randomly zeroes elements with probability {@code p} and scales the rest by {@code 1 / (1 - p)},
 * as {@code nn.Dropout}, in training mode; in eval mode (inference) it is the identity and costs a
 * view. The training mask comes from the default Philox generator on the input's device, so it is
 * reproducible after {@code Torch.manualSeed} and equal across devices, though not PyTorch's mask.
 */
public final class Dropout extends Module {

    private final double p;

    /** Dropout with PyTorch's default {@code p = 0.5}. */
    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        Activations.checked("Dropout", input);
        if (!isTraining() || p == 0) {
            return input.view(input.shape());
        }
        if (p == 1) {
            return Torch.zeros(input.device(), input.dtype(), input.shape());
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor keep = Torch.rand(input.device(), input.shape()).ge(p);
            Tensor zero = Torch.scalar(input.device(), input.dtype(), 0);
            return scope.keep(Torch.where(keep, input.mul(1 / (1 - p)), zero));
        }
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return inputShape;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=false";
    }
}
