package org.torchcl.nn;

import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * 2-D convolution over {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) with a square
 * {@code kernelSize} window and {@link Conv2dOptions}' stride, padding, dilation and groups: weight
 * {@code [out, in / groups, k, k]}, bias {@code [out]}. Initialized as PyTorch does: weight and
 * bias both U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = in / groups * k * k. Runs as
 * {@link Torch#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)}: im2col plus one batched
 * gemm with the bias fused, or a direct kernel for grouped and depthwise convolutions.
 */
public final class Conv2d extends Module {

    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final Conv2dOptions options;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, Conv2dOptions.defaults());
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, Conv2dOptions options) {
        super(ConvParameters.checkOptions(options).device());
        LinearParameters.checkFeatures("inChannels", inChannels);
        LinearParameters.checkFeatures("outChannels", outChannels);
        LinearParameters.checkFeatures("kernelSize", kernelSize);
        ConvParameters.checkGroups("Conv2d", inChannels, outChannels, options.groups());
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.options = options;
        WeightAndBias created = ConvParameters.create(device(), inChannels, outChannels, kernelSize, options, true);
        this.weight = registerParameter("weight", created.weight());
        this.bias = registerParameter("bias", created.bias());
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.conv2d(input, weight.data(), bias == null ? null : bias.data(), options.stride(),
                options.padding(), options.dilation(), options.groups());
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernelSize() {
        return kernelSize;
    }

    /** Stride, padding, dilation, groups and bias, as the layer was made with them. */
    public Conv2dOptions options() {
        return options;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        return ConvParameters.outputShape(this, inChannels, outChannels, kernelSize, options, inputShape);
    }

    @Override
    protected String extraRepr() {
        return ConvParameters.repr(inChannels, outChannels, kernelSize, options);
    }
}
