package org.torchcl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** The block on its own: shortcut choice, shapes, and the lazy form's equivalence to the eager one. */
class BasicBlockTest {

    private static final Device CPU = Device.cpu();

    @Test
    void downsamplesExactlyWhenResolutionOrChannelsChange() {
        try (BasicBlock same = new BasicBlock(64, 64, 1, CPU);
             BasicBlock wider = new BasicBlock(64, 128, 1, CPU);
             BasicBlock strided = new BasicBlock(64, 64, 2, CPU)) {
            assertNull(same.downsample());
            assertNotNull(wider.downsample());
            assertNotNull(strided.downsample());
            assertArrayEquals(new int[] {128, 64, 1, 1}, wider.stateDict().get("downsample.0.weight").shape());
        }
    }

    @Test
    void lazyBlockLoadsTheEagerBlocksStateAndComputesTheSame() {
        try (BasicBlock eager = new BasicBlock(8, 16, 2, CPU);
             BasicBlock lazy = BasicBlock.lazy(16, 2, true, CPU);
             Tensor input = Torch.randn(CPU, 2, 8, 9, 9)) {
            eager.eval();
            lazy.eval();
            assertTrue(lazy.hasUninitializedParams());
            Map<String, Tensor> state = eager.stateDict();
            lazy.loadStateDict(state);
            assertEquals(state.keySet(), lazy.stateDict().keySet());
            try (Tensor expected = eager.forward(input); Tensor actual = lazy.forward(input)) {
                assertArrayEquals(new int[] {2, 16, 5, 5}, expected.shape());
                assertArrayEquals(expected.toArray(), actual.toArray());
            }
        }
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThrows(IllegalArgumentException.class, () -> new BasicBlock(0, 64, 1, CPU));
        assertThrows(IllegalArgumentException.class, () -> new BasicBlock(64, 64, 0, CPU));
        assertThrows(IllegalArgumentException.class, () -> BasicBlock.lazy(0, 1, false, CPU));
    }
}
