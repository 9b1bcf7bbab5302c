package org.torchcl.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;

/**
 * A stack of {@link TransformerEncoderLayer}s, each run on the previous one's output, then an
 * optional final {@link LayerNorm}, as {@code nn.TransformerEncoder(layer, n, norm)}. PyTorch
 * deep-copies one layer {@code n} times; here a factory makes each layer (it gets the index), so
 * every layer has its own parameters without a clone mechanism. Children are named as in PyTorch:
 * {@code layers.0.self_attn.in_proj_weight}, ..., and {@code norm.weight} when there is a norm.
 *
 * <p>PyTorch's eval-mode nested-tensor path (taken with a padding mask unless
 * {@code enable_nested_tensor=False}) returns zeros at padded positions; this always computes them,
 * as PyTorch's reference path does. The non-padded positions agree either way.
 */
public final class TransformerEncoder extends Module {

    private final List<TransformerEncoderLayer> layers;
    private final LayerNorm norm;

    /** {@code numLayers} layers, layer {@code i} made by {@code layerFactory.apply(i)}; no final norm. */
    public TransformerEncoder(IntFunction<TransformerEncoderLayer> layerFactory, int numLayers) {
        this(layerFactory, numLayers, null);
    }

    /** As {@link #TransformerEncoder(IntFunction, int)}, then {@code norm} (nullable) on the last layer's output. */
    public TransformerEncoder(IntFunction<TransformerEncoderLayer> layerFactory, int numLayers, LayerNorm norm) {
        if (layerFactory == null) {
            throw new IllegalArgumentException("TransformerEncoder: layerFactory must not be null");
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: numLayers must be at least 1, got " + numLayers);
        }
        ModuleList list = registerModule("layers", new ModuleList());
        List<TransformerEncoderLayer> made = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            TransformerEncoderLayer layer = layerFactory.apply(i);
            if (layer == null) {
                throw new IllegalArgumentException("TransformerEncoder: layerFactory returned null for layer " + i);
            }
            list.add(layer);
            made.add(layer);
        }
        this.layers = List.copyOf(made);
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** {@code src [B, L, d_model] -> [B, L, d_model]}. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null);
    }

    /**
     * As {@link #forward(Tensor)}, with {@code srcKeyPaddingMask [B, L]} (nullable; BOOL true =
     * padding) passed to every layer. Each layer's output is closed once the next has consumed it.
     */
    public Tensor forward(Tensor src, Tensor srcKeyPaddingMask) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = src;
            for (TransformerEncoderLayer layer : layers) {
                Tensor next = layer.forward(x, srcKeyPaddingMask);
                if (x != src) {
                    x.close();
                }
                x = next;
            }
            if (norm != null) {
                Tensor normed = norm.forward(x);
                x.close();
                x = normed;
            }
            return scope.keep(x);
        }
    }

    public int numLayers() {
        return layers.size();
    }

    public TransformerEncoderLayer layer(int index) {
        return layers.get(index);
    }

    /** The final norm, or null without one. */
    public LayerNorm norm() {
        return norm;
    }
}
