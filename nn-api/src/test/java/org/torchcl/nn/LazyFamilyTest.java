package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** LazyLinear's contract (shared/DESIGN.md) carried to LazyConv2d and LazyBatchNorm2d, on every device. */
class LazyFamilyTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    private static Conv2dOptions on(Device device) {
        return Conv2dOptions.defaults().withDevice(device);
    }

    /** Bytes a materialized BatchNorm2d(c) holds: four float vectors and an int64 counter. */
    private static long batchNormBytes(int channels) {
        return 4L * channels * 4 + 8;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void constructionAllocatesNothing(Device device) {
        long before = device.memoryStats().allocatedBytes();
        LazyConv2d conv = new LazyConv2d(16, 3, on(device));
        LazyBatchNorm2d bn = new LazyBatchNorm2d(1e-5, device);
        assertEquals(before, device.memoryStats().allocatedBytes());
        assertEquals(0, conv.inChannels());
        assertEquals(0, bn.numFeatures());
        assertInstanceOf(UninitializedParameter.class, conv.weight());
        assertInstanceOf(UninitializedParameter.class, conv.bias());
        assertInstanceOf(UninitializedParameter.class, bn.weight());
        assertTrue(conv.hasUninitializedParams() && bn.hasUninitializedParams());
        assertTrue(bn.namedBuffers().isEmpty(), "a lazy module lists its buffers once they exist");
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        IllegalStateException e = assertThrows(IllegalStateException.class, bn::runningMean);
        assertTrue(e.getMessage().contains("LazyBatchNorm2d.running_mean"), e.getMessage());
        assertEquals("LazyConv2d(0, 16, kernel_size=(3, 3), stride=(1, 1))", conv.toString());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void stateDictWhileUninitializedNamesParametersAndBuffers(Device device) {
        try (LazyConv2d conv = new LazyConv2d(4, 3, on(device)); LazyBatchNorm2d bn = new LazyBatchNorm2d(1e-5, device)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, conv::stateDict);
            assertTrue(e.getMessage().contains("[weight, bias]") && e.getMessage().contains("uninitialized"),
                    e.getMessage());
            e = assertThrows(IllegalStateException.class, bn::stateDict);
            assertTrue(e.getMessage().contains("[weight, bias, running_mean, running_var, num_batches_tracked]"),
                    e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void firstForwardMaterializesExactlyTheParametersFromDimMinusThree(Device device) {
        try (LazyConv2d conv = new LazyConv2d(4, 3, on(device).withPadding(1)); Tensor x = Torch.randn(device, 2, 5, 6, 6)) {
            long before = device.memoryStats().allocatedBytes();
            try (Tensor y = conv.forward(x)) {
                assertArrayEquals(new int[] {2, 4, 6, 6}, y.shape());
                assertEquals(before + (4L * 5 * 9 + 4) * 4 + y.numel() * 4, device.memoryStats().allocatedBytes(),
                        "weight + bias + output, nothing else");
                assertEquals(5, conv.inChannels());
                assertArrayEquals(new int[] {4, 5, 3, 3}, conv.weight().shape());
                try (Tensor expected = Torch.conv2d(x, conv.weight().data(), conv.bias().data(), 1, 1)) {
                    assertArrayEquals(expected.toArray(), y.toArray());
                }
            }
            try (Tensor unbatched = Torch.randn(device, 5, 4, 4); Tensor y = conv.forward(unbatched)) {
                assertArrayEquals(new int[] {4, 4, 4}, y.shape());
            }
        }
        try (LazyConv2d conv = new LazyConv2d(2, 1, on(device)); Tensor x = Torch.randn(device, 3, 4, 4);
             Tensor y = conv.forward(x)) {
            assertEquals(3, conv.inChannels(), "an unbatched first input gives in_channels too");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void lazyBatchNormMaterializesAllFiveTensorsFromDimOne(Device device) {
        try (LazyBatchNorm2d bn = new LazyBatchNorm2d(1e-5, device); Tensor x = Torch.randn(device, 2, 3, 4, 4)) {
            bn.eval();
            long before = device.memoryStats().allocatedBytes();
            try (Tensor y = bn.forward(x)) {
                assertEquals(before + batchNormBytes(3) + x.numel() * 4, device.memoryStats().allocatedBytes());
                assertEquals(3, bn.numFeatures());
                assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                        List.copyOf(bn.stateDict().keySet()));
                assertArrayEquals(new float[] {1, 1, 1}, bn.weight().data().toArray());
                assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar().toArray());
                assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
                float[] in = x.toArray();
                float[] out = y.toArray();
                for (int i = 0; i < in.length; i++) {
                    assertEquals(in[i] / Math.sqrt(1 + 1e-5), out[i], 1e-6);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aLaterInputWithOtherChannelsIsRejectedNamingBoth(Device device) {
        try (LazyConv2d conv = new LazyConv2d(4, 1, on(device)); LazyBatchNorm2d bn = new LazyBatchNorm2d(1e-5, device);
             Tensor first = Torch.randn(device, 1, 3, 2, 2); Tensor other = Torch.randn(device, 1, 5, 2, 2)) {
            conv.forward(first).close();
            bn.forward(first).close();
            long before = device.memoryStats().allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(other));
            assertTrue(e.getMessage().contains("5 channels") && e.getMessage().contains("in_channels is 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> bn.forward(other));
            assertTrue(e.getMessage().contains("5 channels") && e.getMessage().contains("num_features is 3"), e.getMessage());
            assertEquals(before, device.memoryStats().allocatedBytes());
            try (Tensor flat = Torch.randn(device, 2, 3)) {
                e = assertThrows(IllegalArgumentException.class, () -> bn.forward(flat));
                assertTrue(e.getMessage().contains("expected 4D input"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void initializePropagatesShapesThroughTheWholeLazyCnnWithoutActivations(Device device) {
        Sequential net = new Sequential(new LazyConv2d(8, 3, on(device).withStride(2).withPadding(1)),
                new LazyBatchNorm2d(1e-5, device), new ReLU(), new MaxPool2d(2), new LazyConv2d(6, 3, on(device)),
                new AdaptiveAvgPool2d(1), new Flatten(), new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
        long before = device.memoryStats().allocatedBytes();
        device.resetPeakMemoryStats();
        net.initialize(4, 3, 32, 32);
        assertFalse(net.hasUninitializedParams());
        assertEquals(3, ((LazyConv2d) net.get(0)).inChannels());
        assertEquals(8, ((BatchNorm) net.get(1)).numFeatures());
        assertEquals(8, ((LazyConv2d) net.get(4)).inChannels());
        assertEquals(6, ((LazyLinear) net.get(7)).inFeatures());
        long bytes = (8L * 3 * 9 + 8) * 4 + batchNormBytes(8) + (6L * 8 * 9 + 6) * 4 + (10L * 6 + 10) * 4;
        assertEquals(before + bytes, device.memoryStats().allocatedBytes());
        assertEquals(before + bytes, device.memoryStats().peakBytes(), "no activation was ever allocated");
        net.eval();
        try (Tensor x = Torch.randn(device, 4, 3, 32, 32); Tensor y = net.forward(x)) {
            assertArrayEquals(new int[] {4, 10}, y.shape());
        }
        net.close();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void loadingAStateDictMaterializesFromTheStoredShapes(Device device) {
        Conv2dOptions grouped = on(device).withGroups(2).withPadding(1);
        try (Conv2d conv = new Conv2d(4, 6, 3, grouped); LazyConv2d lazyConv = new LazyConv2d(6, 3, grouped);
             BatchNorm2d bn = new BatchNorm2d(6, 1e-5, device); LazyBatchNorm2d lazyBn = new LazyBatchNorm2d(1e-5, device)) {
            try (Tensor mean = Torch.tensor(device, new float[] {1, 2, 3, 4, 5, 6}, 6)) {
                bn.runningMean().copyFrom(mean);
            }
            bn.numBatchesTracked().fill(3);
            long before = device.memoryStats().allocatedBytes();
            lazyConv.loadStateDict(conv.stateDict());
            lazyBn.loadStateDict(bn.stateDict());
            assertEquals(before + (6L * 2 * 9 + 6) * 4 + batchNormBytes(6), device.memoryStats().allocatedBytes());
            assertEquals(4, lazyConv.inChannels(), "in_channels = weight.shape(1) * groups");
            assertEquals(6, lazyBn.numFeatures());
            assertArrayEquals(bn.runningMean().toArray(), lazyBn.runningMean().toArray());
            assertEquals(3L, lazyBn.numBatchesTracked().itemLong());
            bn.eval();
            lazyBn.eval();
            try (Tensor x = Torch.randn(device, 2, 4, 5, 5); Tensor a = conv.forward(x); Tensor b = lazyConv.forward(x);
                 Tensor c = bn.forward(a); Tensor d = lazyBn.forward(b)) {
                assertArrayEquals(a.toArray(), b.toArray());
                assertArrayEquals(c.toArray(), d.toArray());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aStateDictOfTheWrongShapeDoesNotMaterialize(Device device) {
        try (LazyConv2d conv = new LazyConv2d(4, 3, on(device)); LazyBatchNorm2d bn = new LazyBatchNorm2d(1e-5, device);
             Tensor w = Torch.zeros(device, 4, 2, 5, 5); Tensor b = Torch.zeros(device, 4);
             Tensor three = Torch.zeros(device, 3); Tensor count = Torch.zeros(device, DType.INT64)) {
            long before = device.memoryStats().allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> conv.loadStateDict(Map.of("weight", w, "bias", b)));
            assertTrue(e.getMessage().contains("weight has shape [4, 2, 5, 5]")
                    && e.getMessage().contains("[4, in_channels / groups, 3, 3]"), e.getMessage());
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("weight", b);
            state.put("bias", b);
            state.put("running_mean", three);
            state.put("running_var", b);
            state.put("num_batches_tracked", count);
            e = assertThrows(IllegalArgumentException.class, () -> bn.loadStateDict(state));
            assertTrue(e.getMessage().contains("running_mean has shape [3] but weight has [4]"), e.getMessage());
            state.remove("num_batches_tracked");
            e = assertThrows(IllegalArgumentException.class, () -> bn.loadStateDict(state));
            assertTrue(e.getMessage().contains("missing keys [num_batches_tracked]"), e.getMessage());
            assertTrue(conv.hasUninitializedParams() && bn.hasUninitializedParams());
            assertEquals(before, device.memoryStats().allocatedBytes());
        }
    }

    /** Conv2d and LazyConv2d draw the same numbers in the same order. */
    @ParameterizedTest
    @MethodSource("devices")
    void aLazyConvAndAConvSeededAlikeHoldEqualWeights(Device device) {
        Torch.manualSeed(99);
        try (Conv2d conv = new Conv2d(6, 4, 3, on(device).withDilation(2))) {
            Torch.manualSeed(99);
            try (LazyConv2d lazy = new LazyConv2d(4, 3, on(device).withDilation(2)); Tensor x = Torch.zeros(device, 6, 9, 9);
                 Tensor y = lazy.forward(x)) {
                LazyLinearTest.assertBitwiseEqual(conv.weight().data().toArray(), lazy.weight().data().toArray());
                LazyLinearTest.assertBitwiseEqual(conv.bias().data().toArray(), lazy.bias().data().toArray());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void groupsMustDivideTheLearnedChannels(Device device) {
        try (LazyConv2d conv = new LazyConv2d(6, 3, on(device).withGroups(3)); Tensor x = Torch.zeros(device, 1, 4, 5, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(x));
            assertTrue(e.getMessage().contains("in_channels 4") && e.getMessage().contains("groups 3"), e.getMessage());
            assertTrue(conv.hasUninitializedParams());
        }
        assertThrows(IllegalArgumentException.class, () -> new LazyConv2d(5, 3, on(device).withGroups(2)));
        try (LazyConv2d noBias = new LazyConv2d(2, 1, on(device).withBias(false))) {
            assertNull(noBias.bias());
            assertEquals(List.of("weight"), List.copyOf(noBias.namedParameters().keySet()));
        }
    }

    static Stream<Object[]> racingCases() {
        Function<Device, Module> conv = d -> new LazyConv2d(5, 3, on(d).withPadding(1));
        Function<Device, Module> bn = d -> new LazyBatchNorm2d(1e-5, d).eval();
        return TestDevices.all().flatMap(d -> Stream.of(
                new Object[] {d, "LazyConv2d", conv, (5L * 6 * 9 + 5) * 4},
                new Object[] {d, "LazyBatchNorm2d", bn, batchNormBytes(6)}));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("racingCases")
    void racingFirstForwardsMaterializeOnce(Device device, String name, Function<Device, Module> factory, long bytes)
            throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Tensor x = Torch.randn(device, 2, 6, 4, 4)) {
            for (int round = 0; round < 15; round++) {
                Module lazy = factory.apply(device);
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
                assertEquals(before + bytes, device.memoryStats().allocatedBytes(),
                        name + " round " + round + ": one set of tensors, however many threads raced");
                lazy.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
