package org.torchcl.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * A {@link Conv2d} that learns {@code in_channels} from the first input it sees, {@code input.shape(-3)}
 * of {@code [N, C, H, W]} or unbatched {@code [C, H, W]}, with {@link LazyLinear}'s contract: until
 * then it holds no memory, {@link #inChannels()} is 0 and {@link #weight()}/{@link #bias()} are
 * {@link UninitializedParameter}s. The first {@link #forward} (or {@link #initialize}, or
 * {@link #loadStateDict}, which takes {@code in_channels = weight.shape(1) * groups}) allocates
 * {@code [out, in / groups, k, k]} and {@code [out]} on the module's device and fills them exactly
 * as {@code Conv2d(in, out, k, options)} would.
 *
 * <p>Materialization happens once, even when several threads run the first forward together. If
 * it fails, the layer stays uninitialized and can try again. A later input with another channel
 * count is an {@link IllegalArgumentException} naming both.
 */
public final class LazyConv2d extends Module {

    private final int outChannels;
    private final int kernelSize;
    private final Conv2dOptions options;
    // Written once, under the lock, weight last: a thread that sees the materialized weight sees the rest.
    private volatile Parameter weight;
    private volatile Parameter bias;
    private volatile int inChannels;

    public LazyConv2d(int outChannels, int kernelSize) {
        this(outChannels, kernelSize, Conv2dOptions.defaults());
    }

    public LazyConv2d(int outChannels, int kernelSize, Conv2dOptions options) {
        super(ConvParameters.checkOptions(options).device());
        LinearParameters.checkFeatures("outChannels", outChannels);
        LinearParameters.checkFeatures("kernelSize", kernelSize);
        if (outChannels % options.groups() != 0) {
            throw new IllegalArgumentException("LazyConv2d: out_channels " + outChannels
                    + " must be divisible by groups " + options.groups());
        }
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.options = options;
        this.weight = registerParameter("weight", new UninitializedParameter("LazyConv2d.weight"));
        this.bias = registerParameter("bias", options.bias() ? new UninitializedParameter("LazyConv2d.bias") : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        Parameter w = weight;
        if (!w.isInitialized()) {
            materializeFor(input);
            w = weight;
        } else if (input != null && !input.isClosed() && (input.dim() == 3 || input.dim() == 4)
                && input.shape(-3) != inChannels) {
            throw new IllegalArgumentException("LazyConv2d(" + extraRepr() + "): input " + Arrays.toString(input.shape())
                    + " has " + input.shape(-3) + " channels but in_channels is " + inChannels);
        }
        Parameter b = bias;
        return Torch.conv2d(input, w.data(), b == null ? null : b.data(), options.stride(), options.padding(),
                options.dilation(), options.groups());
    }

    private void materializeFor(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("LazyConv2d.forward: input must not be null");
        }
        if (input.isClosed()) {
            throw new IllegalStateException("LazyConv2d.forward: input " + input + " is closed");
        }
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException("LazyConv2d.forward: input " + Arrays.toString(input.shape())
                    + " must be [N, C, H, W] or [C, H, W] to take in_channels from");
        }
        if (!input.device().equals(device())) {
            throw new IllegalArgumentException("LazyConv2d.forward: input is on " + input.device()
                    + " but the layer materializes on " + device() + "; move one with .to(device)");
        }
        materialize(input.shape(-3), true);
    }

    /** Allocates (and with {@code initialize}, fills) the parameters once; later calls see them set. */
    private synchronized void materialize(int in, boolean initialize) {
        if (weight.isInitialized()) {
            return;
        }
        checkNotClosed();
        ConvParameters.checkGroups("LazyConv2d", in, outChannels, options.groups());
        WeightAndBias created = ConvParameters.create(device(), in, outChannels, kernelSize, options, initialize);
        inChannels = in;
        bias = registerParameter("bias", created.bias());
        weight = registerParameter("weight", created.weight());
    }

    /** 0 until materialized, then the channel count it learned. */
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

    /** An {@link UninitializedParameter} until materialized. */
    public Parameter weight() {
        return weight;
    }

    /** An {@link UninitializedParameter} until materialized; null without a bias. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        int rank = inputShape.length;
        if (!weight.isInitialized() && (rank == 3 || rank == 4)) {
            materialize(inputShape[rank - 3], true);
        }
        return ConvParameters.outputShape(this, inChannels, outChannels, kernelSize, options, inputShape);
    }

    @Override
    protected void checkState(String prefix, Map<String, Tensor> own, List<String> problems) {
        if (weight.isInitialized()) {
            super.checkState(prefix, own, problems);
            return;
        }
        int[] w = own.get("weight").shape();
        if (w.length != 4 || w[0] != outChannels || w[2] != kernelSize || w[3] != kernelSize) {
            problems.add(prefix + "weight has shape " + Arrays.toString(w) + " but LazyConv2d(out_channels="
                    + outChannels + ", kernel_size=" + kernelSize + ") needs [" + outChannels
                    + ", in_channels / groups, " + kernelSize + ", " + kernelSize + "]");
        }
        if (options.bias() && !Arrays.equals(own.get("bias").shape(), new int[] {outChannels})) {
            problems.add(prefix + "bias has shape " + Arrays.toString(own.get("bias").shape()) + " but must be ["
                    + outChannels + "]");
        }
    }

    @Override
    protected void materializeFromState(Map<String, Tensor> own) {
        materialize(own.get("weight").shape(1) * options.groups(), false);
    }

    @Override
    public Module to(Device target) {
        synchronized (this) {
            return super.to(target);
        }
    }

    @Override
    protected String extraRepr() {
        return ConvParameters.repr(inChannels, outChannels, kernelSize, options);
    }
}
