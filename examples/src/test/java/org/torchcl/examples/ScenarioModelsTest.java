package org.torchcl.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Sequential;

/**
 * The four LazyLinear scenarios the examples show (SimpleNet, DynamicMlp, InitializationState,
 * FeatureExtractor), through the examples' own model classes, on every device.
 */
class ScenarioModelsTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void simpleNetLearnsItsClassifierWidthFromTheConvOutput(Device device) {
        try (SimpleNet.Net net = new SimpleNet.Net(device); Tensor x = Torch.randn(device, 4, 3, 32, 32)) {
            assertEquals(0, net.fc.inFeatures());
            try (Tensor y = net.forward(x)) {
                assertArrayEquals(new int[] {4, 10}, y.shape());
            }
            assertEquals(64 * 28 * 28, net.fc.inFeatures());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dynamicMlpTakesAnyInputWidth(Device device) {
        for (int width : new int[] {17, 784}) {
            try (Sequential mlp = DynamicMlp.build(device); Tensor x = Torch.randn(device, 8, width);
                 Tensor y = mlp.forward(x)) {
                assertArrayEquals(new int[] {8, 256}, y.shape());
                assertEquals(width, ((LazyLinear) mlp.get(0)).inFeatures());
                for (int i = 2; i < mlp.size(); i += 2) {
                    assertEquals(256, ((LazyLinear) mlp.get(i)).inFeatures());
                }
                assertEquals(9, mlp.size());
            }
        }
    }

    /** test_chained_initialization of PyTorch's lazy-module tests: one forward materializes the chain. */
    @ParameterizedTest
    @MethodSource("devices")
    void initializationStateIsVisibleBeforeAndAfter(Device device) {
        LinearOptions on = LinearOptions.defaults().withDevice(device);
        try (Sequential model = new Sequential(new LazyLinear(10, on), new LazyLinear(20, on))) {
            assertTrue(model.hasUninitializedParams());
            try (Tensor x = Torch.ones(device, 5, 5); Tensor y = model.forward(x)) {
                assertFalse(model.hasUninitializedParams());
                assertArrayEquals(new int[] {10, 5}, model.namedParameters().get("0.weight").shape());
                assertArrayEquals(new int[] {20, 10}, model.namedParameters().get("1.weight").shape());
                assertArrayEquals(new int[] {5, 20}, y.shape());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void featureExtractorSizesItsClassifierByForwardAndByInitialize(Device device) {
        for (int size : new int[] {16, 28}) {
            int after = (size - 3) / 2 + 1;
            try (FeatureExtractor.Model model = new FeatureExtractor.Model(device);
                 Tensor x = Torch.randn(device, 2, 3, size, size); Tensor y = model.forward(x)) {
                assertEquals(32 * after * after, model.classifier.inFeatures());
                assertArrayEquals(new int[] {2, 10}, y.shape());
            }
            try (FeatureExtractor.Model model = new FeatureExtractor.Model(device)) {
                model.initialize(1, 3, size, size);
                assertEquals(32 * after * after, model.classifier.inFeatures(), "initialize agrees with forward");
            }
        }
    }
}
