package org.torchcl.models;

import org.torchcl.Tensor;
import org.torchcl.TensorScope;

/**
 * The sentence-transformers pooling that turns BERT's token states into one sentence vector: the
 * mean over real tokens (padding excluded by the attention mask, so padding never shifts it), then
 * L2 normalization, so cosine similarity is a dot product.
 */
public final class SentencePooling {

    /** sentence-transformers' floor on the token count, and {@code F.normalize}'s on the norm. */
    private static final double MIN_COUNT = 1e-9;
    private static final double MIN_NORM = 1e-12;

    private SentencePooling() {
    }

    /** {@code sum(hidden * mask) / max(sum(mask), 1e-9)} over the sequence: {@code [B, S, H], [B, S] -> [B, H]}. */
    public static Tensor meanPooling(Tensor hidden, Tensor attentionMask) {
        if (hidden == null || attentionMask == null || hidden.dim() != 3 || attentionMask.dim() != 2
                || hidden.shape(0) != attentionMask.shape(0) || hidden.shape(1) != attentionMask.shape(1)) {
            throw new IllegalArgumentException("meanPooling needs hidden [B, S, H] and attentionMask [B, S], got "
                    + hidden + " and " + attentionMask);
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor weights = attentionMask.ne(0.0).to(hidden.dtype()).unsqueeze(-1);
            Tensor sum = hidden.mul(weights).sum(1);
            Tensor count = weights.sum(1).clamp(MIN_COUNT, Double.MAX_VALUE);
            return scope.keep(sum.div(count));
        }
    }

    /** Each row divided by its L2 norm (at least 1e-12), as {@code F.normalize(x, p=2, dim=-1)}. */
    public static Tensor l2Normalize(Tensor x) {
        if (x == null) {
            throw new IllegalArgumentException("x must not be null");
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor norm = x.mul(x).sum(-1, true).sqrt().clamp(MIN_NORM, Double.MAX_VALUE);
            return scope.keep(x.div(norm));
        }
    }
}
