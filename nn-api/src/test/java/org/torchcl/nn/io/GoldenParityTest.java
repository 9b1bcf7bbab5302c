package org.torchcl.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.nn.AdaptiveAvgPool2d;
import org.torchcl.nn.AvgPool2d;
import org.torchcl.nn.BatchNorm1d;
import org.torchcl.nn.BatchNorm2d;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.Embedding;
import org.torchcl.nn.Flatten;
import org.torchcl.nn.GELU;
import org.torchcl.nn.LayerNorm;
import org.torchcl.nn.LazyBatchNorm2d;
import org.torchcl.nn.LazyConv2d;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.MaxPool2d;
import org.torchcl.nn.Module;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;
import org.torchcl.nn.SiLU;
import org.torchcl.nn.Sigmoid;
import org.torchcl.nn.Softmax;
import org.torchcl.nn.Tanh;

/**
 * Modules loaded with PyTorch's weights compute PyTorch's outputs: the golden files come from
 * examples/python/make_golden.py (input, output, and the state dict under {@code model.}, buffers
 * included, in PyTorch's order), run in eval mode. Tolerance: max |out - ref| / max |ref| <= 1e-5.
 */
class GoldenParityTest {

    static final double TOLERANCE = 1e-5;

    /** A user's version of the golden SimpleNet: Conv2d(3, 8, 5) -> flatten -> LazyLinear(10). */
    static final class SimpleNet extends Module {
        final Conv2d conv;
        final LazyLinear fc;

        SimpleNet(Device device) {
            super(device);
            conv = registerModule("conv", new Conv2d(3, 8, 5, Conv2dOptions.defaults().withDevice(device)));
            fc = registerModule("fc", new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor features = conv.forward(x); Tensor flat = features.reshape(features.shape(0), -1)) {
                return fc.forward(flat);
            }
        }
    }

    static Map<String, Function<Device, Module>> cases() {
        Map<String, Function<Device, Module>> cases = new LinkedHashMap<>();
        cases.put("linear_bias_2d", d -> new Linear(5, 3, LinearOptions.defaults().withDevice(d)));
        cases.put("linear_nobias_3d", d -> new Linear(7, 2, LinearOptions.defaults().withBias(false).withDevice(d)));
        cases.put("linear_bias_1d", d -> new LazyLinear(4, LinearOptions.defaults().withDevice(d)));
        cases.put("linear_wide", d -> new LazyLinear(129, LinearOptions.defaults().withDevice(d)));
        cases.put("conv_basic", d -> new Conv2d(3, 4, 3, Conv2dOptions.defaults().withDevice(d)));
        cases.put("conv_stride2_pad1", d -> new Conv2d(2, 5, 3,
                Conv2dOptions.defaults().withStride(2).withPadding(1).withDevice(d)));
        cases.put("conv_k5_pad2_nobias", d -> new Conv2d(1, 2, 5,
                Conv2dOptions.defaults().withPadding(2).withBias(false).withDevice(d)));
        cases.put("conv_unbatched", d -> new Conv2d(3, 2, 2, Conv2dOptions.defaults().withStride(2).withDevice(d)));
        cases.put("relu", d -> new ReLU());
        cases.put("sequential_mlp", d -> new Sequential(new Linear(10, 16, LinearOptions.defaults().withDevice(d)),
                new ReLU(), new Linear(16, 4, LinearOptions.defaults().withDevice(d))));
        cases.put("simple_net", SimpleNet::new);
        cases.put("batchnorm2d_eval", d -> new BatchNorm2d(6, 1e-5, d));
        cases.put("batchnorm2d_eps", d -> new BatchNorm2d(3, 1e-3, d));
        cases.put("batchnorm1d_2d", d -> new BatchNorm1d(5, 1e-5, d));
        cases.put("batchnorm1d_3d", d -> new BatchNorm1d(5, 1e-5, d));
        cases.put("layernorm", d -> new LayerNorm(new int[] {8}, 1e-5, d));
        cases.put("layernorm_2d_shape", d -> new LayerNorm(new int[] {4, 5}, 1e-6, d));
        cases.put("embedding", d -> new Embedding(10, 4, d));
        cases.put("maxpool_k3_s2_p1", d -> new MaxPool2d(3, 2, 1));
        cases.put("maxpool_k2", d -> new MaxPool2d(2));
        cases.put("avgpool_k3_s2_p1", d -> new AvgPool2d(3, 2, 1));
        cases.put("avgpool_k2", d -> new AvgPool2d(2));
        cases.put("adaptive_avgpool_1", d -> new AdaptiveAvgPool2d(1));
        cases.put("adaptive_avgpool_3x2", d -> new AdaptiveAvgPool2d(3, 2));
        cases.put("gelu", d -> new GELU());
        cases.put("gelu_tanh", d -> new GELU("tanh"));
        cases.put("silu", d -> new SiLU());
        cases.put("sigmoid", d -> new Sigmoid());
        cases.put("tanh", d -> new Tanh());
        cases.put("softmax_dim1", d -> new Softmax(1));
        cases.put("conv_dilation2", d -> new Conv2d(3, 4, 3,
                Conv2dOptions.defaults().withPadding(2).withDilation(2).withDevice(d)));
        cases.put("conv_groups2", d -> new Conv2d(4, 6, 3,
                Conv2dOptions.defaults().withPadding(1).withGroups(2).withDevice(d)));
        cases.put("conv_depthwise", d -> new Conv2d(6, 6, 3,
                Conv2dOptions.defaults().withStride(2).withPadding(1).withGroups(6).withBias(false).withDevice(d)));
        cases.put("lazy_cnn", d -> new Sequential(
                new LazyConv2d(8, 3, Conv2dOptions.defaults().withPadding(1).withDevice(d)),
                new LazyBatchNorm2d(1e-5, d), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(),
                new LazyLinear(10, LinearOptions.defaults().withDevice(d))));
        return cases;
    }

    static Stream<Arguments> goldenCases() {
        return TestDevices.all().flatMap(device -> cases().keySet().stream().map(name -> Arguments.of(name, device)));
    }

    /** The golden file's bytes: read from the classpath, so the suite also runs from its test jar. */
    static ByteBuffer golden(String name) throws IOException {
        try (InputStream in = GoldenParityTest.class.getResourceAsStream("/golden/" + name + ".safetensors")) {
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("goldenCases")
    void matchesPyTorch(String name, Device device) throws Exception {
        try (LoadedTensors file = Safetensors.load(golden(name), device);
             Module module = cases().get(name).apply(device)) {
            assertTrue(file.metadata().get("torch").startsWith("1."), "made by PyTorch: " + file.metadata());
            Map<String, Tensor> state = file.withPrefix("model.");
            module.loadStateDict(state);
            assertFalse(module.hasUninitializedParams());
            assertEquals(List.copyOf(state.keySet()), List.copyOf(module.stateDict().keySet()),
                    "PyTorch's names and order, buffers included");
            module.stateDict().forEach((key, tensor) -> {
                assertEquals(state.get(key).dtype(), tensor.dtype(), key);
                assertArrayEquals(state.get(key).toArray(), tensor.toArray(), key);
            });
            module.eval();
            try (Tensor out = module.forward(file.get("input"))) {
                Tensor expected = file.get("output");
                assertArrayEquals(expected.shape(), out.shape());
                assertRelativeError(expected.toArray(), out.toArray(), name + " on " + device);
            }
        }
    }

    /** The golden batch norms' counters were set to 7 and load as INT64 scalars, as PyTorch keeps them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.torchcl.TestDevices#all")
    void numBatchesTrackedLoadsAsAnInt64Scalar(Device device) throws Exception {
        try (LoadedTensors file = Safetensors.load(golden("lazy_cnn"), device);
             Module module = cases().get("lazy_cnn").apply(device)) {
            module.loadStateDict(file.withPrefix("model."));
            Tensor count = module.namedBuffers().get("1.num_batches_tracked");
            assertEquals(DType.INT64, count.dtype());
            assertArrayEquals(new int[0], count.shape());
            assertEquals(7L, count.itemLong());
        }
    }

    static void assertRelativeError(float[] expected, float[] actual, String what) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        double error = maxDiff / maxRef;
        assertTrue(error <= TOLERANCE, what + ": max |out - ref| / max |ref| = " + error + " > " + TOLERANCE);
    }
}
