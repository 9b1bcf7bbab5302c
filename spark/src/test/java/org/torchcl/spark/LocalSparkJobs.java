package org.torchcl.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One {@code local[2]} session per test class, and the JVM's model cache emptied when the class is
 * done, so that the next class's load counts start from nothing.
 */
abstract class LocalSparkJobs {

    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkTests.session("local[2]");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
        ModelCache.releaseAll();
    }
}
