package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

class RecycledArraysTest {

    private static final int LENGTH = RecycledArrays.MIN_FLOATS * 2;

    @Test
    void aFreedArrayIsHandedToTheNextRequestOfItsLengthOnly() {
        RecycledArrays recycled = new RecycledArrays(1 << 20);
        float[] array = new float[LENGTH];
        recycled.give(array);
        assertEquals(LENGTH, recycled.heldFloats());
        assertNull(recycled.take(LENGTH + 1));
        assertSame(array, recycled.take(LENGTH));
        assertNull(recycled.take(LENGTH), "an array is handed out once");
        assertEquals(0, recycled.heldFloats());
    }

    @Test
    void smallArraysAreLeftToTheJvm() {
        RecycledArrays recycled = new RecycledArrays(1 << 20);
        recycled.give(new float[RecycledArrays.MIN_FLOATS - 1]);
        assertEquals(0, recycled.heldFloats());
        assertNull(recycled.take(RecycledArrays.MIN_FLOATS - 1));
    }

    @Test
    void anArrayBeyondTheLimitDropsTheHeldOnes() {
        RecycledArrays recycled = new RecycledArrays(LENGTH * 2L);
        recycled.give(new float[LENGTH]);
        recycled.give(new float[LENGTH + 1]);
        assertEquals(2L * LENGTH + 1, recycled.heldFloats() + LENGTH,
                "the second array exceeded the limit: the first was dropped, the second kept");
        assertNull(recycled.take(LENGTH));
        float[] last = new float[LENGTH * 3];
        recycled.give(last);
        assertNull(recycled.take(LENGTH * 3), "an array larger than the limit is never held");
    }

    @Test
    void theBackendReusesAFreedArrayAndCountsOnlyLiveBytes() {
        CpuBackend backend = CpuBackend.instance();
        long before = backend.memory().snapshot().allocatedBytes();
        CpuBuffer first = (CpuBuffer) backend.allocate(DType.FLOAT32, LENGTH);
        float[] array = first.floats();
        backend.free(first);
        assertEquals(before, backend.memory().snapshot().allocatedBytes());
        CpuBuffer second = (CpuBuffer) backend.allocate(DType.FLOAT32, LENGTH);
        try {
            assertSame(array, second.floats(), "a buffer of the freed one's length reuses its array");
            assertEquals(before + 4L * LENGTH, backend.memory().snapshot().allocatedBytes());
        } finally {
            backend.free(second);
        }
    }

    @Test
    void zerosClearARecycledArray() {
        Torch.full(Device.cpu(), 3f, LENGTH).close();
        try (Tensor zeros = Torch.zeros(Device.cpu(), LENGTH);
             Tensor sum = zeros.abs().sum()) {
            assertEquals(0f, sum.item());
        }
    }
}
