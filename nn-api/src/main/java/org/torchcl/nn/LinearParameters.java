package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;

/** The checks and shape rule Linear and LazyLinear share; their parameters come from {@link WeightAndBias}. */
final class LinearParameters {

    private LinearParameters() {
    }

    /** {@code [out, in]} and {@code [out]}, made as {@link WeightAndBias#create} does for every layer. */
    static WeightAndBias create(Device device, int in, int out, boolean withBias, boolean initialize) {
        return WeightAndBias.create(device, new int[] {out, in}, withBias, WeightAndBias.BiasInit.ZEROS, initialize);
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
