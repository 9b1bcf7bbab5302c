package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * 2-D convolution over {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) with a square
 * {@code kernelSize} window: weight {@code [out, in, k, k]}, bias {@code [out]}. Initialized as
 * PyTorch does: weight and bias both U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = in * k * k. Runs as
 * im2col plus one batched gemm with the bias fused.
 */
public final class Conv2d extends Module {

    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, Conv2dOptions.defaults());
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, Conv2dOptions options) {
        super(checkOptions(options).device());
        LinearParameters.checkFeatures("inChannels", inChannels);
        LinearParameters.checkFeatures("outChannels", outChannels);
        LinearParameters.checkFeatures("kernelSize", kernelSize);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = options.stride();
        this.padding = options.padding();
        Tensor w = Torch.empty(device(), outChannels, inChannels, kernelSize, kernelSize);
        Tensor b = null;
        try {
            Init.kaimingUniform(w);
            if (options.bias()) {
                float bound = Init.fanInBound(Init.fanIn(w));
                b = Torch.empty(device(), outChannels);
                Init.uniform(b, -bound, bound);
            }
        } catch (RuntimeException | Error e) {
            w.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
        this.weight = registerParameter("weight", new Parameter(w));
        this.bias = registerParameter("bias", b == null ? null : new Parameter(b));
    }

    private static Conv2dOptions checkOptions(Conv2dOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use Conv2dOptions.defaults())");
        }
        return options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.conv2d(input, weight.data(), bias == null ? null : bias.data(), stride, padding);
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

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
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
        int rank = inputShape.length;
        if ((rank != 3 && rank != 4) || inputShape[rank - 3] != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + extraRepr() + "): input shape " + Arrays.toString(inputShape)
                    + " must be [N, " + inChannels + ", H, W] or [" + inChannels + ", H, W]");
        }
        int[] output = inputShape.clone();
        output[rank - 3] = outChannels;
        output[rank - 2] = outputSize(inputShape[rank - 2], inputShape);
        output[rank - 1] = outputSize(inputShape[rank - 1], inputShape);
        return output;
    }

    private int outputSize(int size, int[] inputShape) {
        int padded = size + 2 * padding;
        if (padded < kernelSize) {
            throw new IllegalArgumentException("Conv2d(" + extraRepr() + "): input shape " + Arrays.toString(inputShape)
                    + " is smaller than the kernel " + kernelSize + "x" + kernelSize + " even with padding");
        }
        return (padded - kernelSize) / stride + 1;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernelSize + ", " + kernelSize + "), stride=("
                + stride + ", " + stride + ")" + (padding == 0 ? "" : ", padding=(" + padding + ", " + padding + ")")
                + (bias == null ? ", bias=false" : "");
    }
}
