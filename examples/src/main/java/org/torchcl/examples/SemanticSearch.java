package org.torchcl.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.models.SentenceEncoder;

/**
 * Semantic search with all-MiniLM-L6-v2: embeds a corpus of short sentences (by default the 300
 * bundled one-line facts), then answers each query with the top-k corpus sentences by cosine
 * similarity. Everything after tokenization runs on the chosen device: the embeddings, the scores
 * (one matmul of unit-length rows, {@code [queries, corpus]}) and the top-k, which torchcl has no
 * op for: k rounds of {@code argmax} over each row, the winner then masked to -inf with
 * {@code maskedFill}. Only the k indices and scores per query come back to the host.
 *
 * <pre>
 * SemanticSearch [--device D] [--corpus FILE] [--limit N] [--top K] [--batch B] [QUERY ...]
 * </pre>
 *
 * {@code --corpus}: one sentence per line (blank lines skipped) instead of the bundled facts;
 * {@code --limit}: only the first N sentences; {@code --top}: k (default 5); {@code --batch}:
 * sentences per forward pass while embedding (default 64).
 */
public final class SemanticSearch {

    static final String NAME = "SemanticSearch";
    static final String FACTS = "/org/torchcl/examples/search/facts.txt";
    private static final Logger LOG = LoggerFactory.getLogger(SemanticSearch.class);

    static final List<String> DEFAULT_QUERIES = List.of(
            "What is the capital city of France?",
            "How long does sunlight take to get here?",
            "What is the biggest animal that ever lived?",
            "Who painted the Mona Lisa?",
            "When did astronauts first land on the Moon?");

    private SemanticSearch() {
    }

    record Options(Path corpus, int limit, int top, int batch, List<String> queries) {

        static Options parse(List<String> args) {
            List<String> queries = new ArrayList<>();
            List<String> options = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (List.of("--corpus", "--limit", "--top", "--batch").contains(arg)) {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    options.add(arg);
                    options.add(args.get(++i));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'; options: --device, --corpus FILE,"
                            + " --limit N, --top K, --batch B, then the queries");
                } else if (arg.isBlank()) {
                    throw new IllegalArgumentException("a query must not be blank");
                } else {
                    queries.add(arg);
                }
            }
            Path corpus = CommandLine.option(options, "--corpus").map(Path::of).orElse(null);
            if (corpus != null && !Files.isRegularFile(corpus)) {
                throw new IllegalArgumentException("--corpus: no such file " + corpus.toAbsolutePath());
            }
            return new Options(corpus,
                    ResNetInference.positive(options, "--limit", Integer.MAX_VALUE),
                    ResNetInference.positive(options, "--top", 5),
                    ResNetInference.positive(options, "--batch", 64),
                    queries.isEmpty() ? DEFAULT_QUERIES : List.copyOf(queries));
        }
    }

    static final Usage USAGE = Usage.of(NAME, "Embeds a corpus with all-MiniLM-L6-v2 and answers each query with its"
            + " top-k sentences by cosine.")
            .text("--corpus", "FILE", "one sentence a line (default: 300 bundled facts)")
            .integer("--limit", "N", 1, "embed only the first N sentences")
            .integer("--top", "K", 1, "answers per query (default 5)")
            .integer("--batch", "B", 1, "sentences embedded per forward (default 64)")
            .operands("[QUERY...]", "the queries (default: five examples)");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, rest -> {
            Options options = Options.parse(rest);
            return Map.entry(options, corpus(options));
        }, (device, out, parsed) -> run(device, out, parsed.getKey(), parsed.getValue()));
    }

    static void run(Device device, PrintStream out, List<String> args) {
        Options options = Options.parse(args);
        run(device, out, options, corpus(options));
    }

    static void run(Device device, PrintStream out, Options options, List<String> lines) {
        CommandLine.header(out, NAME, device);
        int k = Math.min(options.top(), lines.size());
        try (SentenceEncoder encoder = SentenceEmbeddings.load(device, out)) {
            // Sentences of similar length share a batch, so little of each batch is padding.
            List<String> corpus = lines.stream()
                    .sorted(Comparator.comparingInt((String line) -> encoder.tokenizer().encode(line).length))
                    .toList();
            try (Tensor documents = embed(encoder, corpus, options.batch(), device, out)) {
                search(encoder, documents, corpus, options.queries(), k, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void search(SentenceEncoder encoder, Tensor documents, List<String> corpus, List<String> queryTexts,
            int k, PrintStream out) {
        long start = System.nanoTime();
        long[] indices;
        float[] scores;
        try (TensorScope scope = TensorScope.open()) {
            Tensor queries = encoder.encode(queryTexts);
            Tensor[] best = topK(queries.matmul(documents.t()), k);
            indices = best[0].toLongArray();
            scores = best[1].toArray();
        }
        out.printf(Locale.ROOT, "%d queries answered in %.2f s: scores = queries x corpus^T %s on the device,"
                        + " top-%d there by %d rounds of argmax + maskedFill(-inf)%n",
                queryTexts.size(), (System.nanoTime() - start) / 1e9,
                "[" + queryTexts.size() + ", " + corpus.size() + "]", k, k);
        for (int q = 0; q < queryTexts.size(); q++) {
            out.println();
            out.println("query: " + queryTexts.get(q));
            for (int r = 0; r < k; r++) {
                out.printf(Locale.ROOT, "  %d. %.3f  %s%n", r + 1, scores[q * k + r],
                        corpus.get((int) indices[q * k + r]));
            }
        }
    }

    /** The corpus embeddings {@code [n, 384]}, encoded {@code batch} sentences at a time. */
    private static Tensor embed(SentenceEncoder encoder, List<String> corpus, int batch, Device device, PrintStream out) {
        long start = System.nanoTime();
        try (TensorScope scope = TensorScope.open()) {
            List<Tensor> parts = new ArrayList<>();
            for (int from = 0; from < corpus.size(); from += batch) {
                int to = Math.min(corpus.size(), from + batch);
                LOG.info("embedding sentences {} to {} of {}", from + 1, to, corpus.size());
                parts.add(encoder.encode(corpus.subList(from, to)));
            }
            Tensor all = parts.size() == 1 ? parts.get(0) : Torch.cat(parts, 0);
            device.synchronize();
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "corpus: %d sentences embedded in %.1f s (%.0f sentences/s, batches of %d)%n",
                    corpus.size(), seconds, corpus.size() / seconds, batch);
            return scope.keep(all);
        }
    }

    /**
     * The {@code k} largest entries of each row of {@code scores} {@code [q, n]}, best first, computed
     * on the device: {indices (INT64), values}, each {@code [q, k]}. The caller owns both.
     */
    static Tensor[] topK(Tensor scores, int k) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor columns = Torch.arange(scores.device(), scores.shape(1)).unsqueeze(0);
            Tensor remaining = scores;
            List<Tensor> indices = new ArrayList<>();
            List<Tensor> values = new ArrayList<>();
            for (int round = 0; round < k; round++) {
                Tensor best = remaining.argmax(1, true);
                indices.add(best);
                values.add(remaining.gather(1, best));
                if (round + 1 < k) {
                    remaining = remaining.maskedFill(columns.eq(best), Double.NEGATIVE_INFINITY);
                }
            }
            return new Tensor[] {scope.keep(Torch.cat(indices, 1)), scope.keep(Torch.cat(values, 1))};
        }
    }

    /** The corpus lines: the --corpus file or the bundled facts, the first --limit of them. */
    static List<String> corpus(Options options) {
        List<String> lines = new ArrayList<>();
        try (InputStream in = options.corpus() == null
                ? SemanticSearch.class.getResourceAsStream(FACTS) : Files.newInputStream(options.corpus())) {
            if (in == null) {
                throw new IllegalStateException("resource " + FACTS + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null && lines.size() < options.limit(); line = reader.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("the corpus " + (options.corpus() == null ? FACTS : options.corpus())
                    + " holds no sentences");
        }
        return lines;
    }
}
