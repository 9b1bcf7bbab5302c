package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.torchcl.models.DigitsNet;

/** Params and schema checks fail on the driver, before any job, naming the value. */
class TransformerParamsTest {

    private static TorchclTransformer digits() {
        return new TorchclTransformer(Digits.bundle(), Digits.loader());
    }

    @Test
    void theOutputColumnIsAppendedWithItsType() {
        StructType out = digits().setInputCols("pixels").setOutputCol("logits").transformSchema(Digits.SCHEMA);
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false), out.apply("logits").dataType());
        StructType classes = digits().setInputCols("pixels").setOutputCol("digit").setOutputType("ARGMAX")
                .transformSchema(Digits.SCHEMA);
        assertEquals(DataTypes.IntegerType, classes.apply("digit").dataType());
    }

    @Test
    void badSchemasAndParamsNameTheValue() {
        assertMessage("inputCols is not set", () -> digits().transformSchema(Digits.SCHEMA));
        assertMessage("input column 'image' is not in the schema [id, pixels]",
                () -> digits().setInputCols("image").transformSchema(Digits.SCHEMA));
        assertMessage("input column 'id' is bigint; expected array<float|double|int|long> or string",
                () -> digits().setInputCols("id").transformSchema(Digits.SCHEMA));
        assertMessage("output column 'id' already exists",
                () -> digits().setInputCols("pixels").setOutputCol("id").transformSchema(Digits.SCHEMA));
        assertMessage("device 'gpu': expected auto, cpu, opencl or opencl:N", () -> digits().setDevice("gpu"));
        assertMessage("outputType 'probabilities': expected array or argmax",
                () -> digits().setOutputType("probabilities"));
        assertMessage("batchSize given invalid value 0", () -> digits().setBatchSize(0));
        assertMessage("uid, bundle and loader must not be null", () -> new TorchclTransformer(null, Digits.loader()));
        assertMessage("model file names and contents must be non-empty; got 'w' with 0 bytes",
                () -> ModelBundle.of("w", new byte[0]));
        assertMessage("a module factory and a non-empty input shape of positive sizes are needed",
                () -> SafetensorsModel.of(DigitsNet::create, 1, 0, 8));
        assertMessage("model bundle " + Digits.bundle().shortHash() + " has no file 'model.onnx'",
                () -> Digits.bundle().file("model.onnx"));
    }

    @Test
    void theBundleHashCoversNamesAndBytes() {
        assertEquals(Digits.bundle().hash(), Digits.bundle().hash());
        byte[] bytes = Digits.resource("digits-model.safetensors");
        assertTrue(!ModelBundle.of("a", bytes).hash().equals(ModelBundle.of("b", bytes).hash()));
        assertEquals(64, Digits.bundle().hash().length());
    }

    @Test
    void theDeviceIsNormalizedButNotLookedUpOnTheDriver() {
        assertEquals("opencl:7", digits().setDevice(" OpenCL:7 ").getDevice());
        assertEquals("auto", digits().getDevice());
        assertEquals(64, digits().getBatchSize());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
