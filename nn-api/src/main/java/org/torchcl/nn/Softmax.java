package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.Torch;

/** Softmax along {@code dim} (negative counts from the end), as {@code nn.Softmax(dim)}. */
public final class Softmax extends Module {

    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.softmax(Activations.checked("Softmax", input), dim);
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        if (dim < -inputShape.length || dim >= inputShape.length) {
            throw new IllegalArgumentException("Softmax(dim=" + dim + "): input shape " + java.util.Arrays.toString(inputShape)
                    + " has no dim " + dim);
        }
        return inputShape;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
