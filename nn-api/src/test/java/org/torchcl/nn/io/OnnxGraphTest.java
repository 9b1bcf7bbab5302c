package org.torchcl.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;

class OnnxGraphTest {

    @Test
    void valueInfosCarryTypesAndSymbolicDimsAndEveryOpsetIsListed() throws IOException {
        OnnxTestModels.Proto dims = new OnnxTestModels.Proto()
                .message(1, new OnnxTestModels.Proto().string(2, "batch"))
                .message(1, new OnnxTestModels.Proto().varint(1, 6));
        OnnxTestModels.Proto input = new OnnxTestModels.Proto().string(1, "x").message(2, new OnnxTestModels.Proto()
                .message(1, new OnnxTestModels.Proto().varint(1, 7).message(2, dims)));
        OnnxTestModels.Proto output = new OnnxTestModels.Proto().string(1, "s").message(2, new OnnxTestModels.Proto()
                .message(4, new OnnxTestModels.Proto().varint(1, 1)));
        byte[] model = new OnnxTestModels.Proto().varint(1, 8)
                .message(7, new OnnxTestModels.Proto().message(11, input).message(12, output))
                .message(8, new OnnxTestModels.Proto().string(1, "ai.onnx").varint(2, 13))
                .message(8, new OnnxTestModels.Proto().string(1, "com.microsoft").varint(2, 1))
                .toByteArray();
        OnnxGraph graph = OnnxGraph.read(ByteBuffer.wrap(model));
        assertEquals(13, graph.opsetVersion(), "ai.onnx is the default domain");
        assertEquals(Map.of("", 13L, "com.microsoft", 1L), graph.opsetImports());
        OnnxValueInfo x = graph.inputInfos().get(0);
        assertEquals("tensor", x.kind());
        assertEquals(OnnxDataType.INT64, x.elemType());
        assertEquals(List.of(new OnnxValueInfo.Dim(-1, "batch"), new OnnxValueInfo.Dim(6, null)), x.shape());
        assertEquals("sequence", graph.outputInfos().get(0).kind());
        assertEquals(List.of("x"), graph.inputs());
    }

    @Test
    void aSerializedTensorProtoReadsOnItsOwn() throws IOException {
        byte[] proto = new OnnxTestModels.Proto().varint(1, 2).varint(2, 1)
                .bytes(9, OnnxTestModels.floats(1.5f, -2f)).string(8, "t").toByteArray();
        OnnxTensor tensor = OnnxTensor.read(ByteBuffer.wrap(proto));
        assertEquals("t", tensor.name());
        assertEquals(-2f, tensor.bytes().getFloat(4));
        try (Tensor t = tensor.toTensor(Device.cpu())) {
            assertArrayEquals(new float[] {1.5f, -2f}, t.toArray());
        }
        assertThrows(OnnxFormatException.class, () -> OnnxTensor.read(ByteBuffer.wrap(java.util.Arrays.copyOf(proto, 5))));
    }

    @Test
    void readsNodesInitializersAndEveryStorageForm(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiny.onnx");
        Files.write(file, OnnxTestModels.linear());
        OnnxGraph graph = OnnxGraph.read(file);
        assertEquals(7, graph.irVersion());
        assertEquals(11, graph.opsetVersion());
        assertEquals(List.of("x"), graph.inputs());
        assertEquals(List.of("z"), graph.outputs());
        assertEquals(List.of("MatMul", "Add"), graph.nodes().stream().map(OnnxNode::opType).toList());
        assertEquals(7, graph.nodes().get(1).attributes().get("unused").i());
        assertEquals(List.of("add"), graph.consumers("y").stream().map(OnnxNode::name).toList());
        assertEquals(List.of("onnx::MatMul_7", "lin.bias", "ids", "d", "flag"), List.copyOf(graph.initializers().keySet()));

        try (LoadedTensors t = OnnxInitializers.load(graph, Device.cpu())) {
            assertArrayEquals(OnnxTestModels.WEIGHT_IN_OUT, t.get("onnx::MatMul_7").toArray());
            assertArrayEquals(new int[] {2, 3}, t.get("onnx::MatMul_7").shape());
            assertArrayEquals(OnnxTestModels.BIAS, t.get("lin.bias").toArray());
            assertArrayEquals(new long[] {5, -1, 300}, t.get("ids").toLongArray());
            assertArrayEquals(new float[] {0.25f, -8}, t.get("d").toArray());
            assertEquals(DType.BOOL, t.get("flag").dtype());
            assertArrayEquals(new int[0], t.get("flag").shape());
            assertArrayEquals(new boolean[] {true}, t.get("flag").toBooleanArray());
        }
    }

    @Test
    void matMulWeightsTakeTheNameOfTheirBiasAndPyTorchsLayout() throws IOException {
        OnnxGraph graph = OnnxGraph.read(ByteBuffer.wrap(OnnxTestModels.linear()));
        assertEquals(Map.of("onnx::MatMul_7", "lin.weight"), OnnxInitializers.pyTorchNames(graph));
        try (LoadedTensors t = OnnxInitializers.loadPyTorchNamed(graph, Device.cpu())) {
            Tensor weight = t.get("lin.weight");
            assertArrayEquals(new int[] {3, 2}, weight.shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, weight.toArray(), "[out, in]: the stored [in, out] transposed");
            assertTrue(t.containsKey("lin.bias") && !t.containsKey("onnx::MatMul_7"));
        }
    }

    @Test
    void damagedFilesGiveClearErrors() {
        byte[] good = OnnxTestModels.linear();
        OnnxFormatException truncated = assertThrows(OnnxFormatException.class,
                () -> OnnxGraph.read(ByteBuffer.wrap(java.util.Arrays.copyOf(good, good.length - 3))));
        assertTrue(truncated.getMessage().contains("runs past the end"), truncated.getMessage());

        byte[] hugeLength = new OnnxTestModels.Proto().rawVarint(7 << 3 | 2).rawVarint(1L << 40).toByteArray();
        OnnxFormatException huge = assertThrows(OnnxFormatException.class, () -> OnnxGraph.read(ByteBuffer.wrap(hugeLength)));
        assertTrue(huge.getMessage().contains("length 1099511627776"), huge.getMessage());

        byte[] wrongSize = new OnnxTestModels.Proto().message(7, new OnnxTestModels.Proto().message(5,
                new OnnxTestModels.Proto().varint(1, 1000000).varint(2, 1).string(8, "w").bytes(9, new byte[8])))
                .toByteArray();
        OnnxFormatException size = assertThrows(OnnxFormatException.class, () -> OnnxGraph.read(ByteBuffer.wrap(wrongSize)));
        assertTrue(size.getMessage().contains("tensor \"w\"") && size.getMessage().contains("4000000 bytes"),
                size.getMessage());

        byte[] external = new OnnxTestModels.Proto().message(7, new OnnxTestModels.Proto().message(5,
                new OnnxTestModels.Proto().varint(2, 1).string(8, "e").varint(14, 1))).toByteArray();
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxGraph.read(ByteBuffer.wrap(external)))
                .getMessage().contains("external file"));

        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxGraph.read(ByteBuffer.wrap(new byte[0])))
                .getMessage().contains("no graph"));
    }
}
