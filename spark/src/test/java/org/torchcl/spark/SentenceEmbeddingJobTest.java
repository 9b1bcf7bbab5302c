package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.torchcl.Device;

/**
 * all-MiniLM-L6-v2 embeddings of a few hundred sentences on local[2], against the same model in a
 * plain loop. Bitwise on the plain-Java CPU kernels: the build runs this class in a JVM without the
 * Vector API module. On the Vector API kernels (where -Dtest=... also runs it) the same model on the
 * same batch is not bitwise repeatable even within one thread: the Vector API lets compiled
 * {@code lanewise(EXP)} (softmax, GELU) and {@code reduceLanes(ADD)} round otherwise than their
 * interpreted fallbacks, so results change once those methods get compiled; there the comparison
 * allows 1e-5.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SentenceEmbeddingJobTest extends LocalSparkJobs {

    private static final int ROWS = 200;
    private static final boolean VECTOR_KERNELS = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static final int PARTITIONS = 3;
    private static final int BATCH = 32;

    @Test
    void embedsSentencesBitwiseLikeOneJvmWithTheSameBatches() throws IOException {
        ModelBundle bundle = SentenceEmbeddingModel.allMiniLmL6V2Bundle(getClass().getClassLoader());
        long bytesBefore = Device.cpu().memoryStats().allocatedBytes();
        TorchclTransformer embeddings = new TorchclTransformer(bundle, SentenceEmbeddingModel.allMiniLmL6V2())
                .setInputCols("text").setOutputCol("embedding").setDevice("cpu").setBatchSize(BATCH);

        List<Row> scored = embeddings.transform(spark.range(0, ROWS, 1, PARTITIONS)
                        .map((MapFunction<Long, Row>) id -> RowFactory.create(id, Sentences.text(id)),
                                Encoders.row(Sentences.SCHEMA)))
                .select("id", "embedding").collectAsList();

        assertEquals(ROWS, scored.size());
        assertEquals(Map.of("driver", 1), embeddings.modelLoadsByExecutor());
        try (BatchModel reference = SentenceEmbeddingModel.allMiniLmL6V2().load(bundle, Device.cpu())) {
            for (int p = 0; p < PARTITIONS; p++) {
                long start = SparkTests.partitionStart(ROWS, PARTITIONS, p);
                long end = SparkTests.partitionStart(ROWS, PARTITIONS, p + 1);
                List<Row> partition = new ArrayList<>();
                for (long id = start; id < end; id++) {
                    partition.add(RowFactory.create(id, Sentences.text(id)));
                }
                List<float[]> expected = SparkTests.scoreRange(reference, partition, BATCH, new int[] {1},
                        new String[] {"text"});
                for (int i = 0; i < expected.size(); i++) {
                    Row row = scored.get((int) start + i);
                    assertEquals(start + i, row.getLong(0));
                    assertEquals(384, expected.get(i).length);
                    float[] actual = DigitsJobTest.floats(row.getList(1));
                    if (VECTOR_KERNELS) {
                        assertArrayEquals(expected.get(i), actual, 1e-5f, "sentence " + (start + i));
                    } else {
                        assertArrayEquals(expected.get(i), actual, "sentence " + (start + i));
                    }
                }
            }
        }
        assertEquals(1, ModelCache.release(bundle.hash()));
        assertEquals(bytesBefore, Device.cpu().memoryStats().allocatedBytes(), "CPU device bytes after the cache release");
    }
}
