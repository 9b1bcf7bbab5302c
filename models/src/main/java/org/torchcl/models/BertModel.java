package org.torchcl.models;

import java.io.IOException;
import java.nio.file.Path;
import org.torchcl.Activation;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.nn.Embedding;
import org.torchcl.nn.LayerNorm;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Module;
import org.torchcl.nn.ModuleList;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.OnnxGraph;
import org.torchcl.nn.io.OnnxInitializers;

/**
 * A BERT encoder (Hugging Face's {@code BertModel} without the pooler) built from torchcl's nn
 * modules, with Hugging Face's module tree, so a checkpoint's state dict loads unchanged:
 * {@code embeddings.word_embeddings/position_embeddings/token_type_embeddings/LayerNorm},
 * {@code embeddings.position_ids} (a buffer), and per layer N
 * {@code encoder.layer.N.attention.self.query/key/value},
 * {@code encoder.layer.N.attention.output.dense/LayerNorm}, {@code encoder.layer.N.intermediate.dense},
 * {@code encoder.layer.N.output.dense/LayerNorm}. Post-norm layers with exact (erf) GELU, as BERT.
 *
 * <p>Inference only: dropout is left out (the identity in eval mode). {@link #forward(Tensor, Tensor)}
 * gives {@code last_hidden_state}; padded positions are excluded from attention through a
 * boolean mask, so a sentence's hidden states do not depend on how much padding its batch has.
 */
public final class BertModel extends Module {

    private final BertConfig config;
    private final Embeddings embeddings;
    private final Encoder encoder;

    public BertModel(BertConfig config) {
        this(config, null);
    }

    /** A randomly initialized model on {@code device} (the default device when null); load weights next. */
    public BertModel(BertConfig config, Device device) {
        super(device);
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.embeddings = registerModule("embeddings", new Embeddings(config, device()));
        this.encoder = registerModule("encoder", new Encoder(config, device()));
    }

    /**
     * The model exported to ONNX at {@code path} (as Hugging Face's and sentence-transformers'
     * exports are), its weights under their PyTorch names by {@link OnnxInitializers#loadPyTorchNamed}.
     */
    public static BertModel fromOnnx(Path path, BertConfig config, Device device) throws IOException {
        return fromOnnx(OnnxGraph.read(path), config, device);
    }

    /** As {@link #fromOnnx(Path, BertConfig, Device)} for a graph already read. */
    public static BertModel fromOnnx(OnnxGraph graph, BertConfig config, Device device) throws IOException {
        BertModel model = new BertModel(config, device);
        try (LoadedTensors weights = OnnxInitializers.loadPyTorchNamed(graph, model.device())) {
            model.loadStateDict(weights);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    public BertConfig config() {
        return config;
    }

    /** {@code last_hidden_state [B, S, hidden]} for {@code inputIds [B, S]}, every position a real token. */
    @Override
    public Tensor forward(Tensor inputIds) {
        return forward(inputIds, null, null);
    }

    /** {@code last_hidden_state [B, S, hidden]}; {@code attentionMask [B, S]} is nonzero at real tokens. */
    public Tensor forward(Tensor inputIds, Tensor attentionMask) {
        return forward(inputIds, attentionMask, null);
    }

    /**
     * {@code last_hidden_state [B, S, hidden]} for integer {@code inputIds [B, S]};
     * {@code attentionMask [B, S]} (nullable: all real) is nonzero at real tokens, and
     * {@code tokenTypeIds [B, S]} (nullable: all 0, a single sentence) selects the segment.
     */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        if (inputIds == null || inputIds.dim() != 2 || !inputIds.dtype().isInteger()) {
            throw new IllegalArgumentException("inputIds must be an integer tensor [batch, sequence], got " + inputIds);
        }
        int batch = inputIds.shape(0);
        int length = inputIds.shape(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + length + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        try (TensorScope scope = TensorScope.open()) {
            // SDPA's convention: true where attention is allowed, broadcast over heads and queries.
            Tensor allowed = attentionMask == null ? null : attentionMask.ne(0.0).view(batch, 1, 1, length);
            Tensor hidden = embeddings.forward(inputIds, tokenTypeIds);
            return scope.keep(encoder.forward(hidden, allowed));
        }
    }

    /** {@code embeddings}: word + position + token type, then LayerNorm. */
    static final class Embeddings extends Module {
        private final Embedding wordEmbeddings;
        private final Embedding positionEmbeddings;
        private final Embedding tokenTypeEmbeddings;
        private final LayerNorm layerNorm;

        Embeddings(BertConfig config, Device device) {
            super(device);
            wordEmbeddings = registerModule("word_embeddings",
                    new Embedding(config.vocabSize(), config.hiddenSize(), device));
            positionEmbeddings = registerModule("position_embeddings",
                    new Embedding(config.maxPositionEmbeddings(), config.hiddenSize(), device));
            tokenTypeEmbeddings = registerModule("token_type_embeddings",
                    new Embedding(config.typeVocabSize(), config.hiddenSize(), device));
            layerNorm = registerModule("LayerNorm",
                    new LayerNorm(new int[] {config.hiddenSize()}, config.layerNormEps(), device));
            // Hugging Face's buffer (exports carry it); positions are its first S entries.
            try (Tensor positions = Torch.arange(device, config.maxPositionEmbeddings())) {
                registerBuffer("position_ids", positions.view(1, config.maxPositionEmbeddings()));
            }
        }

        @Override
        public Tensor forward(Tensor inputIds) {
            return forward(inputIds, null);
        }

        Tensor forward(Tensor inputIds, Tensor tokenTypeIds) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor positions = buffer("position_ids").narrow(1, 0, inputIds.shape(1));
                Tensor types = tokenTypeIds != null ? tokenTypeEmbeddings.forward(tokenTypeIds)
                        : tokenTypeEmbeddings.weight().data().select(0, 0);
                Tensor sum = wordEmbeddings.forward(inputIds).add(types).add(positionEmbeddings.forward(positions));
                return scope.keep(layerNorm.forward(sum));
            }
        }
    }

    /** {@code encoder}: the stack of layers, children {@code layer.0}, {@code layer.1}, ... */
    static final class Encoder extends Module {
        private final ModuleList layer;

        Encoder(BertConfig config, Device device) {
            super(device);
            layer = registerModule("layer", new ModuleList());
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                layer.add(new Layer(config, device));
            }
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return forward(hidden, null);
        }

        Tensor forward(Tensor hidden, Tensor allowed) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor h = hidden;
                for (Module m : layer.children()) {
                    h = ((Layer) m).forward(h, allowed);
                }
                return scope.keep(h);
            }
        }
    }

    /** {@code encoder.layer.N}: self-attention, then the feed-forward block, each post-norm with a residual. */
    static final class Layer extends Module {
        private final Attention attention;
        private final Intermediate intermediate;
        private final Output output;

        Layer(BertConfig config, Device device) {
            super(device);
            attention = registerModule("attention", new Attention(config, device));
            intermediate = registerModule("intermediate", new Intermediate(config, device));
            output = registerModule("output", new Output(config.intermediateSize(), config, device));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return forward(hidden, null);
        }

        Tensor forward(Tensor hidden, Tensor allowed) {
            try (TensorScope scope = TensorScope.open()) {
                Tensor attended = attention.forward(hidden, allowed);
                return scope.keep(output.forward(intermediate.forward(attended), attended));
            }
        }
    }

    /** {@code attention}: {@code self} (multi-head attention) and {@code output} (projection, residual, LayerNorm). */
    static final class Attention extends Module {
        private final SelfAttention self;
        private final Output output;

        Attention(BertConfig config, Device device) {
            super(device);
            self = registerModule("self", new SelfAttention(config, device));
            output = registerModule("output", new Output(config.hiddenSize(), config, device));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return forward(hidden, null);
        }

        Tensor forward(Tensor hidden, Tensor allowed) {
            try (TensorScope scope = TensorScope.open()) {
                return scope.keep(output.forward(self.forward(hidden, allowed), hidden));
            }
        }
    }

    /**
     * {@code attention.self}: the query, key and value projections split into heads, and
     * scaled dot-product attention over them; gives the heads' contexts merged back to {@code [B, S, H]}.
     */
    static final class SelfAttention extends Module {
        private final int heads;
        private final int headSize;
        private final Linear query;
        private final Linear key;
        private final Linear value;

        SelfAttention(BertConfig config, Device device) {
            super(device);
            heads = config.numAttentionHeads();
            headSize = config.headSize();
            LinearOptions options = LinearOptions.defaults().withDevice(device);
            query = registerModule("query", new Linear(config.hiddenSize(), config.hiddenSize(), options));
            key = registerModule("key", new Linear(config.hiddenSize(), config.hiddenSize(), options));
            value = registerModule("value", new Linear(config.hiddenSize(), config.hiddenSize(), options));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return forward(hidden, null);
        }

        /** {@code allowed} (nullable): BOOL, broadcast to {@code [B, heads, S, S]}, true where attention is allowed. */
        Tensor forward(Tensor hidden, Tensor allowed) {
            try (TensorScope scope = TensorScope.open()) {
                int batch = hidden.shape(0);
                int length = hidden.shape(1);
                Tensor context = Torch.scaledDotProductAttention(split(query.forward(hidden)),
                        split(key.forward(hidden)), split(value.forward(hidden)), allowed, false);
                return scope.keep(context.transpose(1, 2).contiguous().view(batch, length, heads * headSize));
            }
        }

        /** {@code [B, S, H]} as {@code [B, heads, S, headSize]} (a view). */
        private Tensor split(Tensor x) {
            return x.view(x.shape(0), x.shape(1), heads, headSize).transpose(1, 2);
        }
    }

    /** {@code intermediate}: the feed-forward expansion {@code dense}, then exact (erf) GELU. */
    static final class Intermediate extends Module {
        private final Linear dense;

        Intermediate(BertConfig config, Device device) {
            super(device);
            dense = registerModule("dense", new Linear(config.hiddenSize(), config.intermediateSize(),
                    LinearOptions.defaults().withDevice(device)));
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return dense.forward(hidden, Activation.GELU);
        }
    }

    /** {@code attention.output} and {@code output}: {@code LayerNorm(dense(x) + residual)}. */
    static final class Output extends Module {
        private final Linear dense;
        private final LayerNorm layerNorm;

        Output(int inFeatures, BertConfig config, Device device) {
            super(device);
            dense = registerModule("dense", new Linear(inFeatures, config.hiddenSize(),
                    LinearOptions.defaults().withDevice(device)));
            layerNorm = registerModule("LayerNorm",
                    new LayerNorm(new int[] {config.hiddenSize()}, config.layerNormEps(), device));
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException("an output block needs its residual: forward(x, residual)");
        }

        Tensor forward(Tensor x, Tensor residual) {
            try (TensorScope scope = TensorScope.open()) {
                return scope.keep(layerNorm.forward(dense.forward(x).add(residual)));
            }
        }
    }
}
