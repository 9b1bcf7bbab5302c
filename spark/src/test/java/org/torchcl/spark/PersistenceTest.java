package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A transformer, alone and inside a pipeline, saved and loaded back scores as before. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PersistenceTest extends LocalSparkJobs {


    @Test
    void savedAndLoadedTransformersKeepTheirParamsModelAndOutput(@TempDir Path directory) throws Exception {
        TorchclTransformer original = new TorchclTransformer(Digits.bundle(), Digits.loader())
                .setInputCols("pixels").setOutputCol("digit").setOutputType("argmax").setBatchSize(16).setDevice("cpu");
        original.write().save(directory.resolve("stage").toString());
        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {original})
                .fit(SparkTests.digitRows(spark, 1, 1));
        pipeline.write().save(directory.resolve("pipeline").toString());

        TorchclTransformer loaded = TorchclTransformer.load(directory.resolve("stage").toString());
        PipelineModel loadedPipeline = PipelineModel.load(directory.resolve("pipeline").toString());

        assertEquals(original.uid(), loaded.uid());
        assertEquals(original.bundle().hash(), loaded.bundle().hash());
        assertArrayEquals(new String[] {"pixels"}, loaded.getInputCols());
        assertEquals("digit", loaded.getOutputCol());
        assertEquals("argmax", loaded.getOutputType());
        assertEquals(16, loaded.getBatchSize());
        assertEquals("cpu", loaded.getDevice());
        Dataset<Row> rows = SparkTests.digitRows(spark, 500, 2);
        List<Row> expected = original.transform(rows).select("digit").collectAsList();
        assertEquals(expected, loaded.transform(rows).select("digit").collectAsList());
        assertEquals(expected, loadedPipeline.transform(rows).select("digit").collectAsList());
    }
}
