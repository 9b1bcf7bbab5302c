package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input fails with a message naming the values, and leaks nothing on the way. */
class TensorArgumentsTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void incompatibleMatmulShapesAreNamed(Device device) {
        try (Tensor a = Torch.zeros(device, 2, 3); Tensor b = Torch.zeros(device, 4, 5)) {
            IllegalArgumentException e = assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> Torch.matmul(a, b));
            assertMessageHas(e, "[2, 3]", "[4, 5]", "last dim (3)", "second-to-last dim (4)");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void reshapeErrorsNameTheShapes(Device device) {
        try (Tensor t = Torch.zeros(device, 2, 3, 4)) {
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> t.reshape(5, 5)),
                    "[2, 3, 4]", "24 elements", "[5, 5]", "25 elements");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> t.reshape(-1, -1)),
                    "only one dim may be -1", "0 and 1");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> t.reshape(5, -1)),
                    "not a multiple of 5");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> t.reshape(0, -1)),
                    "ambiguous", "size 0");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> t.reshape(-2, 12)),
                    "dim 0 is -2");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void negativeDimsAreRejectedBeforeAllocating(Device device) {
        try (Tensor empty = Torch.zeros(device, 3, 0)) {
            assertEquals(0, empty.numel());
        }
        assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> Torch.zeros(device, 3, -1)),
                "[3, -1]", "dim 1 is -1");
        assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> Torch.rand(device, -4)),
                "[-4]", "dim 0 is -4");
        assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                () -> Torch.tensor(device, new float[5], 2, 3)), "5 elements", "[2, 3]", "needs 6");
        assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                () -> Torch.tensor(device, (float[]) null, 2)), "data must not be null");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closedTensorsCannotBeUsed(Device device) {
        Tensor t = Torch.ones(device, 4, 4);
        Tensor other = Torch.ones(device, 4, 4);
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertMessageHas(assertFailsWithoutLeak(device, IllegalStateException.class, t::toArray),
                "toArray", "[4, 4]", "closed");
        assertFailsWithoutLeak(device, IllegalStateException.class, t::relu);
        assertFailsWithoutLeak(device, IllegalStateException.class, () -> t.reshape(16));
        assertMessageHas(assertFailsWithoutLeak(device, IllegalStateException.class, () -> other.matmul(t)),
                "b [", "closed");
        other.close();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void otherBadArgumentsAreNamed(Device device) {
        try (Tensor x = Torch.zeros(device, 2, 3);
             Tensor w = Torch.zeros(device, 4, 5);
             Tensor bias = Torch.zeros(device, 3);
             Tensor image = Torch.zeros(device, 1, 3, 8, 8);
             Tensor kernel = Torch.zeros(device, 4, 2, 3, 3);
             Tensor matchingKernel = Torch.zeros(device, 4, 3, 3, 3)) {
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> Torch.linear(x, w, null)), "[2, 3]", "[4, 5]", "in_features=5");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> x.add(w)), "[4, 5]", "[2, 3]");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> Torch.conv2d(image, kernel, null, 1, 0)), "3 channels", "in_channels / groups = 3");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> Torch.conv2d(image, matchingKernel, null, 0, 0)), "stride 0x0");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> Torch.conv2d(image, matchingKernel, bias, 1, 0)), "bias [3]", "must be [4]");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> x.shape(2)),
                    "dim 2", "rank 2");
            assertEquals(3, x.shape(-1));
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> x.flatten(1, 0)),
                    "startDim 1", "endDim 0");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalStateException.class, x::item), "exactly one");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> x.fillUniform(1f, 0f, Generator.defaultGenerator())), "low=1.0", "high=0.0");
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class,
                    () -> x.fillNormal(0f, -1f, Generator.defaultGenerator())), "std=-1.0");
        }
    }

    @org.junit.jupiter.api.Test
    void convolutionsTooLargeToIndexAreRefusedNamingTheInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new org.torchcl.backend.Im2colShape(1, 1, 46000, 46000, 1, 1, 1, 1, 200, 200));
        assertMessageHas(e, "[1, 1, 46000, 46000]", "2152960000 output positions");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void tensorsOnDifferentDevicesAreNotMixed(Device device) {
        Device other = device.isCpu() ? TestDevices.openCl().stream().findFirst().orElse(null) : Device.cpu();
        org.junit.jupiter.api.Assumptions.assumeTrue(other != null, TestDevices::whyNoOpenCl);
        try (Tensor a = Torch.zeros(device, 2, 2); Tensor b = Torch.zeros(other, 2, 2)) {
            assertMessageHas(assertFailsWithoutLeak(device, IllegalArgumentException.class, () -> a.matmul(b)),
                    "is on " + other, "on " + device);
        }
    }

    /** Runs {@code call}, expects {@code type}, and checks the device holds exactly the bytes it held before. */
    static <T extends Throwable> T assertFailsWithoutLeak(Device device, Class<T> type, Executable call) {
        long before = device.memoryStats().allocatedBytes();
        T thrown = assertThrows(type, call);
        assertEquals(before, device.memoryStats().allocatedBytes(), "bytes allocated after the failed call");
        return thrown;
    }

    static void assertMessageHas(Throwable e, String... parts) {
        assertAll(Stream.of(parts).map(part -> () -> assertTrue(e.getMessage().contains(part),
                "message \"" + e.getMessage() + "\" should contain \"" + part + "\"")));
    }
}
