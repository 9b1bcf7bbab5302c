package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Allocation accounting is exact: every byte of every buffer, views counted once. */
@Isolated
class MemoryStatsTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void allocatedAndPeakBytesAreExact(Device device) {
        long base = device.memoryStats().allocatedBytes();
        device.resetPeakMemoryStats();
        Tensor a = Torch.zeros(device, 100, 10);
        assertEquals(base + 4000, device.memoryStats().allocatedBytes());
        Tensor view = a.reshape(1000);
        assertEquals(base + 4000, device.memoryStats().allocatedBytes(), "a view allocates nothing");
        Tensor b = Torch.rand(device, 3);
        assertEquals(base + 4012, device.memoryStats().allocatedBytes());
        a.close();
        assertEquals(base + 4012, device.memoryStats().allocatedBytes(), "the view keeps the storage alive");
        view.close();
        assertEquals(base + 12, device.memoryStats().allocatedBytes());
        b.close();
        assertEquals(base, device.memoryStats().allocatedBytes());
        assertEquals(base + 4012, device.memoryStats().peakBytes());
        device.resetPeakMemoryStats();
        assertEquals(base, device.memoryStats().peakBytes());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void opsFreeTheirIntermediates(Device device) {
        long base = device.memoryStats().allocatedBytes();
        try (Tensor x = Torch.rand(device, 2, 3, 10, 10);
             Tensor w = Torch.rand(device, 4, 3, 3, 3);
             Tensor y = Torch.conv2d(x, w, null, 1, 1)) {
            assertEquals(base + (600 + 108 + 800) * 4L, device.memoryStats().allocatedBytes(),
                    "only input, weight and output remain; the im2col buffer is gone");
        }
        assertEquals(base, device.memoryStats().allocatedBytes());
    }
}
