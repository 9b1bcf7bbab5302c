package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** The CNN and transformer layers: shapes, initialization, argument checks and printing (values: GoldenParityTest). */
class LayersTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    /** What {@code initialize} computes from shapes alone equals what a forward pass produces. */
    @ParameterizedTest
    @MethodSource("devices")
    void shapePropagationAgreesWithForward(Device device) {
        List<Module> layers = List.of(new MaxPool2d(3, 2, 1), new MaxPool2d(2), new AvgPool2d(3, 2, 1), new AvgPool2d(2),
                new AdaptiveAvgPool2d(3, 2), new AdaptiveAvgPool2d(1), new GELU(), new GELU("tanh"), new SiLU(),
                new Sigmoid(), new Tanh(), new Softmax(1), new Identity(), new Dropout(0.3).eval(),
                new LayerNorm(new int[] {7}, 1e-5, device), new LayerNorm(new int[] {9, 7}, 1e-5, device),
                new BatchNorm2d(3, 1e-5, device).eval(),
                new Conv2d(3, 6, 3, Conv2dOptions.defaults().withStride(2).withPadding(1, 2).withDilation(2)
                        .withGroups(3).withDevice(device)));
        try (Tensor x = Torch.randn(device, 2, 3, 9, 7)) {
            for (Module layer : layers) {
                try (Tensor y = layer.forward(x)) {
                    assertArrayEquals(y.shape(), Module.propagateShape(layer, x.shape()), layer.toString());
                    assertEquals(device, y.device());
                }
                layer.close();
            }
            assertFalse(x.isClosed());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void groupedAndDilatedConvolutionHasPyTorchsWeightShapeAndInit(Device device) {
        try (Conv2d conv = new Conv2d(8, 4, 3, Conv2dOptions.defaults().withGroups(2).withDilation(2).withDevice(device));
             Conv2d depthwise = new Conv2d(6, 6, 5, Conv2dOptions.defaults().withGroups(6).withDevice(device))) {
            assertArrayEquals(new int[] {4, 4, 3, 3}, conv.weight().shape());
            assertArrayEquals(new int[] {6, 1, 5, 5}, depthwise.weight().shape());
            float bound = (float) (1 / Math.sqrt(4 * 3 * 3));
            for (float v : conv.weight().data().toArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
            assertEquals("Conv2d(8, 4, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), groups=2)", conv.toString());
            try (Tensor x = Torch.randn(device, 1, 8, 7, 7); Tensor y = conv.forward(x);
                 Tensor expected = Torch.conv2d(x, conv.weight().data(), conv.bias().data(), new int[] {1, 1},
                         new int[] {0, 0}, new int[] {2, 2}, 2)) {
                assertArrayEquals(new int[] {1, 4, 3, 3}, y.shape());
                assertArrayEquals(expected.toArray(), y.toArray());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(6, 4, 3, Conv2dOptions.defaults().withGroups(4).withDevice(device)));
        assertTrue(e.getMessage().contains("in_channels 6") && e.getMessage().contains("groups 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2dOptions.defaults().withGroups(0));
        assertThrows(IllegalArgumentException.class, () -> Conv2dOptions.defaults().withDilation(0));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void embeddingLooksUpNormalRows(Device device) {
        Torch.manualSeed(5);
        try (Embedding embedding = new Embedding(1000, 16, device);
             Tensor ids = Torch.tensor(device, new long[] {3, 999, 0, 3}, 2, 2);
             Tensor y = embedding.forward(ids)) {
            float[] w = embedding.weight().data().toArray();
            double sum = 0;
            double squares = 0;
            for (float v : w) {
                sum += v;
                squares += v * v;
            }
            assertEquals(0, sum / w.length, 0.05, "N(0, 1) mean");
            assertEquals(1, squares / w.length, 0.05, "N(0, 1) variance");
            assertArrayEquals(new int[] {2, 2, 16}, y.shape());
            float[] out = y.toArray();
            for (int j = 0; j < 16; j++) {
                assertEquals(w[3 * 16 + j], out[j]);
                assertEquals(w[999 * 16 + j], out[16 + j]);
                assertEquals(w[3 * 16 + j], out[48 + j]);
            }
            assertEquals("Embedding(1000, 16)", embedding.toString());
        }
    }

    @Test
    void argumentsAreCheckedNamingTheValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GELU("fast")).getMessage().contains("\"fast\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2)).getMessage()
                .contains("padding 2"));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(0));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[0], 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(4, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3, -1));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new ModuleList((Module[]) null));
        try (BatchNorm1d bn = new BatchNorm1d(3, 1e-5, Device.cpu()); Tensor image = Torch.zeros(Device.cpu(), 1, 3, 2, 2)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> bn.forward(image)).getMessage()
                    .contains("expected 2D or 3D input"));
        }
    }

    @Test
    void printsLikePyTorch() {
        Sequential net = new Sequential(new BatchNorm2d(4, 1e-5, Device.cpu()), new MaxPool2d(3, 2, 1),
                new AdaptiveAvgPool2d(1), new LayerNorm(new int[] {4}, 1e-5, Device.cpu()), new GELU("tanh"),
                new Dropout(0.1), new Softmax(-1), new Identity());
        assertEquals(String.join("\n",
                "Sequential(",
                "  (0): BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true)",
                "  (1): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=false)",
                "  (2): AdaptiveAvgPool2d(output_size=1)",
                "  (3): LayerNorm((4,), eps=1.0E-5, elementwise_affine=true)",
                "  (4): GELU(approximate='tanh')",
                "  (5): Dropout(p=0.1, inplace=false)",
                "  (6): Softmax(dim=-1)",
                "  (7): Identity()",
                ")"), net.toString());
        net.close();
    }
}
