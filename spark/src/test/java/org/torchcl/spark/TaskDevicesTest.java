package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;

/**
 * Spark GPU addresses to OpenCL devices. Real devices stand in for the GPUs (which ones does not
 * matter to the matching), with the PCI ids a multi-GPU host would report.
 */
class TaskDevicesTest {

    private static final Device FIRST = Device.cpu();
    private static final Device SECOND = Device.available().get(Device.available().size() - 1);

    @Test
    void anIndexIsTheHostsGpuInPciOrderNotTheOpenClIndex() {
        // OpenCL lists the GPUs out of PCI order (two platforms, say); the host has a third GPU that
        // CUDA_VISIBLE_DEVICES hides from OpenCL.
        List<TaskDevices.Gpu> gpus = List.of(new TaskDevices.Gpu(FIRST, Optional.of("0000:b1:00.0")),
                new TaskDevices.Gpu(SECOND, Optional.of("0000:17:00.0")));
        List<String> host = List.of("0000:17:00.0", "0000:65:00.0", "0000:b1:00.0");
        assertEquals(SECOND, TaskDevices.forGpuAddress("0", gpus, host));
        assertEquals(FIRST, TaskDevices.forGpuAddress("2", gpus, host));
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> TaskDevices.forGpuAddress("1", gpus, host));
        assertTrue(hidden.getMessage().contains("PCI 0000:65:00.0") && hidden.getMessage().contains("matches no OpenCL GPU"),
                hidden.getMessage());
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
                () -> TaskDevices.forGpuAddress("3", gpus, host));
        assertTrue(outOfRange.getMessage().contains("out of range"), outOfRange.getMessage());
    }

    @Test
    void withoutTheNvidiaDriverTheOpenClGpusPciIdsGiveTheOrder() {
        List<TaskDevices.Gpu> gpus = List.of(new TaskDevices.Gpu(FIRST, Optional.of("0000:b1:00.0")),
                new TaskDevices.Gpu(SECOND, Optional.of("0000:17:00.0")));
        assertEquals(SECOND, TaskDevices.forGpuAddress("0", gpus, List.of()));
        assertEquals(FIRST, TaskDevices.forGpuAddress("1", gpus, List.of()));
    }

    @Test
    void aPciBusIdAddressMatchesDirectlyInAnyCommonSpelling() {
        List<TaskDevices.Gpu> gpus = List.of(new TaskDevices.Gpu(FIRST, Optional.of("0000:b1:00.0")),
                new TaskDevices.Gpu(SECOND, Optional.of("0000:17:00.0")));
        assertEquals(SECOND, TaskDevices.forGpuAddress("00000000:17:00.0", gpus, List.of()));
        assertEquals(FIRST, TaskDevices.forGpuAddress("B1:00.0", gpus, List.of()));
        assertThrows(IllegalArgumentException.class, () -> TaskDevices.forGpuAddress("0000:zz:00.0", gpus, List.of()));
    }

    @Test
    void withNoPciIdsAnywhereAnIndexCountsTheOpenClGpus() {
        List<TaskDevices.Gpu> gpus = List.of(new TaskDevices.Gpu(FIRST, Optional.empty()),
                new TaskDevices.Gpu(SECOND, Optional.empty()));
        assertEquals(SECOND, TaskDevices.forGpuAddress("1", gpus, List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskDevices.forGpuAddress("2", gpus, List.of()));
        assertTrue(e.getMessage().contains("has no OpenCL GPU"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskDevices.forGpuAddress("gpu0", gpus, List.of()));
    }

    @Test
    void explicitDevicesIgnoreSparkAndAutoWithoutAGpuFollowsTorchclsDefault() {
        assertEquals(Device.cpu(), TaskDevices.forTask("cpu", null));
        assertEquals(org.torchcl.Torch.defaultDevice(), TaskDevices.forTask("auto", null));
    }
}
