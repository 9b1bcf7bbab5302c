package org.torchcl.nn;

import org.torchcl.Device;

/**
 * The keyword arguments of {@code nn.TransformerEncoderLayer} beyond {@code (d_model, nhead,
 * dim_feedforward)}, with PyTorch's defaults: {@code activation} {@code "relu"} or {@code "gelu"}
 * (exact, erf-based, as PyTorch's string {@code "gelu"}), {@code layerNormEps} 1e-5,
 * {@code normFirst} false (post-norm), {@code dropout} 0.1. {@code device} (null: the default
 * device) is where the parameters are made. {@code batch_first} has no option: torchcl's
 * attention is always batch-first.
 *
 * <p>{@code dropout} sets the layer's {@link Dropout} modules, which are identity in
 * {@link Module#eval() eval} mode, so it does not change inference.
 */
public record TransformerOptions(String activation, double layerNormEps, boolean normFirst, double dropout,
                                 Device device) {

    public TransformerOptions {
        if (!"relu".equals(activation) && !"gelu".equals(activation)) {
            throw new IllegalArgumentException("activation must be \"relu\" or \"gelu\", got "
                    + (activation == null ? "null" : "\"" + activation + "\""));
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be a positive number, got " + layerNormEps);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1], got " + dropout);
        }
    }

    /** PyTorch's defaults: relu, eps 1e-5, post-norm, dropout 0.1, the default device. */
    public static TransformerOptions defaults() {
        return new TransformerOptions("relu", 1e-5, false, 0.1, null);
    }

    public TransformerOptions withActivation(String activation) {
        return new TransformerOptions(activation, layerNormEps, normFirst, dropout, device);
    }

    public TransformerOptions withLayerNormEps(double layerNormEps) {
        return new TransformerOptions(activation, layerNormEps, normFirst, dropout, device);
    }

    /** True: pre-norm ({@code x + sa(norm1(x))}); false: post-norm ({@code norm1(x + sa(x))}). */
    public TransformerOptions withNormFirst(boolean normFirst) {
        return new TransformerOptions(activation, layerNormEps, normFirst, dropout, device);
    }

    public TransformerOptions withDropout(double dropout) {
        return new TransformerOptions(activation, layerNormEps, normFirst, dropout, device);
    }

    public TransformerOptions withDevice(Device device) {
        return new TransformerOptions(activation, layerNormEps, normFirst, dropout, device);
    }
}
