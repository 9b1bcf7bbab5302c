package org.torchcl.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.OnnxFormatException;
import org.torchcl.nn.io.OnnxTensor;

/**
 * OnnxModel's contract on small graphs ({@code src/test/resources/models}, written by
 * {@code examples/python/make_onnx_test_models.py}): 3-D pooling against PyTorch, shape arithmetic
 * on the host with symbolic dims, folding at load when the dims are fixed, dead nodes skipped, refusals at load naming op,
 * node and opset, bad feeds refused without leaking, intermediates freed on failure.
 */
class OnnxModelTest {

    static ByteBuffer model(String name) throws IOException {
        try (InputStream in = OnnxModelTest.class.getResourceAsStream("/models/" + name)) {
            if (in == null) {
                throw new IllegalStateException("models/" + name + " missing from the test resources");
            }
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void shapeArithmeticRunsOnTheHostForSymbolicDims(Device device) throws IOException {
        long before = device.memoryStats().allocatedBytes();
        try (OnnxModel model = OnnxModel.load(model("shape_chain.onnx"), device)) {
            assertEquals("[x: float32[batch, 6]]", model.inputs().toString());
            assertEquals("[y: float32[batch, 2, 3]]", model.outputs().toString());
            assertEquals(5, model.stepCount(), "Shape, Gather, Unsqueeze, Concat, Reshape; the dead Exp is dropped");
            float[] values = new float[18];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0.5f;
            }
            try (Tensor x = Torch.tensor(device, values, 3, 6)) {
                Map<String, Tensor> out = model.run(Map.of("x", x));
                try (Tensor y = out.get("y")) {
                    assertArrayEquals(new int[] {3, 2, 3}, y.shape());
                    assertArrayEquals(values, y.toArray());
                }
            }
        }
        assertEquals(before, device.memoryStats().allocatedBytes(), "weights, intermediates and outputs all freed");
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void threeDimensionalPoolsMatchPyTorch(Device device) throws IOException {
        try (OnnxModel model = OnnxModel.load(model("pool3d.onnx"), device);
             Tensor x = OnnxTensor.read(model("pool3d_input.pb")).toTensor(device)) {
            Map<String, Tensor> out = model.run(Map.of("x", x));
            try {
                for (String name : List.of("avg_exclude", "avg_include", "max_dilated")) {
                    OnnxTensor expected = OnnxTensor.read(model("pool3d_" + name + ".pb"));
                    assertEquals(null, OnnxConformanceTest.compare(expected, DType.FLOAT32, out.get(name)), name);
                }
            } finally {
                out.values().forEach(Tensor::close);
            }
        }
    }

    @Test
    void fixedDimsFoldTheShapeChainAtLoad() throws IOException {
        try (OnnxModel model = OnnxModel.load(model("shape_chain_fixed.onnx"), Device.cpu());
             Tensor x = Torch.ones(Device.cpu(), 4, 6)) {
            assertEquals(4, model.foldedNodeCount());
            assertEquals(1, model.stepCount(), "only the Reshape runs");
            try (Tensor y = model.run(Map.of("x", x)).get("y")) {
                assertArrayEquals(new int[] {4, 2, 3}, y.shape());
            }
        }
    }

    @Test
    void unsupportedOpAttributeOpsetAndDtypeFailAtLoadNamingThem() {
        long before = Device.cpu().memoryStats().allocatedBytes();
        String op = assertThrows(UnsupportedOnnxException.class,
                () -> OnnxModel.load(model("unsupported_op.onnx"), Device.cpu())).getMessage();
        assertEquals("Mod node \"remainder\" (opset 13): the op Mod is not supported", op);
        String attribute = assertThrows(UnsupportedOnnxException.class,
                () -> OnnxModel.load(model("unsupported_attr.onnx"), Device.cpu())).getMessage();
        assertEquals("Relu node \"odd\" (opset 13): attribute alpha is not supported", attribute);
        String opset = assertThrows(UnsupportedOnnxException.class,
                () -> OnnxModel.load(model("opset18.onnx"), Device.cpu())).getMessage();
        assertTrue(opset.contains("opset 18") && opset.contains("1 to 17"), opset);
        String dtype = assertThrows(UnsupportedOnnxException.class,
                () -> OnnxModel.load(model("double_input.onnx"), Device.cpu())).getMessage();
        assertTrue(dtype.contains("graph input \"x\" is DOUBLE"), dtype);
        assertEquals(before, Device.cpu().memoryStats().allocatedBytes());
    }

    @Test
    void truncatedFilesFailWithAFormatErrorAndLeakNothing() throws IOException {
        byte[] whole = model("shape_chain.onnx").array();
        long before = Device.cpu().memoryStats().allocatedBytes();
        for (int length = 0; length < whole.length; length += 7) {
            ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(whole, length));
            assertThrows(OnnxFormatException.class, () -> OnnxModel.load(cut, Device.cpu()).close(),
                    "truncated to " + length + " bytes");
        }
        assertEquals(before, Device.cpu().memoryStats().allocatedBytes());
    }

    @Test
    void badFeedsAreRefusedByName() throws IOException {
        Device cpu = Device.cpu();
        try (OnnxModel model = OnnxModel.load(model("shape_chain_fixed.onnx"), cpu);
             Tensor good = Torch.ones(cpu, 4, 6);
             Tensor wrongDim = Torch.ones(cpu, 4, 5);
             Tensor wrongType = Torch.zeros(cpu, DType.INT64, 4, 6)) {
            long before = cpu.memoryStats().allocatedBytes();
            assertEquals("run: input \"x\" (x: float32[4, 6]) is missing",
                    assertThrows(IllegalArgumentException.class, () -> model.run(Map.of())).getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("x", good, "z", good)))
                    .getMessage().startsWith("run: \"z\" is not an input of the model"));
            assertEquals("run: input \"x\" has shape [4, 5] but the model declares [4, 6]",
                    assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("x", wrongDim))).getMessage());
            assertEquals("run: input \"x\" is int64 but the model declares float32",
                    assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("x", wrongType))).getMessage());
            assertEquals(before, cpu.memoryStats().allocatedBytes());
        }
    }

    @Test
    void aFailingNodeIsNamedAndFreesEverythingItMade() throws IOException {
        Device cpu = Device.cpu();
        int[] shape = {1, 4};
        try (OnnxModel model = OnnxModel.load(RealModels.miniLm(), cpu);
             Tensor ids = Torch.tensor(cpu, new long[] {101, 5, 1_000_000, 102}, shape);
             Tensor mask = Torch.ones(cpu, DType.INT64, shape);
             Tensor types = Torch.zeros(cpu, DType.INT64, shape)) {
            long before = cpu.memoryStats().allocatedBytes();
            String message = assertThrows(IllegalArgumentException.class, () -> model.run(Map.of("input_ids", ids,
                    "attention_mask", mask, "token_type_ids", types))).getMessage();
            assertTrue(message.startsWith("Gather node \"/embeddings/word_embeddings/Gather\" (opset 11): "), message);
            assertEquals(before, cpu.memoryStats().allocatedBytes(), "intermediates of the failed run freed");
        }
    }

    @Test
    void closedModelsRefuseToRun() throws IOException {
        OnnxModel model = OnnxModel.load(model("shape_chain.onnx"), Device.cpu());
        model.close();
        model.close();
        try (Tensor x = Torch.ones(Device.cpu(), 2, 6)) {
            assertThrows(IllegalStateException.class, () -> model.run(Map.of("x", x)));
        }
    }
}
