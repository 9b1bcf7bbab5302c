package org.torchcl.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * A {@link Linear} that learns {@code in_features} from the first input it sees. Until then it holds
 * no memory: {@link #inFeatures()} is 0 and {@link #weight()}/{@link #bias()} are
 * {@link UninitializedParameter}s. The first {@link #forward} (or {@link #initialize}, or
 * {@link #loadStateDict}) allocates the weight {@code [out, in]} and bias {@code [out]} on the
 * module's device and fills them there exactly as {@code Linear(in, out)} would; from then on a
 * forward costs what Linear's does, plus two volatile field reads (weight and bias).
 *
 * <p>Materialization happens once, even when several threads run the first forward together. If
 * it fails (say the device is out of memory), the layer stays uninitialized and can try again.
 */
public final class LazyLinear extends Module {

    private final int outFeatures;
    private final boolean useBias;
    // Written once, under the lock, weight last: a thread that sees the materialized weight sees the rest.
    private volatile Parameter weight;
    private volatile Parameter bias;
    private volatile int inFeatures;

    public LazyLinear(int outFeatures) {
        this(outFeatures, LinearOptions.defaults());
    }

    public LazyLinear(int outFeatures, LinearOptions options) {
        super(Linear.checkOptions(options).device());
        LinearParameters.checkFeatures("outFeatures", outFeatures);
        this.outFeatures = outFeatures;
        this.useBias = options.bias();
        this.weight = registerParameter("weight", new UninitializedParameter("LazyLinear.weight"));
        this.bias = registerParameter("bias", useBias ? new UninitializedParameter("LazyLinear.bias") : null);
    }

    @Override
    public Tensor forward(Tensor input) {
        Parameter w = weight;
        if (!w.isInitialized()) {
            materializeFor(input);
            w = weight;
        }
        Parameter b = bias;
        return Torch.linear(input, w.data(), b == null ? null : b.data());
    }

    private void materializeFor(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("LazyLinear.forward: input must not be null");
        }
        if (input.isClosed()) {
            throw new IllegalStateException("LazyLinear.forward: input " + input + " is closed");
        }
        if (input.dim() == 0) {
            throw new IllegalArgumentException("LazyLinear.forward: input " + input
                    + " has no last dim to take in_features from");
        }
        if (!input.device().equals(device())) {
            throw new IllegalArgumentException("LazyLinear.forward: input is on " + input.device()
                    + " but the layer materializes on " + device() + "; move one with .to(device)");
        }
        materialize(input.shape(-1), true);
    }

    /** Allocates (and with {@code initialize}, fills) the parameters once; later calls see them set. */
    private synchronized void materialize(int in, boolean initialize) {
        if (weight.isInitialized()) {
            return;
        }
        checkNotClosed();
        WeightAndBias created = LinearParameters.create(device(), in, outFeatures, useBias, initialize);
        inFeatures = in;
        bias = registerParameter("bias", created.bias());
        weight = registerParameter("weight", created.weight());
    }

    /** 0 until materialized, then the input width it learned. */
    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public boolean useBias() {
        return useBias;
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
        if (!weight.isInitialized()) {
            materialize(inputShape[inputShape.length - 1], true);
        }
        return LinearParameters.outputShape(this, inFeatures, outFeatures, inputShape);
    }

    @Override
    protected void checkState(String prefix, Map<String, Tensor> own, List<String> problems) {
        if (weight.isInitialized()) {
            super.checkState(prefix, own, problems);
            return;
        }
        int[] w = own.get("weight").shape();
        if (w.length != 2 || w[0] != outFeatures) {
            problems.add(prefix + "weight has shape " + Arrays.toString(w) + " but LazyLinear(out_features="
                    + outFeatures + ") needs [" + outFeatures + ", in_features]");
        }
        if (useBias && !Arrays.equals(own.get("bias").shape(), new int[] {outFeatures})) {
            problems.add(prefix + "bias has shape " + Arrays.toString(own.get("bias").shape()) + " but must be ["
                    + outFeatures + "]");
        }
    }

    @Override
    protected void materializeFromState(Map<String, Tensor> own) {
        materialize(own.get("weight").shape(1), false);
    }

    @Override
    public Module to(Device target) {
        synchronized (this) {
            return super.to(target);
        }
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures() + ", out_features=" + outFeatures + ", bias=" + useBias;
    }
}
