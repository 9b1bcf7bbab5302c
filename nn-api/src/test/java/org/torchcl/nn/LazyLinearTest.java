package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Every line of the LazyLinear contract in shared/DESIGN.md, on every device, with the intent of
 * PyTorch's test/nn/test_lazy_modules.py ported where it applies.
 */
class LazyLinearTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    private static LinearOptions on(Device device) {
        return LinearOptions.defaults().withDevice(device);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void constructionAllocatesNothing(Device device) {
        long before = device.memoryStats().allocatedBytes();
        LazyLinear lazy = new LazyLinear(128, on(device));
        assertEquals(before, device.memoryStats().allocatedBytes());
        assertEquals(0, lazy.inFeatures());
        assertEquals(128, lazy.outFeatures());
        assertTrue(lazy.useBias());
        assertInstanceOf(UninitializedParameter.class, lazy.weight());
        assertInstanceOf(UninitializedParameter.class, lazy.bias());
        assertTrue(lazy.hasUninitializedParams());
        assertEquals("LazyLinear(in_features=0, out_features=128, bias=true)", lazy.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lazy.weight().data());
        assertTrue(e.getMessage().contains("forward pass") && e.getMessage().contains("initialize")
                && e.getMessage().contains("state dict"), e.getMessage());
    }

    /** test_linear: the first forward materializes [out, in] and computes F.linear. */
    @ParameterizedTest
    @MethodSource("devices")
    void firstForwardMaterializesExactlyTheParametersAndComputesLinear(Device device) {
        LazyLinear lazy = new LazyLinear(128, on(device));
        try (Tensor x = Torch.randn(device, 32, 256)) {
            long before = device.memoryStats().allocatedBytes();
            try (Tensor y = lazy.forward(x)) {
                assertEquals(before + (128L * 256 + 128) * 4 + 32L * 128 * 4, device.memoryStats().allocatedBytes(),
                        "weight + bias + output, nothing else");
                assertArrayEquals(new int[] {32, 128}, y.shape());
                assertEquals(256, lazy.inFeatures());
                assertFalse(lazy.hasUninitializedParams());
                assertArrayEquals(new int[] {128, 256}, lazy.weight().shape());
                assertArrayEquals(new int[] {128}, lazy.bias().shape());
                assertEquals(device, lazy.weight().data().device());
                try (Tensor expected = Torch.linear(x, lazy.weight().data(), lazy.bias().data())) {
                    assertArrayEquals(expected.toArray(), y.toArray());
                }
            }
            assertEquals(before + (128L * 256 + 128) * 4, device.memoryStats().allocatedBytes(),
                    "a LazyLinear holds exactly (out*in + out)*4 bytes once materialized");
        } finally {
            lazy.close();
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void weightsAreKaimingUniformAndBiasIsZero(Device device) {
        int in = 300;
        try (LazyLinear lazy = new LazyLinear(200, on(device)); Tensor x = Torch.ones(device, in);
             Tensor y = lazy.forward(x)) {
            float bound = (float) (1 / Math.sqrt(in));
            float[] w = lazy.weight().data().toArray();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            double sum = 0;
            for (float v : w) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            assertTrue(min >= -bound && max < bound, "range [" + min + ", " + max + "] outside +-" + bound);
            assertTrue(max > 0.99 * bound && min < -0.99 * bound, "60000 draws should reach the bounds");
            assertEquals(0.0, sum / w.length, 5 * bound / Math.sqrt(3.0 * w.length), "mean");
            assertArrayEquals(new float[200], lazy.bias().data().toArray());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void acceptsOneDimensionalAndAnyBatchInputs(Device device) {
        try (LazyLinear lazy = new LazyLinear(4, on(device));
             Tensor vector = Torch.randn(device, 6);
             Tensor batched = Torch.randn(device, 2, 3, 5, 6);
             Tensor y1 = lazy.forward(vector);
             Tensor y4 = lazy.forward(batched)) {
            assertArrayEquals(new int[] {4}, y1.shape());
            assertArrayEquals(new int[] {2, 3, 5, 4}, y4.shape());
            assertEquals(6, lazy.inFeatures());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aClosedNeverMaterializedLayerRefusesEveryWayToMaterialize(Device device) {
        LazyLinear lazy = new LazyLinear(128, on(device));
        lazy.close();
        try (Tensor x = Torch.randn(device, 32, 256); Tensor w = Torch.randn(device, 128, 256);
             Tensor b = Torch.randn(device, 128)) {
            long before = device.memoryStats().allocatedBytes();
            IllegalStateException forward = assertThrows(IllegalStateException.class, () -> lazy.forward(x));
            assertEquals("LazyLinear(in_features=0, out_features=128, bias=true) is closed: its memory was freed and it"
                    + " does not materialize new parameters", forward.getMessage());
            assertThrows(IllegalStateException.class, () -> lazy.initialize(32, 256));
            assertThrows(IllegalStateException.class, () -> lazy.loadStateDict(Map.of("weight", w, "bias", b)));
            assertEquals(before, device.memoryStats().allocatedBytes());
            assertTrue(lazy.isClosed());
            assertTrue(lazy.hasUninitializedParams());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closingAModelClosesTheLazyLayersInside(Device device) {
        Sequential model = new Sequential(new Flatten(), new LazyLinear(4, on(device)));
        model.close();
        try (Tensor x = Torch.randn(device, 2, 3, 5)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.forward(x));
            assertTrue(e.getMessage().startsWith("LazyLinear(in_features=0, out_features=4"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aLaterInputWithAnotherWidthIsRejectedNamingBothSizes(Device device) {
        try (LazyLinear lazy = new LazyLinear(8, on(device));
             Tensor first = Torch.randn(device, 2, 16);
             Tensor y = lazy.forward(first);
             Tensor other = Torch.randn(device, 2, 17)) {
            long before = device.memoryStats().allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lazy.forward(other));
            assertTrue(e.getMessage().contains("17") && e.getMessage().contains("in_features=16"), e.getMessage());
            assertEquals(before, device.memoryStats().allocatedBytes());
            assertEquals(16, lazy.inFeatures());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void withoutBiasThereIsNoBiasParameter(Device device) {
        try (LazyLinear lazy = new LazyLinear(3, on(device).withBias(false))) {
            assertNull(lazy.bias());
            assertFalse(lazy.useBias());
            assertEquals(List.of("weight"), new ArrayList<>(lazy.namedParameters().keySet()));
            long before = device.memoryStats().allocatedBytes();
            lazy.initialize(7, 5);
            assertEquals(before + 3 * 5 * 4, device.memoryStats().allocatedBytes());
            assertNull(lazy.bias());
            assertEquals(List.of("weight"), new ArrayList<>(lazy.stateDict().keySet()));
        }
    }

    /** test_linear_state: a Linear's state dict materializes an uninitialized LazyLinear. */
    @ParameterizedTest
    @MethodSource("devices")
    void loadingAStateDictMaterializesFromTheStoredShapes(Device device) {
        try (Linear linear = new Linear(5, 10, on(device)); LazyLinear lazy = new LazyLinear(10, on(device))) {
            long before = device.memoryStats().allocatedBytes();
            lazy.loadStateDict(linear.stateDict());
            assertEquals(before + (10 * 5 + 10) * 4, device.memoryStats().allocatedBytes());
            assertFalse(lazy.hasUninitializedParams());
            assertEquals(5, lazy.inFeatures());
            assertArrayEquals(linear.weight().data().toArray(), lazy.weight().data().toArray());
            assertArrayEquals(linear.bias().data().toArray(), lazy.bias().data().toArray());
            // test_lazy_linear_state_and_forward: the loaded layer computes what the Linear does.
            try (Tensor x = Torch.randn(device, 3, 5); Tensor a = linear.forward(x); Tensor b = lazy.forward(x)) {
                assertArrayEquals(a.toArray(), b.toArray());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void stateDictOfAnUninitializedModuleNamesWhatIsMissing(Device device) {
        try (Linear linear = new Linear(5, 10, on(device)); LazyLinear lazy = new LazyLinear(10, on(device))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, lazy::stateDict);
            assertTrue(e.getMessage().contains("[weight, bias]") && e.getMessage().contains("uninitialized"),
                    e.getMessage());
            // test_linear_state: a materialized module cannot load from an uninitialized one.
            assertThrows(IllegalStateException.class, () -> linear.loadStateDict(lazy.stateDict()));
        }
    }

    /** The load matrix of test_lazy_modules: lazy and materialized modules in both directions. */
    @ParameterizedTest
    @MethodSource("devices")
    void parameterLoadMatrix(Device device) {
        try (LazyLinear materializedSource = new LazyLinear(4, on(device));
             LazyLinear lazyTarget = new LazyLinear(4, on(device));
             LazyLinear materializedTarget = new LazyLinear(4, on(device));
             Linear linearTarget = new Linear(3, 4, on(device));
             LazyLinear wrongIn = new LazyLinear(4, on(device))) {
            materializedSource.initialize(2, 3);
            materializedTarget.initialize(3);
            wrongIn.initialize(7);
            Map<String, Tensor> state = materializedSource.stateDict();
            lazyTarget.loadStateDict(state);              // materialized -> lazy
            materializedTarget.loadStateDict(state);      // materialized -> materialized lazy
            linearTarget.loadStateDict(state);            // LazyLinear -> Linear
            for (Module target : List.of(lazyTarget, materializedTarget, linearTarget)) {
                assertArrayEquals(state.get("weight").toArray(), target.stateDict().get("weight").toArray());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrongIn.loadStateDict(state));
            assertTrue(e.getMessage().contains("weight has shape [4, 3] but the parameter is [4, 7]"), e.getMessage());
            try (LazyLinear lazySource = new LazyLinear(4, on(device))) {
                assertThrows(IllegalStateException.class, lazySource::stateDict);  // lazy -> anything: nothing to load
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aStateDictOfTheWrongShapeDoesNotMaterialize(Device device) {
        try (LazyLinear lazy = new LazyLinear(4, on(device)); Tensor w = Torch.zeros(device, 5, 3);
             Tensor b = Torch.zeros(device, 4)) {
            long before = device.memoryStats().allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lazy.loadStateDict(Map.of("weight", w, "bias", b)));
            assertTrue(e.getMessage().contains("weight has shape [5, 3]") && e.getMessage().contains("[4, in_features]"),
                    e.getMessage());
            assertTrue(lazy.hasUninitializedParams());
            assertEquals(before, device.memoryStats().allocatedBytes());
        }
    }

    /** Linear and LazyLinear draw the same numbers in the same order. */
    @ParameterizedTest
    @MethodSource("devices")
    void aLazyLinearAndALinearSeededAlikeHoldEqualWeights(Device device) {
        Torch.manualSeed(2024);
        try (Linear linear = new Linear(64, 32, on(device))) {
            Torch.manualSeed(2024);
            try (LazyLinear lazy = new LazyLinear(32, on(device)); Tensor x = Torch.zeros(device, 1, 64);
                 Tensor y = lazy.forward(x)) {
                assertBitwiseEqual(linear.weight().data().toArray(), lazy.weight().data().toArray());
                assertBitwiseEqual(linear.bias().data().toArray(), lazy.bias().data().toArray());
            }
        }
    }

    @Test
    void weightsMaterializedOnTheCpuAndOnOpenClAreBitwiseEqual() {
        List<Device> openCl = TestDevices.openCl();
        assumeFalse(openCl.isEmpty(), TestDevices::whyNoOpenCl);
        float[] expected = materializedWeights(Device.cpu());
        for (Device device : openCl) {
            assertBitwiseEqual(expected, materializedWeights(device));
        }
    }

    private static float[] materializedWeights(Device device) {
        Torch.manualSeed(7);
        try (LazyLinear lazy = new LazyLinear(300, on(device)); Tensor x = Torch.zeros(device, 2, 129);
             Tensor y = lazy.forward(x)) {
            return lazy.weight().data().toArray();
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void racingFirstForwardsMaterializeOnce(Device device) throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Tensor x = Torch.randn(device, 4, 33)) {
            for (int round = 0; round < 25; round++) {
                LazyLinear lazy = new LazyLinear(17, on(device));
                CyclicBarrier start = new CyclicBarrier(threads);
                long before = device.memoryStats().allocatedBytes();
                List<Future<float[]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        try (Tensor y = lazy.forward(x)) {
                            return y.toArray();
                        }
                    }));
                }
                float[] first = results.get(0).get();
                for (Future<float[]> result : results) {
                    assertArrayEquals(first, result.get());
                }
                assertEquals(before + (17L * 33 + 17) * 4, device.memoryStats().allocatedBytes(),
                        "round " + round + ": one weight and one bias, however many threads raced");
                Parameter weight = lazy.weight();
                assertSame(weight, lazy.namedParameters().get("weight"));
                lazy.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aLazyModuleMovedToADeviceMaterializesThere(Device device) {
        try (LazyLinear lazy = new LazyLinear(3, LinearOptions.defaults().withDevice(Device.cpu()))) {
            lazy.to(device);
            assertEquals(device, lazy.device());
            try (Tensor x = Torch.ones(device, 2, 5); Tensor y = lazy.forward(x)) {
                assertEquals(device, lazy.weight().data().device());
                assertEquals(device, y.device());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void badInputsDoNotMaterialize(Device device) {
        Device elsewhere = device.isCpu() ? TestDevices.openCl().stream().findFirst().orElse(null) : Device.cpu();
        try (LazyLinear lazy = new LazyLinear(3, on(device))) {
            assertThrows(IllegalArgumentException.class, () -> lazy.forward(null));
            Tensor closed = Torch.ones(device, 2);
            closed.close();
            assertThrows(IllegalStateException.class, () -> lazy.forward(closed));
            if (elsewhere != null) {
                try (Tensor x = Torch.ones(elsewhere, 4)) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lazy.forward(x));
                    assertTrue(e.getMessage().contains("materializes on " + device), e.getMessage());
                }
            }
            assertTrue(lazy.hasUninitializedParams());
        }
        assertThrows(IllegalArgumentException.class, () -> new LazyLinear(0));
        assertThrows(IllegalArgumentException.class, () -> new LazyLinear(3, null));
    }

    static void assertBitwiseEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }
}
