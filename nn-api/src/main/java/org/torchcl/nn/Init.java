package org.torchcl.nn;

import org.torchcl.Generator;
import org.torchcl.Tensor;

/**
 * Parameter initializers, as {@code torch.nn.init}. They fill on the tensor's device (an OpenCL
 * device runs the Philox kernel in place: no host round trip) from the default generator.
 */
public final class Init {

    private Init() {
    }

    /**
     * PyTorch's default for Linear and Conv2d weights, {@code kaiming_uniform_(w, a=sqrt(5))}, which
     * is U(-1/sqrt(fanIn), 1/sqrt(fanIn)); fanIn is the product of all dims but the first.
     */
    public static Tensor kaimingUniform(Tensor weight) {
        requireTensor("weight", weight);
        float bound = fanInBound(fanIn(weight));
        return uniform(weight, -bound, bound);
    }

    /** U[low, high) from the default generator. */
    public static Tensor uniform(Tensor tensor, float low, float high) {
        requireTensor("tensor", tensor);
        return tensor.fillUniform(low, high, Generator.defaultGenerator());
    }

    public static Tensor zeros(Tensor tensor) {
        requireTensor("tensor", tensor);
        return tensor.fill(0f);
    }

    /** Inputs feeding each output: {@code in} for {@code [out, in]}, {@code in*kH*kW} for a conv weight. */
    public static int fanIn(Tensor weight) {
        requireTensor("weight", weight);
        if (weight.dim() < 2) {
            throw new IllegalArgumentException("fan-in needs a weight with at least 2 dims, got "
                    + java.util.Arrays.toString(weight.shape()));
        }
        return Math.toIntExact(weight.numel() / weight.shape(0));
    }

    /** {@code 1/sqrt(fanIn)}: the bound of PyTorch's default weight (and conv bias) init. */
    public static float fanInBound(int fanIn) {
        return (float) (1.0 / Math.sqrt(fanIn));
    }

    private static void requireTensor(String argument, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(argument + " must not be null");
        }
    }
}
