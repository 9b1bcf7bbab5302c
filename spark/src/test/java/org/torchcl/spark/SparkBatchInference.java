package org.torchcl.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.torchcl.Device;
import org.torchcl.Torch;

/**
 * Scores generated rows with a torchcl model on Spark and prints rows/s and each executor's model
 * loads, and (unless {@code --no-baseline}) after each job the same rows through the same model in a
 * plain loop in this JVM, one thread, with the same batch boundaries: Spark's overhead against it.
 *
 * <pre>
 * --master M        Spark master (default local[*])
 * --model NAME      minilm (all-MiniLM-L6-v2 on generated sentences, default) or digits (the 8x8 digits CNN)
 * --rows N          rows to score (default 2000)
 * --batch-size B    rows per model call (default 32)
 * --partitions P    input partitions (default: Spark's default parallelism)
 * --device D        auto (default: a task's Spark GPU, else torchcl's default device), cpu, opencl:N
 * --runs R          timed jobs after a first, untimed one that loads the model (default 3)
 * --no-baseline     skip the single-JVM loop
 * </pre>
 *
 * It lives in the spark module's test sources: Spark is a provided dependency there, so neither the
 * examples jar nor its Docker image carries Spark, and the digits files and the MiniLM jar are on
 * the test classpath. Run it with {@code mvn -pl spark -am -Pspark-example verify -DskipTests
 * -Dexample.args="--rows 2000"}.
 */
public final class SparkBatchInference {

    private SparkBatchInference() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        String master = options.getOrDefault("master", "local[*]");
        String modelName = options.getOrDefault("model", "minilm");
        int rows = positive(options, "rows", 2000);
        int batchSize = positive(options, "batch-size", 32);
        int runs = positive(options, "runs", 3);
        String deviceSpec = options.getOrDefault("device", "auto");
        if (!modelName.equals("minilm") && !modelName.equals("digits")) {
            throw new IllegalArgumentException("--model " + modelName + ": expected minilm or digits");
        }
        boolean minilm = modelName.equals("minilm");
        ModelBundle bundle = minilm ? SentenceEmbeddingModel.allMiniLmL6V2Bundle(SparkBatchInference.class.getClassLoader())
                : Digits.bundle();
        ModelLoader loader = minilm ? SentenceEmbeddingModel.allMiniLmL6V2() : Digits.loader();
        PrintStream out = System.out;

        SparkSession spark = SparkSession.builder().master(master).appName("SparkBatchInference")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            int partitions = options.containsKey("partitions") ? positive(options, "partitions", 1)
                    : spark.sparkContext().defaultParallelism();
            out.printf("SparkBatchInference: %s, %d rows in %d partitions, batch %d, device %s, master %s%n", modelName,
                    rows, partitions, batchSize, deviceSpec, master);
            TorchclTransformer transformer = new TorchclTransformer(bundle, loader).setInputCols(minilm ? "text" : "pixels")
                    .setOutputCol("output").setBatchSize(batchSize).setDevice(deviceSpec);
            Dataset<Row> input = minilm
                    ? spark.range(0, rows, 1, partitions).map((MapFunction<Long, Row>) id ->
                            RowFactory.create(id, Sentences.text(id)), Encoders.row(Sentences.SCHEMA))
                    : spark.range(0, rows, 1, partitions).map((MapFunction<Long, Row>) id ->
                            RowFactory.create(id, Digits.pixels(id)), Encoders.row(Digits.SCHEMA));

            boolean baseline = !options.containsKey("no-baseline");
            Device device = "auto".equalsIgnoreCase(deviceSpec) ? Torch.defaultDevice() : Device.parse(deviceSpec);
            Map<String, Integer> loads = new LinkedHashMap<>();
            double[] sparkSeconds = new double[runs];
            double[] loopSeconds = new double[runs];
            // Spark jobs and loop runs alternate, so that a change in the machine's load between
            // them (other processes) weighs on both alike.
            try (BatchModel loopModel = baseline ? loader.load(bundle, device) : null) {
                for (int run = 0; run <= runs; run++) {
                    long start = System.nanoTime();
                    // The noop sink runs the whole plan (model and output encoding) and writes nothing.
                    transformer.transform(input).write().format("noop").mode("overwrite").save();
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    transformer.modelLoadsByExecutor().forEach((executor, count) -> loads.merge(executor, count,
                            Integer::sum));
                    out.printf("%s %d: %.2f s, %.1f rows/s", run == 0 ? "first job (loads the model)" : "job", run,
                            elapsed, rows / elapsed);
                    double loop = baseline ? loopSeconds(loopModel, minilm, rows, partitions, batchSize) : 0;
                    out.printf(baseline ? "; single-JVM loop %.2f s, %.1f rows/s%n" : "%n", loop, rows / loop);
                    if (run > 0) {
                        sparkSeconds[run - 1] = elapsed;
                        loopSeconds[run - 1] = loop;
                    }
                }
            }
            double sparkRate = rows / median(sparkSeconds);
            out.printf("Spark: %.1f rows/s (median of %d jobs); model loads per executor: %s%n", sparkRate, runs, loads);
            if (baseline) {
                double loopRate = rows / median(loopSeconds);
                out.printf("single-JVM loop on %s (same rows, same batches, one thread): %.1f rows/s (median of %d"
                        + " runs)%n", device, loopRate, runs);
                out.printf("Spark overhead: %.1f%%%n", 100 * (loopRate / sparkRate - 1));
            }
        } finally {
            spark.stop();
            ModelCache.releaseAll();
        }
    }

    /** The rows of each partition in batches of {@code batchSize}, in one thread: seconds taken. */
    private static double loopSeconds(BatchModel model, boolean minilm, int rows, int partitions, int batchSize) {
        long start = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            long first = SparkTests.partitionStart(rows, partitions, p);
            long end = SparkTests.partitionStart(rows, partitions, p + 1);
            List<Row> partition = new ArrayList<>();
            for (long id = first; id < end; id++) {
                partition.add(RowFactory.create(id, minilm ? Sentences.text(id) : Digits.pixels(id)));
            }
            SparkTests.scoreRange(model, partition, batchSize, new int[] {1}, new String[] {minilm ? "text" : "pixels"});
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--no-baseline")) {
                options.put("no-baseline", "");
            } else if (arg.startsWith("--") && List.of("master", "model", "rows", "batch-size", "partitions", "device",
                    "runs").contains(arg.substring(2))) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                options.put(arg.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; options: --master M, --model"
                        + " minilm|digits, --rows N, --batch-size B, --partitions P, --device D, --runs R, --no-baseline");
            }
        }
        return options;
    }

    private static int positive(Map<String, String> options, String name, int fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a positive integer, got '" + value + "'", e);
        }
        throw new IllegalArgumentException("--" + name + " needs a positive integer, got '" + value + "'");
    }
}
