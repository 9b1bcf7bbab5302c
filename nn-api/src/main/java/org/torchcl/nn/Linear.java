package org.torchcl.nn;

import org.torchcl.Activation;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * {@code y = x W^T + b}: input {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]}, output
 * {@code [..., out]}. The weight is Kaiming-uniform, U(-1/sqrt(in), 1/sqrt(in)) from the default
 * generator, filled on the device; the bias starts at zero (torchcl's rule for Linear and
 * LazyLinear alike, so the two agree for the same seed). One gemm with the bias fused.
 */
public final class Linear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, LinearOptions.defaults());
    }

    public Linear(int inFeatures, int outFeatures, LinearOptions options) {
        super(checkOptions(options).device());
        LinearParameters.checkFeatures("inFeatures", inFeatures);
        LinearParameters.checkFeatures("outFeatures", outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        WeightAndBias created = LinearParameters.create(device(), inFeatures, outFeatures, options.bias(), true);
        this.weight = registerParameter("weight", created.weight());
        this.bias = registerParameter("bias", created.bias());
    }

    static LinearOptions checkOptions(LinearOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use LinearOptions.defaults())");
        }
        return options;
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, Activation.NONE);
    }

    /**
     * This layer followed by {@code activation} (a ReLU or GELU module after it), in one pass: see
     * {@link Torch#linear(Tensor, Tensor, Tensor, Activation)}.
     */
    public Tensor forward(Tensor input, Activation activation) {
        return Torch.linear(input, weight.data(), bias == null ? null : bias.data(), activation);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public boolean useBias() {
        return bias != null;
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
        return LinearParameters.outputShape(this, inFeatures, outFeatures, inputShape);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + useBias();
    }
}
