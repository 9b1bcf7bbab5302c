package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.TestBackends;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** OpenCL failures surface as exceptions that explain themselves; the device stays usable. */
class OpenClFaultsTest {

    /** Every OpenCL device; skips the test (with the reason) where there is none and this is not CI. */
    static List<Device> openClDevices() {
        List<Device> devices = TestDevices.openCl();
        assumeFalse(devices.isEmpty(), TestDevices::whyNoOpenCl);
        return devices;
    }

    @Test
    void openClRunsInCiAndIsReportedWhenMissingElsewhere() {
        List<Device> devices = TestDevices.openCl();
        if (TestDevices.isCi()) {
            assertFalse(devices.isEmpty(), "CI must run the OpenCL tests on PoCL");
        }
        assumeFalse(devices.isEmpty(), TestDevices::whyNoOpenCl);
        for (Device device : devices) {
            assertTrue(TestBackends.of(device) instanceof OpenClBackend);
        }
    }

    @Test
    void aBrokenKernelFailsWithTheStatusTheDeviceAndTheBuildLog() {
        for (Device device : openClDevices()) {
            assertBuildFailureExplained(device);
        }
    }

    private static void assertBuildFailureExplained(Device device) {
        OpenClBackend backend = (OpenClBackend) TestBackends.of(device);
        String broken = "__kernel void broken(__global float* out) { out[0] = undeclared_variable; }";
        OpenClException e = assertThrows(OpenClException.class, () -> backend.context().build("broken.cl", broken, ""));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", e.statusName());
        assertEquals(device, e.device());
        assertTrue(e.buildLog().orElseThrow().contains("undeclared_variable"), e.buildLog().orElseThrow());
        assertTrue(e.getMessage().contains(device.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_variable"), e.getMessage());
        try (Tensor t = Torch.ones(device, 3); Tensor r = t.relu()) {
            assertArrayEquals(new float[] {1, 1, 1}, r.toArray(), "the device still works");
        }
    }

    @Test
    void aBufferLargerThanTheDeviceAllowsIsAClearOutOfMemoryError() {
        for (Device device : openClDevices()) {
            assertOutOfMemoryExplained(device);
        }
    }

    private static void assertOutOfMemoryExplained(Device device) {
        OpenClBackend backend = (OpenClBackend) TestBackends.of(device);
        long maxAlloc = backend.info().maxAllocBytes();
        int rows = (int) Math.min(Integer.MAX_VALUE, maxAlloc / Float.BYTES / 1024 + 1);
        long before = device.memoryStats().allocatedBytes();
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> Torch.empty(device, rows, 1024));
        assertEquals((long) rows * 1024 * Float.BYTES, e.requestedBytes());
        assertEquals(maxAlloc, e.availableBytes());
        assertTrue(e.getMessage().contains("requested " + e.requestedBytes() + " bytes"), e.getMessage());
        assertEquals(before, device.memoryStats().allocatedBytes());
        try (Tensor t = Torch.full(device, 2f, 2)) {
            assertArrayEquals(new float[] {2, 2}, t.toArray(), "the device still works");
        }
    }
}
