package org.torchcl.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.models.BertConfig;
import org.torchcl.models.SentenceEncoder;
import org.torchcl.models.WordPieceBatch;
import org.torchcl.nn.io.Safetensors;

/**
 * Sentence embeddings with all-MiniLM-L6-v2 (sentence-transformers' model, its weights and
 * tokenizer read from the langchain4j artifact on the classpath: no download), computed on the
 * chosen device: WordPiece tokens → 6-layer BERT → mean pooling → L2 normalization. Prints the
 * cosine similarity matrix (a matmul of the unit-length embeddings, on the device).
 *
 * <pre>
 * SentenceEmbeddings [--device D] [--onnx] [--out FILE.safetensors] [SENTENCE ...]
 * </pre>
 *
 * {@code --onnx} runs the model's .onnx file through {@code OnnxModel} instead of the BERT written
 * as nn modules (same weights, same pooling).
 *
 * Without sentences it embeds a default set. {@code --out} writes {@code input_ids} and
 * {@code attention_mask} (int64 {@code [n, length]}, padded to the longest sentence) and
 * {@code embeddings} (float32 {@code [n, 384]}), e.g. to compare with sentence-transformers in Python.
 */
public final class SentenceEmbeddings {

    static final String NAME = "SentenceEmbeddings";
    private static final Logger LOG = LoggerFactory.getLogger(SentenceEmbeddings.class);

    /** sentence-transformers' own example sentences: pairs of paraphrases and unrelated ones. */
    static final List<String> DEFAULT_SENTENCES = List.of(
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "A man is riding a horse.",
            "A man is riding a white horse on an enclosed ground.",
            "The girl is carrying a baby.",
            "A woman is playing violin.");

    private SentenceEmbeddings() {
    }

    record Options(List<String> sentences, Path out, boolean onnx) {

        static Options parse(List<String> args) {
            List<String> sentences = new ArrayList<>();
            Path out = null;
            boolean onnx = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--onnx")) {
                    onnx = true;
                } else if (arg.equals("--out")) {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("--out needs a file name");
                    }
                    out = Path.of(args.get(++i));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'; options: --device, --onnx,"
                            + " --out FILE, then the sentences");
                } else if (arg.isBlank()) {
                    throw new IllegalArgumentException("a sentence must not be blank");
                } else {
                    sentences.add(arg);
                }
            }
            return new Options(sentences.isEmpty() ? DEFAULT_SENTENCES : List.copyOf(sentences), out, onnx);
        }
    }

    static final Usage USAGE = Usage.of(NAME, "all-MiniLM-L6-v2 on the sentences given (or a default set): the cosine"
            + " similarity matrix.")
            .flag("--onnx", "run the model's .onnx file through OnnxModel instead of the nn modules")
            .text("--out", "FILE", "also write input_ids, attention_mask and embeddings to this safetensors file")
            .operands("[SENTENCE...]", "the sentences to embed");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, Options::parse, (device, out, options) -> run(device, out, options));
    }

    static void run(Device device, PrintStream out, List<String> args) {
        run(device, out, Options.parse(args));
    }

    static void run(Device device, PrintStream out, Options options) {
        CommandLine.header(out, NAME, device);
        List<String> sentences = options.sentences();
        try (SentenceEncoder encoder = options.onnx() ? null : load(device, out);
             OnnxSentenceEncoder graph = options.onnx() ? loadOnnx(device, out) : null) {
            WordPieceBatch batch = (graph != null ? graph.tokenizer() : encoder.tokenizer()).encodeBatch(sentences);
            out.println("sentences (tokens with [CLS] and [SEP]):");
            for (int i = 0; i < sentences.size(); i++) {
                out.printf("  [%d] %s (%d)%n", i, sentences.get(i), batch.tokens(i));
            }
            long start = System.nanoTime();
            try (TensorScope scope = TensorScope.open()) {
                Tensor embeddings = graph != null ? graph.encode(batch) : encoder.encode(batch);
                // Unit-length rows: the cosine similarity of every pair is one matmul, on the device.
                float[] similarity = embeddings.matmul(embeddings.t()).toArray();
                out.printf(Locale.ROOT, "embeddings: %s, padded length %d, in %.2f s%n",
                        java.util.Arrays.toString(embeddings.shape()), batch.length(), (System.nanoTime() - start) / 1e9);
                printMatrix(similarity, sentences.size(), out);
                if (options.out() != null) {
                    Map<String, Tensor> tensors = new LinkedHashMap<>();
                    tensors.put("input_ids", batch.inputIdsTensor(device));
                    tensors.put("attention_mask", batch.attentionMaskTensor(device));
                    tensors.put("embeddings", embeddings);
                    Safetensors.save(tensors, Map.of("model", "sentence-transformers/all-MiniLM-L6-v2",
                            "written_by", "torchcl SentenceEmbeddings on " + device,
                            "sentences", String.join("\n", sentences)), options.out());
                    out.println("wrote " + tensors.keySet() + " to " + options.out().toAbsolutePath());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** all-MiniLM-L6-v2 on {@code device}, from the langchain4j artifact's resources. */
    static SentenceEncoder load(Device device, PrintStream out) throws IOException {
        long start = System.nanoTime();
        LOG.info("loading all-MiniLM-L6-v2 (90 MB ONNX) onto {}", device);
        SentenceEncoder encoder = SentenceEncoder.allMiniLmL6V2(SentenceEmbeddings.class.getClassLoader(), device);
        BertConfig config = encoder.model().config();
        out.printf(Locale.ROOT, "model: all-MiniLM-L6-v2 (%d layers, hidden %d, vocabulary %d), loaded in %.1f s%n",
                config.numHiddenLayers(), config.hiddenSize(), encoder.tokenizer().vocabSize(),
                (System.nanoTime() - start) / 1e9);
        return encoder;
    }

    /** The same model from its .onnx file through OnnxModel. */
    static OnnxSentenceEncoder loadOnnx(Device device, PrintStream out) throws IOException {
        long start = System.nanoTime();
        OnnxSentenceEncoder encoder = OnnxSentenceEncoder.allMiniLmL6V2(SentenceEmbeddings.class.getClassLoader(), device);
        out.printf(Locale.ROOT, "model: all-MiniLM-L6-v2 from its .onnx through OnnxModel (opset %d, %d ops, fused %s),"
                + " loaded in %.1f s%n", encoder.model().opsetVersion(), encoder.model().stepCount(),
                encoder.model().fusedSubgraphs(), (System.nanoTime() - start) / 1e9);
        return encoder;
    }

    private static void printMatrix(float[] similarity, int n, PrintStream out) {
        out.println("cosine similarity:");
        StringBuilder head = new StringBuilder("     ");
        for (int j = 0; j < n; j++) {
            head.append(String.format(Locale.ROOT, " %6s", "[" + j + "]"));
        }
        out.println(head);
        int bestI = -1;
        int bestJ = -1;
        for (int i = 0; i < n; i++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%5s", "[" + i + "]"));
            for (int j = 0; j < n; j++) {
                float s = similarity[i * n + j];
                row.append(String.format(Locale.ROOT, " %6.3f", s));
                if (j > i && (bestI < 0 || s > similarity[bestI * n + bestJ])) {
                    bestI = i;
                    bestJ = j;
                }
            }
            out.println(row);
        }
        if (bestI >= 0) {
            out.printf(Locale.ROOT, "most similar pair: [%d] and [%d], %.3f%n", bestI, bestJ, similarity[bestI * n + bestJ]);
        }
    }
}
