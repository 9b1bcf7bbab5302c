package org.torchcl.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;
import org.torchcl.models.BertConfig;
import org.torchcl.models.BertModel;
import org.torchcl.onnx.OnnxModel;

/**
 * What running all-MiniLM-L6-v2 from its .onnx graph costs over the same model written as nn
 * modules: {@link OnnxModel} and {@link BertModel#fromOnnx} (same weights, same inputs) run in
 * alternation, and the median of the paired time ratios (graph / modules) is printed with both
 * medians. Pairing makes the figure robust on a machine other work slows down: both runs of a pair
 * see about the same load.
 *
 * <pre>GraphOverheadBench [--device D] [--batches 1,32] [--sequence 128] [--pairs 21]</pre>
 */
public final class GraphOverheadBench {

    private GraphOverheadBench() {
    }

    static final Usage USAGE = Usage.of("GraphOverheadBench",
            "all-MiniLM-L6-v2 through OnnxModel and as BertModel, alternated: the median of paired time ratios.")
            .integers("--batches", "B,B,...", 1, "batch sizes (default 1,32)")
            .integer("--sequence", "L", 1, "tokens per sentence (default 128)")
            .integer("--pairs", "P", 1, "timed pairs per batch size (default 21)");

    public static void main(String[] args) throws IOException {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        Device device = line.device();
        int[] batches = Arrays.stream(CommandLine.option(rest, "--batches").orElse("1,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int sequence = CommandLine.intOption(rest, "--sequence", 128);
        int pairs = CommandLine.intOption(rest, "--pairs", 21);
        Path file = Files.createTempFile("all-minilm-l6-v2", ".onnx");
        try {
            try (InputStream in = GraphOverheadBench.class.getClassLoader().getResourceAsStream(ModelBench.MINILM_ONNX)) {
                if (in == null) {
                    throw new IOException(ModelBench.MINILM_ONNX + " is not on the classpath (langchain4j artifact)");
                }
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (OnnxModel graph = OnnxModel.load(file, device);
                 BertModel modules = BertModel.fromOnnx(file, BertConfig.allMiniLmL6V2(), device)) {
                modules.eval();
                System.out.println("== all-MiniLM-L6-v2: OnnxModel (fused " + graph.fusedSubgraphs() + ") vs BertModel on "
                        + device + " ==");
                for (int batch : batches) {
                    measure(device, graph, modules, batch, sequence, pairs);
                }
                System.out.println("machine: " + Report.machine());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void measure(Device device, OnnxModel graph, BertModel modules, int batch, int sequence, int pairs) {
        Random random = new Random(7);
        long[] ids = new long[batch * sequence];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(BertConfig.allMiniLmL6V2().vocabSize());
        }
        try (Tensor x = Torch.tensor(device, ids, batch, sequence);
             Tensor mask = Torch.ones(device, DType.INT64, batch, sequence);
             Tensor types = Torch.zeros(device, DType.INT64, batch, sequence)) {
            Map<String, Tensor> feeds = Map.of("input_ids", x, "attention_mask", mask, "token_type_ids", types);
            double[] graphMs = new double[pairs];
            double[] modulesMs = new double[pairs];
            double[] ratios = new double[pairs];
            for (int i = -2; i < pairs; i++) {
                long start = System.nanoTime();
                graph.run(feeds).values().forEach(Tensor::close);
                device.synchronize();
                long middle = System.nanoTime();
                try (Tensor out = modules.forward(x, mask)) {
                    device.synchronize();
                }
                long end = System.nanoTime();
                if (i >= 0) {
                    graphMs[i] = (middle - start) / 1e6;
                    modulesMs[i] = (end - middle) / 1e6;
                    ratios[i] = graphMs[i] / modulesMs[i];
                }
            }
            System.out.printf(Locale.ROOT, "batch %d, sequence %d: OnnxModel %.1f ms, BertModel %.1f ms (medians of %d);"
                    + " median paired ratio OnnxModel / BertModel %.3f%n", batch, sequence, median(graphMs),
                    median(modulesMs), pairs, median(ratios));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
