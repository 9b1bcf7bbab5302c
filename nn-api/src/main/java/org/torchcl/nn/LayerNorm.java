package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Normalizes over the trailing {@code normalizedShape} dims and applies an elementwise affine map,
 * as {@code nn.LayerNorm}: parameters {@code weight} (ones) and {@code bias} (zeros), both of
 * {@code normalizedShape}; no buffers, so it behaves the same in training and eval mode.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int normalizedSize) {
        this(normalizedSize, BatchNorm.DEFAULT_EPS);
    }

    public LayerNorm(int normalizedSize, double eps) {
        this(new int[] {normalizedSize}, eps);
    }

    public LayerNorm(int[] normalizedShape, double eps) {
        this(normalizedShape, eps, null);
    }

    /** On {@code device}, or on the default device of this moment when it is null. */
    public LayerNorm(int[] normalizedShape, double eps, Device device) {
        super(device);
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must name at least one dim, got "
                    + Arrays.toString(normalizedShape));
        }
        for (int d : normalizedShape) {
            if (d < 1) {
                throw new IllegalArgumentException("LayerNorm: normalizedShape " + Arrays.toString(normalizedShape)
                        + " has a dim < 1");
            }
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("LayerNorm: eps must be finite and > 0, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        Tensor w = Torch.ones(device(), normalizedShape);
        Tensor b;
        try {
            b = Torch.zeros(device(), normalizedShape);
        } catch (RuntimeException | Error e) {
            w.close();
            throw e;
        }
        this.weight = registerParameter("weight", new Parameter(w));
        this.bias = registerParameter("bias", new Parameter(b));
    }

    @Override
    public Tensor forward(Tensor input) {
        return Torch.layerNorm(input, normalizedShape, weight.data(), bias.data(), eps);
    }

    /** A copy of the trailing shape it normalizes over. */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    public double eps() {
        return eps;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        int lead = inputShape.length - normalizedShape.length;
        if (lead < 0 || !Arrays.equals(Arrays.copyOfRange(inputShape, lead, inputShape.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm(" + extraRepr() + "): input shape " + Arrays.toString(inputShape)
                    + " does not end with " + Arrays.toString(normalizedShape));
        }
        return inputShape;
    }

    @Override
    protected String extraRepr() {
        StringBuilder shape = new StringBuilder("(");
        for (int d : normalizedShape) {
            shape.append(d).append(",").append(normalizedShape.length > 1 ? " " : "");
        }
        String dims = normalizedShape.length > 1 ? shape.substring(0, shape.length() - 2) : shape.toString();
        return dims + ")" + ", eps=" + eps + ", elementwise_affine=true";
    }
}
