package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** The weight and bias of a Linear layer, made the one way Linear and LazyLinear share. */
record LinearParameters(Parameter weight, Parameter bias) {

    /**
     * Allocates {@code [out, in]} and {@code [out]} on {@code device}; with {@code initialize}, fills the
     * weight Kaiming-uniform and the bias with zeros (else leaves them for a state dict to fill).
     * Nothing is left allocated if this fails.
     */
    static LinearParameters create(Device device, int in, int out, boolean withBias, boolean initialize) {
        Tensor w = Torch.empty(device, out, in);
        Tensor b = null;
        try {
            if (initialize) {
                Init.kaimingUniform(w);
            }
            if (withBias) {
                b = Torch.empty(device, out);
                if (initialize) {
                    Init.zeros(b);
                }
            }
            return new LinearParameters(new Parameter(w), b == null ? null : new Parameter(b));
        } catch (RuntimeException | Error e) {
            w.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    static void checkFeatures(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    /** {@code [..., in] -> [..., out]}, or a message naming both sizes. */
    static int[] outputShape(Module layer, int in, int out, int[] inputShape) {
        if (inputShape.length == 0 || inputShape[inputShape.length - 1] != in) {
            throw new IllegalArgumentException(layer.getClass().getSimpleName() + "(" + layer.extraRepr() + "): input shape "
                    + Arrays.toString(inputShape) + " has last dim "
                    + (inputShape.length == 0 ? "(none)" : String.valueOf(inputShape[inputShape.length - 1]))
                    + " but in_features is " + in);
        }
        int[] output = inputShape.clone();
        output[output.length - 1] = out;
        return output;
    }
}
