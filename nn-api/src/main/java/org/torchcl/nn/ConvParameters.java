package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;

/** The checks, shape rule and repr Conv2d and LazyConv2d share; their parameters come from {@link WeightAndBias}. */
final class ConvParameters {

    private ConvParameters() {
    }

    /** {@code [out, in / groups, k, k]} and {@code [out]}, made as {@link WeightAndBias#create} does for every layer. */
    static WeightAndBias create(Device device, int in, int out, int kernelSize, Conv2dOptions options,
                                boolean initialize) {
        return WeightAndBias.create(device, new int[] {out, in / options.groups(), kernelSize, kernelSize},
                options.bias(), WeightAndBias.BiasInit.FAN_IN_UNIFORM, initialize);
    }

    static Conv2dOptions checkOptions(Conv2dOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use Conv2dOptions.defaults())");
        }
        return options;
    }

    /** Groups must split both channel counts evenly, as PyTorch requires. */
    static void checkGroups(String layer, int in, int out, int groups) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels " + in + " and out_channels " + out
                    + " must both be divisible by groups " + groups);
        }
    }

    /** {@code [N, in, H, W] -> [N, out, H', W']} (or unbatched), or a message naming the shapes. */
    static int[] outputShape(Module layer, int in, int out, int kernelSize, Conv2dOptions options, int[] inputShape) {
        String name = layer.getClass().getSimpleName() + "(" + layer.extraRepr() + ")";
        int rank = inputShape.length;
        if ((rank != 3 && rank != 4) || inputShape[rank - 3] != in) {
            throw new IllegalArgumentException(name + ": input shape " + Arrays.toString(inputShape)
                    + " must be [N, " + in + ", H, W] or [" + in + ", H, W]"
                    + (rank == 3 || rank == 4 ? " (it has " + inputShape[rank - 3] + " channels)" : ""));
        }
        int[] output = inputShape.clone();
        output[rank - 3] = out;
        output[rank - 2] = outputSize(name, inputShape, inputShape[rank - 2], kernelSize, options.strideH(),
                options.paddingH(), options.dilationH());
        output[rank - 1] = outputSize(name, inputShape, inputShape[rank - 1], kernelSize, options.strideW(),
                options.paddingW(), options.dilationW());
        return output;
    }

    private static int outputSize(String name, int[] inputShape, int size, int kernelSize, int stride, int padding,
                                  int dilation) {
        int padded = size + 2 * padding;
        int span = dilation * (kernelSize - 1) + 1;
        if (padded < span) {
            throw new IllegalArgumentException(name + ": input shape " + Arrays.toString(inputShape)
                    + " is smaller than the (dilated) kernel " + span + "x" + span + " even with padding");
        }
        return (padded - span) / stride + 1;
    }

    /** PyTorch's extra_repr: {@code 3, 8, kernel_size=(3, 3), stride=(1, 1)}, then non-default options. */
    static String repr(int in, int out, int kernelSize, Conv2dOptions options) {
        StringBuilder s = new StringBuilder().append(in).append(", ").append(out).append(", kernel_size=(")
                .append(kernelSize).append(", ").append(kernelSize).append("), stride=(").append(options.strideH())
                .append(", ").append(options.strideW()).append(")");
        if (options.paddingH() != 0 || options.paddingW() != 0) {
            s.append(", padding=(").append(options.paddingH()).append(", ").append(options.paddingW()).append(")");
        }
        if (options.dilationH() != 1 || options.dilationW() != 1) {
            s.append(", dilation=(").append(options.dilationH()).append(", ").append(options.dilationW()).append(")");
        }
        if (options.groups() != 1) {
            s.append(", groups=").append(options.groups());
        }
        if (!options.bias()) {
            s.append(", bias=false");
        }
        return s.toString();
    }
}
