package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;

/**
 * One encoder block as {@code nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
 * batch_first=True, ...)}: self-attention and a feed-forward network
 * ({@code linear2(activation(linear1(x)))}), each with a residual connection and a LayerNorm.
 * Post-norm (PyTorch's default): {@code x = norm1(x + sa(x)); x = norm2(x + ff(x))}; pre-norm
 * ({@link TransformerOptions#normFirst()}): {@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}.
 * This is PyTorch 1.13's {@code forward}; its eval-mode fast path computes the same.
 *
 * <p>Children carry PyTorch's names ({@code self_attn}, {@code linear1}, {@code dropout},
 * {@code linear2}, {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}), so its
 * state dicts load unchanged. The activation is a function, not a child, as in PyTorch. Input and
 * output are {@code [batch, length, d_model]}; see {@link MultiheadAttention} for what attention
 * leaves out (no {@code src_mask}, no attention-weight dropout).
 */
public final class TransformerEncoderLayer extends Module {

    private final int dModel;
    private final TransformerOptions options;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;

    /** A post-norm ReLU layer with PyTorch's defaults ({@link TransformerOptions#defaults()}). */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward) {
        this(dModel, nhead, dimFeedforward, TransformerOptions.defaults());
    }

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, TransformerOptions options) {
        super(checkOptions(options).device());
        if (dimFeedforward < 1) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dim_feedforward must be at least 1, got "
                    + dimFeedforward);
        }
        this.dModel = dModel;
        this.options = options;
        LinearOptions linear = LinearOptions.defaults().withDevice(device());
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, device()));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, linear));
        this.dropout = registerModule("dropout", new Dropout(options.dropout()));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, linear));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, options.layerNormEps(), device()));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, options.layerNormEps(), device()));
        this.dropout1 = registerModule("dropout1", new Dropout(options.dropout()));
        this.dropout2 = registerModule("dropout2", new Dropout(options.dropout()));
    }

    private static TransformerOptions checkOptions(TransformerOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use TransformerOptions.defaults())");
        }
        return options;
    }

    /** {@code src [B, L, d_model] -> [B, L, d_model]}. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null);
    }

    /**
     * As {@link #forward(Tensor)}, with keys marked in {@code srcKeyPaddingMask [B, L]} (nullable)
     * ignored by the attention; MHA's convention: BOOL true = padding (see
     * {@link MultiheadAttention#forward(Tensor, Tensor, Tensor, Tensor)}). Padded positions still
     * get an output, computed from the unpadded keys, as PyTorch's reference path does.
     */
    public Tensor forward(Tensor src, Tensor srcKeyPaddingMask) {
        if (src == null || src.dim() != 3 || src.shape(2) != dModel) {
            throw new IllegalArgumentException("TransformerEncoderLayer(d_model=" + dModel + ").forward: src "
                    + (src == null ? "null" : Arrays.toString(src.shape())) + " must be [B, L, " + dModel
                    + "] (batch first)");
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor x;
            if (options.normFirst()) {
                Tensor h = src.add(selfAttentionBlock(norm1.forward(src), srcKeyPaddingMask));
                x = h.add(feedForwardBlock(norm2.forward(h)));
            } else {
                Tensor h = norm1.forward(src.add(selfAttentionBlock(src, srcKeyPaddingMask)));
                x = norm2.forward(h.add(feedForwardBlock(h)));
            }
            return scope.keep(x);
        }
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor keyPaddingMask) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask));
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor hidden = linear1.forward(x);
        Tensor activated = "gelu".equals(options.activation()) ? hidden.gelu() : hidden.relu();
        return dropout2.forward(linear2.forward(dropout.forward(activated)));
    }

    public int dModel() {
        return dModel;
    }

    public TransformerOptions options() {
        return options;
    }

    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    public Linear linear1() {
        return linear1;
    }

    public Linear linear2() {
        return linear2;
    }

    public LayerNorm norm1() {
        return norm1;
    }

    public LayerNorm norm2() {
        return norm2;
    }

    @Override
    protected String extraRepr() {
        return "activation=" + options.activation() + ", norm_first=" + options.normFirst();
    }
}
