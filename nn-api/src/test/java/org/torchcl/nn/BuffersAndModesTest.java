package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/** Module buffers, state-dict order with buffers, and train/eval modes, as PyTorch's nn.Module has them. */
class BuffersAndModesTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    /** Own parameter, own buffer, then children: the shape of PyTorch's state_dict traversal. */
    static final class Block extends Module {
        final Linear fc;
        final BatchNorm1d bn;

        Block(Device device) {
            super(device);
            registerParameter("scale", new Parameter(Torch.ones(device, 3)));
            registerBuffer("steps", Torch.zeros(device, DType.INT64, 2));
            fc = registerModule("fc", new Linear(3, 3, LinearOptions.defaults().withDevice(device)));
            bn = registerModule("bn", new BatchNorm1d(3, 1e-5, device));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor h = fc.forward(x)) {
                return bn.forward(h);
            }
        }
    }

    static final class Outer extends Module {
        Outer(Device device) {
            super(device);
            registerModule("block", new Block(device));
            registerBuffer("mask", Torch.ones(device, 2, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return children().get(0).forward(x);
        }
    }

    @Test
    void stateDictOrderIsOwnParametersThenOwnBuffersThenChildrenAsInPyTorch() {
        try (Outer model = new Outer(Device.cpu())) {
            List<String> expected = List.of("mask", "block.scale", "block.steps", "block.fc.weight", "block.fc.bias",
                    "block.bn.weight", "block.bn.bias", "block.bn.running_mean", "block.bn.running_var",
                    "block.bn.num_batches_tracked");
            assertEquals(expected, List.copyOf(model.stateDict().keySet()));
            assertEquals(List.of("mask", "block.steps", "block.bn.running_mean", "block.bn.running_var",
                    "block.bn.num_batches_tracked"), List.copyOf(model.namedBuffers().keySet()));
            assertEquals(List.of("block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight", "block.bn.bias"),
                    List.copyOf(model.namedParameters().keySet()), "buffers are not parameters");
            assertEquals(3 + 9 + 3 + 3 + 3, model.numParameters());
            Tensor count = model.namedBuffers().get("block.bn.num_batches_tracked");
            assertEquals(DType.INT64, count.dtype());
            assertArrayEquals(new int[0], count.shape());
        }
    }

    @Test
    void registeringChecksNamesAndValues() {
        // A refused buffer stays the caller's: the module takes ownership only when registration succeeds.
        try (Block block = new Block(Device.cpu()); Tensor refused = Torch.zeros(Device.cpu(), 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> block.registerBuffer("scale", refused));
            assertTrue(e.getMessage().contains("already used by a parameter"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> block.registerParameter("steps", null));
            assertTrue(e.getMessage().contains("already used by a buffer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> block.registerModule("steps", new ReLU()));
            assertTrue(e.getMessage().contains("already used by a buffer"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> block.registerBuffer("fc", refused));
            assertThrows(IllegalArgumentException.class, () -> block.registerBuffer("x", null));
            assertThrows(IllegalArgumentException.class, () -> block.registerBuffer("a.b", refused));
            assertFalse(refused.isClosed());
            Tensor closed = Torch.zeros(Device.cpu(), 1);
            closed.close();
            assertThrows(IllegalArgumentException.class, () -> block.registerBuffer("x", closed));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void replacingABufferFreesTheOldTensor(Device device) {
        try (Block block = new Block(device)) {
            Tensor old = block.namedBuffers().get("steps");
            Tensor replacement = Torch.ones(device, DType.INT64, 2);
            assertSame(replacement, block.registerBuffer("steps", replacement));
            assertTrue(old.isClosed());
            assertSame(replacement, block.namedBuffers().get("steps"));
            assertEquals(List.of("scale", "steps", "fc.weight"), List.copyOf(block.stateDict().keySet()).subList(0, 3),
                    "a replaced buffer keeps its place");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void loadStateDictLoadsBuffersStrictly(Device device) {
        try (Block source = new Block(device); Block target = new Block(device); Tensor extra = Torch.zeros(device, 1);
             Tensor mean = Torch.tensor(device, new float[] {1, 2, 3}, 3)) {
            source.bn.runningMean().copyFrom(mean);
            source.bn.numBatchesTracked().fill(5);
            source.namedBuffers().get("steps").fill(9);

            Map<String, Tensor> partial = new LinkedHashMap<>(source.stateDict());
            partial.remove("bn.running_var");
            partial.put("bn.momentum", extra);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(partial));
            assertTrue(e.getMessage().contains("missing keys [bn.running_var]")
                    && e.getMessage().contains("unexpected keys [bn.momentum]"), e.getMessage());
            assertArrayEquals(new float[3], target.bn.runningMean().toArray(), "nothing changes when loading fails");

            target.loadStateDict(source.stateDict());
            assertArrayEquals(new float[] {1, 2, 3}, target.bn.runningMean().toArray());
            assertEquals(5L, target.bn.numBatchesTracked().itemLong());
            assertArrayEquals(new long[] {9, 9}, target.namedBuffers().get("steps").toLongArray());
            assertEquals(DType.INT64, target.bn.numBatchesTracked().dtype());

            Map<String, Tensor> wrongShape = new LinkedHashMap<>(source.stateDict());
            wrongShape.put("bn.running_mean", extra);
            e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(wrongShape));
            assertTrue(e.getMessage().contains("bn.running_mean has shape [1] but the parameter is [3]"), e.getMessage());
        }
    }

    @Test
    void trainAndEvalAreRecursiveAndReturnTheModule() {
        try (Outer model = new Outer(Device.cpu())) {
            Block block = (Block) model.children().get(0);
            assertTrue(model.isTraining() && block.isTraining() && block.bn.isTraining(), "modules start in training mode");
            assertSame(model, model.eval());
            assertFalse(model.isTraining() || block.isTraining() || block.fc.isTraining() || block.bn.isTraining());
            assertSame(block, block.train());
            assertFalse(model.isTraining(), "train() reaches down, not up");
            assertTrue(block.isTraining() && block.bn.isTraining());
            assertSame(model, model.train(false));
            assertFalse(block.bn.isTraining());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void buffersMoveWithTheModuleAndAreFreedWithIt(Device device) {
        Block block = new Block(Device.cpu());
        try (Tensor variance = Torch.tensor(Device.cpu(), new float[] {4, 5, 6}, 3)) {
            block.bn.runningVar().copyFrom(variance);
        }
        long deviceBefore = device.memoryStats().allocatedBytes();
        long bytes = block.numParameters() * 4 + 2 * 8 + 2 * 3 * 4 + 8;
        block.to(device);
        if (!device.isCpu()) {
            assertEquals(deviceBefore + bytes, device.memoryStats().allocatedBytes(), "parameters and buffers moved");
        }
        block.namedBuffers().values().forEach(b -> assertEquals(device, b.device()));
        assertArrayEquals(new float[] {4, 5, 6}, block.bn.runningVar().toArray());
        assertEquals(DType.INT64, block.bn.numBatchesTracked().dtype());
        block.close();
        assertEquals(deviceBefore - (device.isCpu() ? bytes : 0), device.memoryStats().allocatedBytes());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void batchNormInEvalModeUsesTheRunningStatistics(Device device) {
        try (BatchNorm2d bn = new BatchNorm2d(2, 1e-5, device); Tensor x = Torch.randn(device, 3, 2, 4, 4)) {
            try (TensorScope values = TensorScope.open()) {
                bn.runningMean().copyFrom(Torch.tensor(device, new float[] {0.5f, -1f}, 2));
                bn.runningVar().copyFrom(Torch.tensor(device, new float[] {2f, 0.25f}, 2));
                bn.weight().data().copyFrom(Torch.tensor(device, new float[] {1.5f, -1f}, 2));
                bn.bias().data().copyFrom(Torch.tensor(device, new float[] {0.1f, 0.2f}, 2));
            }
            bn.eval();
            try (Tensor y = bn.forward(x); Tensor expected = Torch.batchNorm(x, bn.runningMean(), bn.runningVar(),
                    bn.weight().data(), bn.bias().data(), 1e-5)) {
                assertArrayEquals(expected.toArray(), y.toArray());
            }
            assertEquals(0L, bn.numBatchesTracked().itemLong(), "eval mode does not count batches");
        }
    }

    /** Training mode: batch statistics (biased variance) normalize; running ones update with momentum 0.1, unbiased. */
    @ParameterizedTest
    @MethodSource("devices")
    void batchNormInTrainingModeUsesAndTracksBatchStatistics(Device device) {
        float[] data = {1, 2, 3, 4, 10, 20, 30, 40};  // [N=2, C=2, L=2]: channel 0 = {1, 2, 10, 20}, 1 = {3, 4, 30, 40}
        try (BatchNorm1d bn = new BatchNorm1d(2, 1e-5, device); Tensor x = Torch.tensor(device, data, 2, 2, 2)) {
            assertTrue(bn.isTraining());
            try (Tensor y = bn.forward(x)) {
                double[] mean = {8.25, 19.25};
                double[] biasedVar = {(Math.pow(1 - 8.25, 2) + Math.pow(2 - 8.25, 2) + Math.pow(10 - 8.25, 2)
                        + Math.pow(20 - 8.25, 2)) / 4, (Math.pow(3 - 19.25, 2) + Math.pow(4 - 19.25, 2)
                        + Math.pow(30 - 19.25, 2) + Math.pow(40 - 19.25, 2)) / 4};
                float[] out = y.toArray();
                int[] channelOf = {0, 0, 1, 1, 0, 0, 1, 1};
                for (int i = 0; i < data.length; i++) {
                    int c = channelOf[i];
                    assertEquals((data[i] - mean[c]) / Math.sqrt(biasedVar[c] + 1e-5), out[i], 1e-5, "element " + i);
                }
                float[] runningMean = bn.runningMean().toArray();
                float[] runningVar = bn.runningVar().toArray();
                for (int c = 0; c < 2; c++) {
                    assertEquals(0.1 * mean[c], runningMean[c], 1e-5);
                    assertEquals(0.9 + 0.1 * biasedVar[c] * 4 / 3, runningVar[c], 1e-4);
                }
                assertEquals(1L, bn.numBatchesTracked().itemLong());
            }
            try (Tensor one = Torch.ones(device, 1, 2)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(one));
                assertTrue(e.getMessage().contains("more than 1 value per channel"), e.getMessage());
                bn.eval();
                bn.forward(one).close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void dropoutIsTheIdentityInEvalModeAndScalesWhatItKeepsInTraining(Device device) {
        Dropout dropout = new Dropout(0.25);
        try (Tensor x = Torch.ones(device, 100, 100)) {
            Torch.manualSeed(11);
            float[] first;
            try (Tensor y = dropout.forward(x)) {
                first = y.toArray();
            }
            int zeros = 0;
            for (float v : first) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.75f, v, 1e-6);
                }
            }
            assertEquals(2500, zeros, 250, "about p of 10000 zeroed");
            Torch.manualSeed(11);
            try (Tensor again = dropout.forward(x)) {
                assertArrayEquals(first, again.toArray(), "the mask comes from the seeded generator");
            }
            dropout.eval();
            try (Tensor y = dropout.forward(x)) {
                assertArrayEquals(x.toArray(), y.toArray());
            }
            assertFalse(x.isClosed());
        }
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }

    @Test
    void moduleListNamesItsChildrenByPositionAndHasNoForward() {
        ModuleList layers = new ModuleList(new Linear(2, 3, LinearOptions.defaults().withDevice(Device.cpu())),
                new ReLU());
        assertSame(layers, layers.add(new Identity()));
        assertEquals(3, layers.size());
        assertEquals(List.of("0", "1", "2"), List.copyOf(layers.namedChildren().keySet()));
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(layers.namedParameters().keySet()));
        assertTrue(layers.get(2) instanceof Identity);
        int seen = 0;
        for (Module m : layers) {
            assertSame(layers.get(seen++), m);
        }
        assertEquals(3, seen);
        assertThrows(IndexOutOfBoundsException.class, () -> layers.get(3));
        try (Tensor x = Torch.ones(Device.cpu(), 2)) {
            assertThrows(UnsupportedOperationException.class, () -> layers.forward(x));
        }
        layers.eval();
        assertFalse(layers.get(0).isTraining());
        layers.close();
    }
}
