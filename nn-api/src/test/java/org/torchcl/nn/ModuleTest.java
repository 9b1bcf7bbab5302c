package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;

class ModuleTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    private static LinearOptions on(Device device) {
        return LinearOptions.defaults().withDevice(device);
    }

    /** A user-defined model with named children, as in PyTorch's tutorials. */
    static final class TwoLayer extends Module {
        final Linear layer0;
        final LazyLinear fc;

        TwoLayer(Device device) {
            super(device);
            layer0 = registerModule("layer_0", new Linear(4, 8, on(device)));
            registerModule("act", new ReLU());
            fc = registerModule("fc", new LazyLinear(2, on(device)));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor h = layer0.forward(x); Tensor a = h.relu()) {
                return fc.forward(a);
            }
        }
    }

    @Test
    void parametersAreNamedWithDotsInRegistrationOrder() {
        try (TwoLayer model = new TwoLayer(Device.cpu())) {
            assertEquals(List.of("layer_0.weight", "layer_0.bias", "fc.weight", "fc.bias"),
                    List.copyOf(model.namedParameters().keySet()));
            assertEquals(List.of("layer_0", "act", "fc"), List.copyOf(model.namedChildren().keySet()));
            assertEquals(4, model.parameters().size());
            assertTrue(model.hasUninitializedParams());
            IllegalStateException e = assertThrows(IllegalStateException.class, model::numParameters);
            assertTrue(e.getMessage().contains("[fc.weight, fc.bias]") && e.getMessage().contains("not known yet"),
                    e.getMessage());
            model.initialize(3, 4);
            assertEquals(4 * 8 + 8 + 8 * 2 + 2, model.numParameters());
        }
    }

    @Test
    void printsATreeLikePyTorch() {
        Sequential model = new Sequential(new Conv2d(3, 8, 3, Conv2dOptions.defaults().withDevice(Device.cpu())),
                new ReLU(), new Flatten(), new LazyLinear(10, on(Device.cpu())));
        assertEquals(String.join("\n",
                "Sequential(",
                "  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))",
                "  (1): ReLU()",
                "  (2): Flatten(start_dim=1, end_dim=-1)",
                "  (3): LazyLinear(in_features=0, out_features=10, bias=true)",
                ")"), model.toString());
        model.initialize(2, 3, 6, 6);
        assertTrue(model.toString().contains("(3): LazyLinear(in_features=128, out_features=10, bias=true)"),
                model.toString());
        try (TwoLayer nested = new TwoLayer(Device.cpu())) {
            Sequential outer = new Sequential(nested);
            assertEquals(String.join("\n",
                    "Sequential(",
                    "  (0): TwoLayer(",
                    "    (layer_0): Linear(in_features=4, out_features=8, bias=true)",
                    "    (act): ReLU()",
                    "    (fc): LazyLinear(in_features=0, out_features=2, bias=true)",
                    "  )",
                    ")"), outer.toString());
        }
        model.close();
    }

    @Test
    void registrationChecksNames() {
        Sequential s = new Sequential();
        assertThrows(IllegalArgumentException.class, () -> s.registerModule("a.b", new ReLU()));
        assertThrows(IllegalArgumentException.class, () -> s.registerModule("", new ReLU()));
        assertThrows(IllegalArgumentException.class, () -> s.registerModule("x", null));
        assertThrows(IllegalArgumentException.class, () -> s.registerModule("self", s));
        s.registerModule("x", new ReLU());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.registerParameter("x", null));
        assertTrue(e.getMessage().contains("already used by a child module"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void loadStateDictIsStrictAndReportsMissingAndUnexpectedTogether(Device device) {
        try (TwoLayer source = new TwoLayer(device); TwoLayer target = new TwoLayer(device);
             Tensor extra = Torch.zeros(device, 1)) {
            source.initialize(4);
            Map<String, Tensor> state = new LinkedHashMap<>(source.stateDict());
            state.remove("fc.bias");
            state.put("fc.scale", extra);
            long before = device.memoryStats().allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(state));
            assertTrue(e.getMessage().contains("missing keys [fc.bias]")
                    && e.getMessage().contains("unexpected keys [fc.scale]"), e.getMessage());
            assertTrue(target.hasUninitializedParams(), "nothing changes when loading fails");
            assertEquals(before, device.memoryStats().allocatedBytes());

            target.loadStateDict(source.stateDict());
            assertFalse(target.hasUninitializedParams());
            try (Tensor x = Torch.randn(device, 5, 4); Tensor a = source.forward(x); Tensor b = target.forward(x)) {
                assertArrayEquals(a.toArray(), b.toArray());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aModuleReloadsItsOwnStateAndStaysOnItsDevice(Device device) {
        try (TwoLayer model = new TwoLayer(device)) {
            model.initialize(4);
            Map<String, Tensor> own = model.stateDict();
            float[] before = own.get("fc.weight").toArray();
            model.loadStateDict(own);
            model.to(device);
            assertFalse(own.get("fc.weight").isClosed(), "to() the same device replaces nothing");
            assertArrayEquals(before, model.fc.weight().data().toArray());
            try (Tensor view = own.get("fc.weight").reshape(-1); Tensor back = view.reshape(2, 8)) {
                own.get("fc.weight").copyFrom(back);
            }
            assertArrayEquals(before, model.fc.weight().data().toArray());
        }
    }

    @Test
    void movingAParentGoesThroughEachChildsOwnTo() {
        List<Device> moved = new java.util.ArrayList<>();
        Module child = new Module() {
            @Override
            public Tensor forward(Tensor input) {
                return input.relu();
            }

            @Override
            public Module to(Device target) {
                moved.add(target);
                return super.to(target);
            }
        };
        Sequential parent = new Sequential(new Sequential(child));
        parent.to(Device.cpu());
        assertEquals(List.of(Device.cpu()), moved);
    }

    @Test
    void cyclesAreRefused() {
        Sequential a = new Sequential();
        Sequential b = new Sequential(a);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.registerModule("b", b));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void stateDictsLoadAcrossDevices(Device device) {
        try (TwoLayer source = new TwoLayer(Device.cpu()); TwoLayer target = new TwoLayer(device)) {
            source.initialize(4);
            target.loadStateDict(source.stateDict());
            assertEquals(device, target.fc.weight().data().device());
            assertArrayEquals(source.fc.weight().data().toArray(), target.fc.weight().data().toArray());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void toMovesEveryParameterAndFreesTheOldCopies(Device device) {
        TwoLayer model = new TwoLayer(Device.cpu());
        model.initialize(4);
        float[] weights = model.layer0.weight().data().toArray();
        long cpuBefore = Device.cpu().memoryStats().allocatedBytes();
        long deviceBefore = device.memoryStats().allocatedBytes();
        long bytes = model.numParameters() * 4;
        model.to(device);
        if (!device.isCpu()) {
            assertEquals(cpuBefore - bytes, Device.cpu().memoryStats().allocatedBytes());
            assertEquals(deviceBefore + bytes, device.memoryStats().allocatedBytes());
        }
        assertEquals(device, model.device());
        assertEquals(device, model.fc.device());
        assertEquals(device, model.layer0.weight().data().device());
        assertArrayEquals(weights, model.layer0.weight().data().toArray());
        model.close();
        assertEquals(deviceBefore - (device.isCpu() ? bytes : 0), device.memoryStats().allocatedBytes());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void initializePropagatesShapesWithoutRunningData(Device device) {
        Sequential model = new Sequential(new Conv2d(3, 64, 5, Conv2dOptions.defaults().withDevice(device)),
                new Flatten(), new LazyLinear(10, on(device)));
        long before = device.memoryStats().allocatedBytes();
        device.resetPeakMemoryStats();
        model.initialize(4, 3, 32, 32);
        LazyLinear fc = (LazyLinear) model.get(2);
        assertEquals(64 * 28 * 28, fc.inFeatures());
        long parameters = (10L * 64 * 28 * 28 + 10) * 4;
        assertEquals(before + parameters, device.memoryStats().allocatedBytes());
        assertEquals(before + parameters, device.memoryStats().peakBytes(), "no activation was ever allocated");
        model.close();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void initializeFallsBackToADryRunForCustomModules(Device device) {
        try (TwoLayer model = new TwoLayer(device)) {
            model.initialize(4);
            assertEquals(8, model.fc.inFeatures());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.initialize(0, 4));
            assertTrue(e.getMessage().contains("[0, 4]"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void sequentialClosesItsIntermediates(Device device) {
        Sequential model = new Sequential(new Linear(6, 5, on(device)), new ReLU(), new Linear(5, 4, on(device)),
                new ReLU());
        try (Tensor x = Torch.randn(device, 3, 6)) {
            long before = device.memoryStats().allocatedBytes();
            try (Tensor y = model.forward(x)) {
                assertEquals(before + 3 * 4 * 4, device.memoryStats().allocatedBytes(), "only the output is left");
                for (float v : y.toArray()) {
                    assertTrue(v >= 0);
                }
            }
            assertFalse(x.isClosed(), "the caller's input stays open");
        } finally {
            model.close();
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void conv2dLayerMatchesTheFunctionalOpAndPyTorchInitBounds(Device device) {
        try (Conv2d conv = new Conv2d(2, 3, 3, Conv2dOptions.defaults().withStride(2).withPadding(1).withDevice(device));
             Tensor x = Torch.randn(device, 2, 2, 7, 7);
             Tensor y = conv.forward(x);
             Tensor expected = Torch.conv2d(x, conv.weight().data(), conv.bias().data(), 2, 1)) {
            assertArrayEquals(new int[] {2, 3, 4, 4}, y.shape());
            assertArrayEquals(expected.toArray(), y.toArray());
            float bound = (float) (1 / Math.sqrt(2 * 3 * 3));
            for (float v : conv.bias().data().toArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
            for (float v : conv.weight().data().toArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
        }
    }
}
