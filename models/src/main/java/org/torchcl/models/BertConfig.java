package org.torchcl.models;

/**
 * The sizes of a BERT encoder, as Hugging Face's {@code BertConfig} names them. The weights fix
 * every size but the head count, which only the attention's reshape reveals, so a config is given
 * rather than guessed.
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                         int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps) {

    public BertConfig {
        if (vocabSize < 1 || hiddenSize < 1 || numHiddenLayers < 1 || numAttentionHeads < 1 || intermediateSize < 1
                || maxPositionEmbeddings < 1 || typeVocabSize < 1 || !(layerNormEps > 0)) {
            throw new IllegalArgumentException("every BERT size must be positive: " + this);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numAttentionHeads "
                    + numAttentionHeads);
        }
    }

    /** sentence-transformers/all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads of 32, FFN 1536. */
    public static BertConfig allMiniLmL6V2() {
        return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12);
    }

    /** Each head's width. */
    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }
}
