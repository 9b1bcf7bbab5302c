package org.torchcl.nn;

import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * A layer's weight and optional bias, allocated and initialized the one way Linear, Conv2d and their
 * lazy forms share.
 */
record WeightAndBias(Parameter weight, Parameter bias) {

    /** How the bias starts; the weight is always Kaiming-uniform. */
    enum BiasInit {
        /** torchcl's Linear rule, so a Linear and a LazyLinear seeded alike agree. */
        ZEROS,
        /** PyTorch's Conv2d rule: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with the weight's fan-in. */
        FAN_IN_UNIFORM
    }

    /**
     * Allocates the weight {@code weightShape} and, with a bias, {@code [weightShape[0]]} on
     * {@code device}; with {@code initialize}, fills them (else leaves them for a state dict to fill).
     * Nothing is left allocated if this fails.
     */
    static WeightAndBias create(Device device, int[] weightShape, boolean withBias, BiasInit biasInit,
                                boolean initialize) {
        Tensor w = Torch.empty(device, weightShape);
        Tensor b = null;
        try {
            if (initialize) {
                Init.kaimingUniform(w);
            }
            if (withBias) {
                b = Torch.empty(device, weightShape[0]);
                if (initialize) {
                    initializeBias(b, biasInit, w);
                }
            }
            return new WeightAndBias(new Parameter(w), b == null ? null : new Parameter(b));
        } catch (RuntimeException | Error e) {
            w.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    private static void initializeBias(Tensor bias, BiasInit rule, Tensor weight) {
        switch (rule) {
            case ZEROS -> Init.zeros(bias);
            case FAN_IN_UNIFORM -> {
                float bound = Init.fanInBound(Init.fanIn(weight));
                Init.uniform(bias, -bound, bound);
            }
        }
    }
}
