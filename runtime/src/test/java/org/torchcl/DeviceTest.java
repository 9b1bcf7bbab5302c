package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceTest {

    @Test
    void cpuIsListedFirstAndAlwaysAvailable() {
        List<Device> devices = Device.available();
        assertEquals(Device.cpu(), devices.get(0));
        assertEquals("cpu", Device.cpu().toString());
        assertEquals(Device.cpu(), Device.parse("CPU"));
        for (int i = 1; i < devices.size(); i++) {
            assertTrue(devices.get(i).isOpenCl());
            assertEquals(i - 1, devices.get(i).index());
        }
    }

    @Test
    void openClDevicesParseAndPrintWithTheirNames() {
        for (Device device : TestDevices.openCl()) {
            assertEquals(device, Device.parse(device.spec()));
            assertEquals(device, Device.opencl(device.index()));
            assertEquals("opencl:" + device.index() + " (" + device.name() + ")", device.toString());
            assertNotEquals(Device.cpu(), device);
        }
        if (!TestDevices.openCl().isEmpty()) {
            assertEquals(Device.opencl(0), Device.parse("opencl"));
            assertEquals(Device.opencl(), Device.parse(" OpenCL:0 "));
        }
    }

    @Test
    void pciBusIdsAreWellFormedWhereTheDriverReportsThem() {
        assertTrue(Device.cpu().pciBusId().isEmpty());
        for (Device device : TestDevices.openCl()) {
            // PoCL on a CPU reports none; GPU drivers with one of the three extensions do.
            device.pciBusId().ifPresent(id ->
                    assertTrue(id.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]"), device + ": " + id));
        }
    }

    @Test
    void autoPrefersAnOpenClGpuElseTheCpu() {
        Device expected = Device.available().stream().filter(Device::isGpu).findFirst().orElse(Device.cpu());
        assertEquals(expected, Device.auto());
        assertEquals(expected, Device.parse("auto"));
    }

    @Test
    void badSpecsListTheDevicesFound() {
        for (String bad : new String[] {"gpu", "opencl:x", "opencl:-1", "cuda:0", "", "opencl:99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad));
            assertTrue(e.getMessage().contains("devices found: cpu"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.opencl(1000));
        assertTrue(e.getMessage().contains("no OpenCL device with index 1000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Device.parse(null));
    }

    @Test
    void theDefaultDeviceFollowsPropertyThenEnvironmentThenAuto() {
        assertEquals(Device.cpu(), Torch.resolveDefaultDevice("cpu", "opencl:12345"));
        assertEquals(Device.cpu(), Torch.resolveDefaultDevice(null, "cpu"));
        assertEquals(Device.cpu(), Torch.resolveDefaultDevice(" ", "cpu"));
        assertEquals(Device.auto(), Torch.resolveDefaultDevice(null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Torch.resolveDefaultDevice(null, "tpu"));
        assertTrue(e.getMessage().startsWith("TORCHCL_DEVICE=tpu: unknown device 'tpu'"), e.getMessage());
    }
}
