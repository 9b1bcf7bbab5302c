package org.torchcl.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Sessions, data and the single-JVM reference loop the Spark tests compare against. */
final class SparkTests {

    private SparkTests() {
    }

    /** A local session on the loopback interface, without the web UI. */
    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("torchcl-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** Rows {@code (id, pixels)} for ids 0..rows-1 in {@code partitions} equal ranges, made on the executors. */
    static Dataset<Row> digitRows(SparkSession spark, long rows, int partitions) {
        return spark.range(0, rows, 1, partitions)
                .map((MapFunction<Long, Row>) id -> RowFactory.create(id, Digits.pixels(id)), Encoders.row(Digits.SCHEMA));
    }

    /** What {@code spark.range(0, rows, 1, partitions)} puts in each partition: its first id. */
    static long partitionStart(long rows, int partitions, int partition) {
        return partition * rows / partitions;
    }

    /**
     * The outputs of {@code model} on rows {@code [start, end)} of one partition, batch boundaries
     * every {@code batchSize} rows from {@code start}, as the transformer cuts them.
     */
    static List<float[]> scoreRange(BatchModel model, List<Row> partitionRows, int batchSize, int[] fields,
                                    String[] columns) {
        List<float[]> outputs = new ArrayList<>(partitionRows.size());
        for (int first = 0; first < partitionRows.size(); first += batchSize) {
            List<Row> rows = partitionRows.subList(first, Math.min(first + batchSize, partitionRows.size()));
            for (float[] output : model.score(new InputBatch(rows, fields, columns, 0, first))) {
                outputs.add(output);
            }
        }
        return outputs;
    }
}
