package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.torchcl.Device;

/** Bad rows fail the job naming the row; a model that failed is not kept for the retry. Spark retries a task once here. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FailuresTest {

    private static final int ROWS = 20;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTests.session("local[2,2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void releaseModels() {
        ModelCache.releaseAll();
    }

    @Test
    void aRowOfTheWrongLengthFailsTheJobNamingTheRowAndKeepsTheModel() {
        List<Row> rows = digitRows();
        rows.set(13, RowFactory.create(13L, new float[Digits.PIXELS - 1]));
        ModelBundle bundle = Digits.bundle();
        int loadsBefore = ModelCache.loads(bundle.hash());

        SparkException e = assertThrows(SparkException.class, () -> score(bundle, Digits.loader(), rows));

        assertTrue(e.getMessage().contains("row 3 of partition 1, column 'pixels': has 63 values, expected 64"),
                e.getMessage());
        assertEquals(1, ModelCache.loads(bundle.hash()) - loadsBefore, "a bad row says nothing against the model");
        assertEquals(1, ModelCache.size());
    }

    @Test
    void aNullRowFailsTheJobNamingTheRow() {
        List<Row> rows = digitRows();
        rows.set(4, RowFactory.create(4L, null));
        SparkException e = assertThrows(SparkException.class, () -> score(Digits.bundle(), Digits.loader(), rows));
        assertTrue(e.getMessage().contains("row 4 of partition 0, column 'pixels': is null"), e.getMessage());
    }

    @Test
    void aModelThatFailedIsDroppedSoTheRetryLoadsAFreshOne() throws IOException {
        ModelBundle bundle = variant("fails once while scoring");
        long bytesBefore = Device.cpu().memoryStats().allocatedBytes();
        FailsOnceWhileScoring.armed.set(true);

        List<Row> scored = score(bundle, new FailsOnceWhileScoring(), digitRows());

        assertEquals(2, ModelCache.loads(bundle.hash()), "the failed model, then a fresh one for the retry");
        assertEqualsReference(bundle, scored);
        ModelCache.releaseAll();
        assertEquals(bytesBefore, Device.cpu().memoryStats().allocatedBytes(), "the dropped model's bytes too");
    }

    @Test
    void aLoadThatFailedIsNotCached() throws IOException {
        ModelBundle bundle = variant("fails to load once");
        FailsToLoadOnce.armed.set(true);

        List<Row> scored = score(bundle, new FailsToLoadOnce(), digitRows());

        assertEquals(1, ModelCache.loads(bundle.hash()), "only the load that worked");
        assertEqualsReference(bundle, scored);
    }

    private static List<Row> score(ModelBundle bundle, ModelLoader loader, List<Row> rows) {
        Dataset<Row> frame = spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2), Digits.SCHEMA);
        return new TorchclTransformer(bundle, loader).setInputCols("pixels").setOutputCol("logits").setDevice("cpu")
                .setBatchSize(8).transform(frame).select("logits").collectAsList();
    }

    private static void assertEqualsReference(ModelBundle bundle, List<Row> scored) throws IOException {
        List<Row> rows = digitRows();
        try (BatchModel reference = Digits.loader().load(bundle, Device.cpu())) {
            // parallelize(rows, 2) cuts 20 rows into 0..9 and 10..19.
            List<float[]> expected = new ArrayList<>(SparkTests.scoreRange(reference, rows.subList(0, 10), 8,
                    new int[] {1}, new String[] {"pixels"}));
            expected.addAll(SparkTests.scoreRange(reference, rows.subList(10, 20), 8, new int[] {1},
                    new String[] {"pixels"}));
            for (int i = 0; i < ROWS; i++) {
                assertArrayEquals(expected.get(i), DigitsJobTest.floats(scored.get(i).getList(0)), "row " + i);
            }
        }
    }

    private static List<Row> digitRows() {
        List<Row> rows = new ArrayList<>();
        for (long id = 0; id < ROWS; id++) {
            rows.add(RowFactory.create(id, Digits.pixels(id)));
        }
        return rows;
    }

    /** The digits weights plus a note, so that each test has a model hash of its own. */
    private static ModelBundle variant(String note) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(SafetensorsModel.WEIGHTS, Digits.resource("digits-model.safetensors"));
        files.put("note", note.getBytes(StandardCharsets.UTF_8));
        return ModelBundle.of(files);
    }

    /** The digits model, whose first batch in this JVM fails as a device error would. */
    private static final class FailsOnceWhileScoring implements ModelLoader {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean armed = new AtomicBoolean();

        @Override
        public BatchModel load(ModelBundle bundle, Device device) throws IOException {
            BatchModel model = Digits.loader().load(bundle, device);
            return new BatchModel() {
                @Override
                public float[][] score(InputBatch batch) {
                    if (armed.getAndSet(false)) {
                        throw new IllegalStateException("simulated device error");
                    }
                    return model.score(batch);
                }

                @Override
                public void close() {
                    model.close();
                }
            };
        }
    }

    /** The digits model, whose first load in this JVM fails. */
    private static final class FailsToLoadOnce implements ModelLoader {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean armed = new AtomicBoolean();

        @Override
        public BatchModel load(ModelBundle bundle, Device device) throws IOException {
            if (armed.getAndSet(false)) {
                throw new IOException("simulated unreadable weights");
            }
            return Digits.loader().load(bundle, device);
        }
    }
}
