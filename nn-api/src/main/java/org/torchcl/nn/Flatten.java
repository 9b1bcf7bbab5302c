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
        int rank = inputShape.length;
        int start = startDim < 0 ? startDim + rank : startDim;
        int end = endDim < 0 ? endDim + rank : endDim;
        if (start < 0 || end >= rank || start > end) {
            throw new IllegalArgumentException("Flatten(" + extraRepr() + ") cannot flatten shape "
                    + Arrays.toString(inputShape));
        }
        long merged = 1;
        for (int i = start; i <= end; i++) {
            merged *= inputShape[i];
        }
        int[] output = new int[rank - (end - start)];
        System.arraycopy(inputShape, 0, output, 0, start);
        output[start] = Math.toIntExact(merged);
        System.arraycopy(inputShape, end + 1, output, start + 1, rank - end - 1);
        return output;
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
