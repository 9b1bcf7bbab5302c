package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * MultiheadAttention, TransformerEncoderLayer and TransformerEncoder loaded with PyTorch 1.13's
 * weights compute its outputs. The golden files come from
 * examples/python/make_transformer_golden.py: inputs, {@code key_padding_mask} as float 0/1 (the
 * Python writer has no BOOL), {@code output}, and the state dict under {@code model.}, with E=16,
 * 4 heads, dim_feedforward 32. Tolerance: max |out - ref| / max |ref| <= 1e-5.
 */
class TransformerTest {

    static final double TOLERANCE = 1e-5;
    static final int E = 16;
    static final int HEADS = 4;
    static final int FF = 32;

    /** How one golden case is built on a device and run on the file's inputs. */
    record GoldenCase(Function<Device, Module> factory, Runner runner) {
    }

    @FunctionalInterface
    interface Runner {
        Tensor run(Module module, LoadedTensors file, Tensor keyPaddingMask);
    }

    static final Runner SELF_ATTENTION = (m, f, mask) -> {
        Tensor x = f.get("input");
        return ((MultiheadAttention) m).forward(x, x, x, mask);
    };
    static final Runner CROSS_ATTENTION = (m, f, mask) ->
            ((MultiheadAttention) m).forward(f.get("query"), f.get("key"), f.get("value"), mask);
    static final Runner LAYER = (m, f, mask) -> ((TransformerEncoderLayer) m).forward(f.get("input"), mask);
    static final Runner ENCODER = (m, f, mask) -> ((TransformerEncoder) m).forward(f.get("input"), mask);

    static TransformerEncoderLayer layer(Device device, TransformerOptions options) {
        return new TransformerEncoderLayer(E, HEADS, FF, options.withDevice(device));
    }

    static Map<String, GoldenCase> cases() {
        TransformerOptions preGelu = TransformerOptions.defaults().withActivation("gelu").withNormFirst(true);
        Function<Device, Module> mha = d -> new MultiheadAttention(E, HEADS, d);
        Map<String, GoldenCase> cases = new LinkedHashMap<>();
        cases.put("mha_self", new GoldenCase(mha, SELF_ATTENTION));
        cases.put("mha_self_padding", new GoldenCase(mha, SELF_ATTENTION));
        cases.put("mha_cross", new GoldenCase(mha, CROSS_ATTENTION));
        cases.put("mha_cross_padding", new GoldenCase(mha, CROSS_ATTENTION));
        cases.put("encoder_layer_post_relu",
                new GoldenCase(d -> layer(d, TransformerOptions.defaults()), LAYER));
        cases.put("encoder_layer_pre_gelu",
                new GoldenCase(d -> layer(d, preGelu.withLayerNormEps(1e-6)), LAYER));
        cases.put("encoder_layer_padding",
                new GoldenCase(d -> layer(d, TransformerOptions.defaults()), LAYER));
        cases.put("encoder_layer_pre_gelu_padding", new GoldenCase(d -> layer(d, preGelu), LAYER));
        cases.put("encoder_2_layers_padding", new GoldenCase(
                d -> new TransformerEncoder(i -> layer(d, TransformerOptions.defaults()), 2), ENCODER));
        cases.put("encoder_2_layers_final_norm", new GoldenCase(
                d -> new TransformerEncoder(i -> layer(d, TransformerOptions.defaults()), 2, new LayerNorm(E)), ENCODER));
        return cases;
    }

    static Stream<Arguments> goldenCases() {
        return TestDevices.all().flatMap(device -> cases().keySet().stream().map(name -> Arguments.of(name, device)));
    }

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    /** The golden file's bytes, from the classpath. */
    static ByteBuffer golden(String name) throws IOException {
        try (InputStream in = TransformerTest.class.getResourceAsStream("/golden-transformer/" + name + ".safetensors")) {
            return ByteBuffer.wrap(in.readAllBytes());
        }
    }

    /** The module for {@code name} on {@code device}, in eval mode, holding the golden file's weights. */
    static Module loaded(String name, Device device, LoadedTensors file) {
        Module module = cases().get(name).factory().apply(device);
        module.to(device);
        module.eval();
        module.loadStateDict(file.withPrefix("model."));
        return module;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("goldenCases")
    void matchesPyTorch(String name, Device device) throws Exception {
        try (LoadedTensors file = Safetensors.load(golden(name), device);
             Module module = loaded(name, device, file);
             Tensor mask = file.containsKey("key_padding_mask") ? file.get("key_padding_mask").ne(0.0) : null;
             Tensor out = cases().get(name).runner().run(module, file, mask)) {
            assertTrue(file.metadata().get("torch").startsWith("1.13"), "made by PyTorch 1.13: " + file.metadata());
            Tensor expected = file.get("output");
            assertArrayEquals(expected.shape(), out.shape());
            assertRelativeError(expected.toArray(), out.toArray(), name + " on " + device);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aFloatPaddingMaskIsAddedToTheScores(Device device) throws Exception {
        String name = "mha_self_padding";
        try (LoadedTensors file = Safetensors.load(golden(name), device);
             Module module = loaded(name, device, file);
             Tensor padding = file.get("key_padding_mask").ne(0.0);
             Tensor zeros = Torch.zeros(device, padding.shape());
             Tensor additive = zeros.maskedFill(padding, Double.NEGATIVE_INFINITY);
             Tensor out = SELF_ATTENTION.run(module, file, additive)) {
            assertRelativeError(file.get("output").toArray(), out.toArray(), name + " with a float mask on " + device);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void forwardFreesEveryIntermediate(Device device) {
        TransformerOptions preNorm = TransformerOptions.defaults().withNormFirst(true).withActivation("gelu");
        try (MultiheadAttention mha = new MultiheadAttention(E, HEADS, device);
             TransformerEncoder encoder = new TransformerEncoder(i -> layer(device, preNorm), 2, new LayerNorm(E));
             Tensor x = Torch.randn(device, 2, 5, E);
             Tensor memory = Torch.randn(device, 2, 3, E);
             Tensor mask = Torch.tensor(device, new boolean[] {false, false, false, true, true,
                     false, true, false, false, false}, 2, 5)) {
            encoder.to(device).eval();
            List<Runnable> forwards = List.of(
                    () -> mha.forward(x).close(),
                    () -> mha.forward(x, memory, memory).close(),
                    () -> mha.forward(memory, x, x, mask).close(),
                    () -> encoder.forward(x, mask).close());
            for (Runnable forward : forwards) {
                forward.run(); // a first run may build kernels and caches
                long before = device.memoryStats().allocatedBytes();
                forward.run();
                assertEquals(before, device.memoryStats().allocatedBytes(), "bytes allocated after a closed forward");
            }
        }
    }

    @Test
    void badShapesAreRefusedNamingThem() {
        Device cpu = Device.cpu();
        try (MultiheadAttention mha = new MultiheadAttention(E, HEADS, cpu);
             TransformerEncoderLayer layer = layer(cpu, TransformerOptions.defaults());
             Tensor narrow = Torch.zeros(cpu, 2, 5, 8);
             Tensor x = Torch.zeros(cpu, 2, 5, E);
             Tensor otherBatch = Torch.zeros(cpu, 3, 5, E);
             Tensor badMask = Torch.tensor(cpu, new boolean[8], 2, 4);
             Tensor intMask = Torch.tensor(cpu, new int[10], 2, 5)) {
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> mha.forward(narrow)), "[2, 5, 8]");
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> mha.forward(x, otherBatch, otherBatch)),
                    "[2, 5, 16]", "[3, 5, 16]");
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, badMask)),
                    "[2, 4]", "[2, 5]");
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> mha.forward(x, x, x, intMask)),
                    "int32");
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> layer.forward(narrow)), "[2, 5, 8]");
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> layer.forward(x, badMask)), "[2, 4]");
        }
    }

    @Test
    void embedDimNotDivisibleByHeadsIsRefusedAtConstruction() {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3)),
                "10", "3");
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(10, 4, 20)),
                "10", "4");
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(0, 1));
    }

    @Test
    void parametersHavePyTorchNamesAndInit() {
        try (MultiheadAttention mha = new MultiheadAttention(E, HEADS, Device.cpu())) {
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                    List.copyOf(mha.namedParameters().keySet()));
            float bound = (float) Math.sqrt(6.0 / (E + 3 * E));
            float[] weight = mha.inProjWeight().data().toArray();
            float max = 0;
            for (float w : weight) {
                max = Math.max(max, Math.abs(w));
            }
            assertTrue(max <= bound && max > bound / 2, "xavier-uniform in_proj_weight: max |w| " + max + ", bound " + bound);
            for (float b : mha.inProjBias().data().toArray()) {
                assertEquals(0f, b);
            }
        }
        try (TransformerEncoder encoder = new TransformerEncoder(i -> layer(Device.cpu(), TransformerOptions.defaults()), 2)) {
            assertTrue(encoder.namedParameters().containsKey("layers.1.self_attn.out_proj.weight"));
            assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"),
                    List.copyOf(encoder.layer(0).namedChildren().keySet()));
            assertFalse(encoder.namedChildren().containsKey("norm"));
        }
    }

    @Test
    void optionsDefaultToPyTorchsAndRejectUnknownValues() {
        assertEquals(new TransformerOptions("relu", 1e-5, false, 0.1, null), TransformerOptions.defaults());
        TransformerOptions options = TransformerOptions.defaults().withActivation("gelu").withLayerNormEps(1e-6)
                .withNormFirst(true).withDropout(0.0);
        assertEquals(new TransformerOptions("gelu", 1e-6, true, 0.0, null), options);
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> TransformerOptions.defaults().withActivation("tanh")), "tanh");
        assertThrows(IllegalArgumentException.class, () -> TransformerOptions.defaults().withLayerNormEps(0));
        assertThrows(IllegalArgumentException.class, () -> TransformerOptions.defaults().withDropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(i -> null, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new TransformerEncoder(i -> layer(Device.cpu(), TransformerOptions.defaults()), 0));
    }

    static void assertMessageNames(IllegalArgumentException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should name " + part);
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
