package org.torchcl.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.models.MiniLmResources;
import org.torchcl.models.SentencePooling;
import org.torchcl.models.WordPieceBatch;
import org.torchcl.models.WordPieceTokenizer;
import org.torchcl.onnx.OnnxModel;

/**
 * all-MiniLM-L6-v2 straight from its .onnx file through {@link OnnxModel} (no nn modules): the
 * graph gives {@code last_hidden_state}, then the same mean pooling and L2 normalization as
 * {@code SentenceEncoder}. The path {@code SentenceEmbeddings --onnx} takes.
 */
final class OnnxSentenceEncoder implements AutoCloseable {

    private final WordPieceTokenizer tokenizer;
    private final OnnxModel model;

    private OnnxSentenceEncoder(WordPieceTokenizer tokenizer, OnnxModel model) {
        this.tokenizer = tokenizer;
        this.model = model;
    }

    /** The model and tokenizer from the langchain4j artifact's resources, on {@code device}. */
    static OnnxSentenceEncoder allMiniLmL6V2(ClassLoader loader, Device device) throws IOException {
        WordPieceTokenizer tokenizer = MiniLmResources.tokenizer(loader);
        byte[] onnx = MiniLmResources.onnx(loader);
        return new OnnxSentenceEncoder(tokenizer, OnnxModel.load(ByteBuffer.wrap(onnx), device));
    }

    WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    OnnxModel model() {
        return model;
    }

    /** The unit-length embeddings {@code [sentences, 384]}; the caller owns the tensor. */
    Tensor encode(WordPieceBatch batch) {
        Device device = model.device();
        try (TensorScope scope = TensorScope.open()) {
            Tensor ids = batch.inputIdsTensor(device);
            Tensor mask = batch.attentionMaskTensor(device);
            Tensor types = org.torchcl.Torch.zeros(device, DType.INT64, ids.shape());
            Map<String, Tensor> out = model.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types));
            Tensor hidden = out.get("last_hidden_state");
            return scope.keep(SentencePooling.l2Normalize(SentencePooling.meanPooling(hidden, mask)));
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
