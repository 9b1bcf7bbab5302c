package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TensorScopeTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closesWhatWasMadeInsideExceptWhatIsKept(Device device) {
        long base = device.memoryStats().allocatedBytes();
        Tensor kept;
        Tensor temporary;
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.ones(device, 4, 4);
            temporary = x.relu();
            Tensor view = temporary.reshape(16);
            kept = scope.keep(x.add(view.reshape(4, 4)));
            assertEquals(4, scope.size(), "x, its relu, and two views");
        }
        assertTrue(temporary.isClosed());
        assertFalse(kept.isClosed());
        assertArrayEquals(new float[] {2, 2, 2, 2}, java.util.Arrays.copyOf(kept.toArray(), 4));
        assertEquals(base + 16 * 4, device.memoryStats().allocatedBytes(), "only the kept tensor remains");
        kept.close();
        assertEquals(base, device.memoryStats().allocatedBytes());
    }

    @Test
    void keptTensorsMoveToTheEnclosingScope() {
        Tensor inner;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope nested = TensorScope.open()) {
                inner = nested.keep(Torch.zeros(Device.cpu(), 2));
            }
            assertFalse(inner.isClosed());
            assertEquals(1, outer.size());
        }
        assertTrue(inner.isClosed(), "the outer scope closed it");
    }

    @Test
    void detachedTensorsAndTensorsClosedEarlyAreNotTracked() {
        Tensor detached;
        try (TensorScope scope = TensorScope.open()) {
            detached = TensorScope.detach(Torch.zeros(Device.cpu(), 3));
            Torch.zeros(Device.cpu(), 3).close();
            assertEquals(0, scope.size());
            assertThrows(IllegalArgumentException.class, () -> scope.keep(detached));
        }
        assertFalse(detached.isClosed());
        detached.close();
    }

    @Test
    void scopesCloseInnermostFirstOnTheirOwnThread() throws Exception {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        assertThrows(IllegalStateException.class, outer::close);
        IllegalStateException elsewhere = CompletableFuture.supplyAsync(() -> {
            try {
                inner.close();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).get();
        assertTrue(elsewhere.getMessage().contains("thread that opened it"), elsewhere.getMessage());
        inner.close();
        outer.close();
        outer.close();
    }
}
