package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.torchcl.Device;

/**
 * Two executor JVMs ({@code local-cluster[2,1,1024]}, started by Spark's own standalone worker
 * code from the Maven build alone): each loads the model once, and the results equal a plain loop
 * in this JVM bit for bit.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LocalClusterTest {

    private static final int ROWS = 10_000;
    private static final int PARTITIONS = 6;
    private static final int BATCH = 128;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        String sparkHome = System.getenv("SPARK_HOME");
        if (sparkHome == null) {
            throw new IllegalStateException("SPARK_HOME is not set: run this test through Maven, whose surefire"
                    + " configuration in spark/pom.xml sets it (and SPARK_SCALA_VERSION)");
        }
        Files.createDirectories(Path.of(sparkHome, "jars"));
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("torchcl-spark-local-cluster")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                // The executors run this JVM's classpath (surefire's manifest jar lists it all).
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void eachExecutorJvmLoadsTheModelOnceAndScoresLikeOneJvm() throws IOException {
        ModelBundle bundle = Digits.bundle();
        int driverLoadsBefore = ModelCache.loads(bundle.hash());
        TorchclTransformer logits = new TorchclTransformer(bundle, Digits.loader())
                .setInputCols("pixels").setOutputCol("logits").setDevice("cpu").setBatchSize(BATCH);

        List<Row> scored = logits.transform(SparkTests.digitRows(spark, ROWS, PARTITIONS)).select("id", "logits")
                .collectAsList();

        assertEquals(Map.of("0", 1, "1", 1), logits.modelLoadsByExecutor(), "loads by executor id");
        assertEquals(driverLoadsBefore, ModelCache.loads(bundle.hash()), "the driver loads nothing");
        DigitsJobTest.assertEqualsSingleJvmLoop(bundle, Device.cpu(), scored, ROWS, PARTITIONS, BATCH);
    }
}
