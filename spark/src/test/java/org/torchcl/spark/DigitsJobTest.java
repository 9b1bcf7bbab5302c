package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.torchcl.Device;
import org.torchcl.TestDevices;

/** The digits classifier over 100 000 rows on local[2], against the same model in a plain loop. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DigitsJobTest extends LocalSparkJobs {

    private static final int ROWS = 100_000;
    private static final int PARTITIONS = 4;
    private static final int BATCH = 256;

    @Test
    void scoresAHundredThousandRowsBitwiseLikeOneJvmLoadingTheModelOnce() throws IOException {
        ModelBundle bundle = Digits.bundle();
        Device cpu = Device.cpu();
        long bytesBefore = cpu.memoryStats().allocatedBytes();
        cpu.resetPeakMemoryStats();
        int loadsBefore = ModelCache.loads(bundle.hash());
        TorchclTransformer logits = new TorchclTransformer(bundle, Digits.loader())
                .setInputCols("pixels").setOutputCol("logits").setDevice("cpu").setBatchSize(BATCH);

        List<Row> scored = logits.transform(SparkTests.digitRows(spark, ROWS, PARTITIONS))
                .select("id", "logits").collectAsList();

        assertEquals(ROWS, scored.size());
        assertEquals(1, ModelCache.loads(bundle.hash()) - loadsBefore, "loads in this JVM, the local executor");
        assertEquals(Map.of("driver", 1), logits.modelLoadsByExecutor());
        // Two tasks at a time share one model; each holds one batch's tensors at a time, so the
        // peak stays near the weights plus two batches (a leak per batch would reach hundreds of MB).
        long peakGrowth = cpu.memoryStats().peakBytes() - bytesBefore;
        assertTrue(peakGrowth < 16 << 20, "peak device bytes grew by " + peakGrowth);
        assertEqualsSingleJvmLoop(bundle, cpu, scored, ROWS, PARTITIONS, BATCH);

        // A second job finds the model cached; the class column agrees with the logits.
        TorchclTransformer classes = logits.copy(new org.apache.spark.ml.param.ParamMap())
                .setOutputCol("digit").setOutputType("argmax");
        List<Row> digits = classes.transform(SparkTests.digitRows(spark, ROWS, PARTITIONS)).select("digit")
                .collectAsList();
        assertEquals(1, ModelCache.loads(bundle.hash()) - loadsBefore);
        assertEquals(Map.of(), classes.modelLoadsByExecutor());
        for (int i = 0; i < ROWS; i += 997) {
            assertEquals(argmax(floats(scored.get(i).getList(1))), digits.get(i).getInt(0), "row " + i);
        }

        assertEquals(1, ModelCache.release(bundle.hash()));
        assertEquals(bytesBefore, cpu.memoryStats().allocatedBytes(), "CPU device bytes after the cache release");
    }

    @Test
    void scoresOnAnOpenClDeviceAndFreesItsMemoryOnRelease() throws IOException {
        for (Device device : TestDevices.openCl()) {
            ModelBundle bundle = Digits.bundle();
            long bytesBefore = device.memoryStats().allocatedBytes();
            int rows = 10_000;
            TorchclTransformer logits = new TorchclTransformer(bundle, Digits.loader())
                    .setInputCols("pixels").setOutputCol("logits").setDevice(device.spec()).setBatchSize(BATCH);
            List<Row> scored = logits.transform(SparkTests.digitRows(spark, rows, 2)).select("id", "logits")
                    .collectAsList();
            assertEquals(Map.of("driver", 1), logits.modelLoadsByExecutor());
            assertEqualsSingleJvmLoop(bundle, device, scored, rows, 2, BATCH);
            ModelCache.release(bundle.hash());
            assertEquals(bytesBefore, device.memoryStats().allocatedBytes(), device + " bytes after the cache release");
        }
    }

    /** Each partition's rows through the same model in a plain loop, with the transformer's batch boundaries. */
    static void assertEqualsSingleJvmLoop(ModelBundle bundle, Device device, List<Row> scored, int rows,
                                          int partitions, int batch) throws IOException {
        try (BatchModel reference = Digits.loader().load(bundle, device)) {
            for (int p = 0; p < partitions; p++) {
                long start = SparkTests.partitionStart(rows, partitions, p);
                long end = SparkTests.partitionStart(rows, partitions, p + 1);
                List<Row> partition = new ArrayList<>();
                for (long id = start; id < end; id++) {
                    partition.add(RowFactory.create(id, Digits.pixels(id)));
                }
                List<float[]> expected = SparkTests.scoreRange(reference, partition, batch, new int[] {1},
                        new String[] {"pixels"});
                for (int i = 0; i < expected.size(); i++) {
                    Row row = scored.get((int) start + i);
                    assertEquals(start + i, row.getLong(0));
                    assertArrayEquals(expected.get(i), floats(row.getList(1)), "row " + (start + i) + " on " + device);
                }
            }
        }
    }

    static float[] floats(List<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Float) values.get(i);
        }
        return out;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
