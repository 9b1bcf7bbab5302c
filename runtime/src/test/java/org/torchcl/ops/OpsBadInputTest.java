package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.torchcl.ops.OpsReference.allocated;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.PoolOptions;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * Bad arguments to the ops: each throws the documented exception type, names the offending values
 * in its message, and leaves the device's allocated bytes exactly as they were.
 */
class OpsBadInputTest {

    private static void expect(Device device, Class<? extends RuntimeException> type, Supplier<?> op, String... parts) {
        long before = allocated(device);
        RuntimeException e = assertThrows(type, op::get);
        String m = String.valueOf(e.getMessage());
        for (String part : parts) {
            assertTrue(m.contains(part), "message should name " + part + ": " + m);
        }
        assertEquals(before, allocated(device), "allocated bytes after the failed call (" + m + ")");
    }

    private static void expectArg(Device device, Supplier<?> op, String... parts) {
        expect(device, IllegalArgumentException.class, op, parts);
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void broadcastMismatch(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Torch.zeros(device, 2, 3);
            Tensor b = Torch.zeros(device, 4, 3);
            Tensor c = Torch.zeros(device, 3, 2);
            Tensor cond2 = Torch.tensor(device, new boolean[] {true, false}, 2);
            Tensor mask4 = Torch.tensor(device, new boolean[4], 4);
            Tensor row = Torch.zeros(device, 1, 3);
            Tensor mask23 = Torch.tensor(device, new boolean[6], 2, 3);
            Tensor b223 = Torch.zeros(device, 2, 2, 3);
            Tensor b334 = Torch.zeros(device, 3, 3, 4);
            Tensor w4 = Torch.zeros(device, 4);
            Tensor w54 = Torch.zeros(device, 5, 4);
            Tensor img3 = Torch.zeros(device, 1, 3, 5, 5);
            Tensor img4 = Torch.zeros(device, 1, 4, 5, 5);
            Tensor k2233 = Torch.zeros(device, 2, 2, 3, 3);
            Tensor k3233 = Torch.zeros(device, 3, 2, 3, 3);
            expectArg(device, () -> a.add(b), "[2, 3]", "[4, 3]");
            expectArg(device, () -> Torch.mul(a, c), "[2, 3]", "[3, 2]");
            expectArg(device, () -> a.lt(c.transpose(0, 1).narrow(1, 0, 2)), "[2, 3]", "[2, 2]");
            expectArg(device, () -> Torch.where(cond2, a, a), "[2]", "[2, 3]");
            expectArg(device, () -> a.maskedFill(mask4, 1), "[4]", "[2, 3]");
            expectArg(device, () -> row.maskedFill(mask23, 0),
                    "[2, 3]", "[1, 3]");
            expectArg(device, () -> a.expand(2, 5), "3", "5");
            expectArg(device, () -> Torch.matmul(a, a), "[2, 3]", "3", "2");
            expectArg(device, () -> Torch.matmul(b223, b334), "2", "3");
            expectArg(device, () -> Torch.cat(List.of(a, c), 0), "[2, 3]", "[3, 2]");
            expectArg(device, () -> Torch.stack(List.of(a, b), 0), "[2, 3]", "[4, 3]");
            expectArg(device, () -> Torch.layerNorm(a, new int[] {2}, null, null, 1e-5), "[2]", "[2, 3]");
            expectArg(device, () -> Torch.layerNorm(a, new int[] {3}, w4, null, 1e-5), "[4]", "[3]");
            expectArg(device, () -> Torch.linear(a, w54, null), "[2, 3]", "[5, 4]");
            expectArg(device, () -> Torch.conv2d(img3, k2233, null,
                    null, null, null, 1), "3", "[2, 2, 3, 3]");
            expectArg(device, () -> Torch.conv2d(img4, k3233, null,
                    null, null, null, 2), "groups 2", "3");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void dtypeMismatch(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor f = Torch.zeros(device, 2, 3);
            Tensor l = Torch.zeros(device, DType.INT64, 2, 3);
            Tensor bool = Torch.zeros(device, DType.BOOL, 2, 3);
            Tensor floatIds = Torch.zeros(device, 1);
            Tensor bfIds = Torch.zeros(device, DType.BFLOAT16, 2);
            Tensor table = Torch.zeros(device, 3, 2);
            Tensor intImage = Torch.zeros(device, DType.INT32, 1, 1, 3, 3);
            Tensor kernel = Torch.zeros(device, 1, 1, 1, 1);
            Tensor longImage = Torch.zeros(device, DType.INT64, 1, 1, 4, 4);
            expectArg(device, () -> Torch.where(f, f, f), "float32");
            expectArg(device, () -> Torch.where(l, f, f), "int64");
            expectArg(device, () -> f.maskedFill(l, 1), "int64");
            expectArg(device, () -> Torch.matmul(l, l.transpose(0, 1)), "int64");
            expectArg(device, () -> l.mean(), "int64");
            expectArg(device, () -> l.var(0, true, false), "int64");
            expectArg(device, () -> bool.sub(bool), "bool");
            expectArg(device, () -> bool.neg(), "bool");
            expectArg(device, () -> f.indexSelect(0, floatIds), "float32");
            expectArg(device, () -> Torch.embedding(bfIds, table),
                    "bfloat16");
            expectArg(device, () -> Torch.layerNorm(l, new int[] {3}, null, null, 1e-5), "int64");
            expectArg(device, () -> Torch.conv2d(intImage, kernel, null, null, null, null, 1), "int32");
            expectArg(device, () -> Torch.maxPool2d(longImage, 2, 2, 0), "int64");
            expectArg(device, () -> f.div(f, "round"), "round");
            expectArg(device, () -> f.gelu("fast"), "fast");
            expectArg(device, () -> f.clamp(2, 1), "2", "1");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void badDims(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 2, 3);
            Tensor ids = Torch.tensor(device, new long[] {0}, 1);
            Tensor ids2 = Torch.tensor(device, new long[] {0, 0}, 1, 2);
            Tensor empty = Torch.zeros(device, 0, 3);
            Tensor small = Torch.zeros(device, 1, 1, 2, 2);
            expectArg(device, () -> x.sum(2), "2", "rank 2");
            expectArg(device, () -> x.mean(-3), "-3", "rank 2");
            expectArg(device, () -> x.sum(new int[] {0, 0}, false), "0");
            expectArg(device, () -> x.argmax(5), "5", "rank 2");
            expectArg(device, () -> Torch.softmax(x, 2), "2", "rank 2");
            expectArg(device, () -> x.transpose(0, 2), "2", "rank 2");
            expectArg(device, () -> x.permute(1, 1), "1");
            expectArg(device, () -> x.unsqueeze(4), "4");
            expectArg(device, () -> x.squeeze(-3), "-3");
            expectArg(device, () -> Torch.cat(List.of(x, x), 2), "2", "rank 2");
            expectArg(device, () -> x.split(1, 3), "3", "rank 2");
            expectArg(device, () -> x.indexSelect(2, ids), "2", "rank 2");
            expectArg(device, () -> x.gather(-3, ids2), "-3", "rank 2");
            expectArg(device, () -> x.view(4, -1), "[2, 3]", "[4, -1]");
            expectArg(device, () -> x.reshape(-1, -1), "-1");
            expectArg(device, () -> x.reshape(7), "[2, 3]", "[7]");
            expectArg(device, () -> empty.amax(0), "amax", "[0, 3]");
            expectArg(device, () -> empty.argmin(0), "argmin", "[0, 3]");
            expectArg(device, () -> Torch.maxPool2d(small, PoolOptions.of(3)), "3", "2");
            expectArg(device, () -> Torch.adaptiveAvgPool2d(small, 0, 1), "0");
            expectArg(device, () -> Torch.pad(x, new int[] {1}, 0), "[1]");
            expectArg(device, () -> Torch.pad(x, new int[] {-2, -2}, 0), "-2", "[2, 3]");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void outOfRangeIndex(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 4, 3);
            Tensor ids = Torch.tensor(device, new long[] {2, 11, 0}, 3);
            Tensor ids32 = Torch.tensor(device, new int[] {-5}, 1);
            Tensor gatherIds = Torch.tensor(device, new long[] {0, 3}, 1, 2);
            expect(device, IndexOutOfBoundsException.class, () -> x.indexSelect(0, ids), "11", "size 4");
            expect(device, IndexOutOfBoundsException.class, () -> x.indexSelect(1, ids32), "-5", "size 3");
            expect(device, IndexOutOfBoundsException.class, () -> Torch.embedding(ids, x), "11", "size 4");
            expect(device, IndexOutOfBoundsException.class,
                    () -> x.gather(1, gatherIds), "3", "size 3");
            expect(device, IndexOutOfBoundsException.class, () -> x.select(1, 3), "3", "size 3");
            expect(device, IndexOutOfBoundsException.class, () -> x.select(0, -5), "-5", "size 4");
            expect(device, IndexOutOfBoundsException.class, () -> x.narrow(0, 3, 2), "3", "2", "size 4");
            expect(device, IndexOutOfBoundsException.class, () -> x.narrow(0, -1, 1), "-1", "size 4");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void viewOfNonViewableStrides(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 4, 6);
            Tensor t = x.transpose(0, 1);
            Tensor n = x.narrow(1, 1, 4);
            Tensor e = Torch.zeros(device, 1, 3).expand(2, 3);
            expectArg(device, () -> t.view(24), "[6, 4]", "[1, 6]", "[24]");
            expectArg(device, () -> t.view(4, 6), "[1, 6]");
            expectArg(device, () -> n.view(16), "[4, 4]", "[6, 1]", "[16]");
            expectArg(device, () -> e.view(6), "[2, 3]", "[0, 1]");
            expectArg(device, () -> x.permute(2, 0, 1).view(1), "[2, 0, 1]");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void closedTensorsAndNullArguments(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 2, 2);
            Tensor closed = Torch.zeros(device, 2, 2);
            closed.close();
            expect(device, IllegalStateException.class, () -> x.add(closed), "closed");
            expect(device, IllegalStateException.class, () -> closed.sum(), "closed");
            expectArg(device, () -> x.mul((Tensor) null), "null");
            expectArg(device, () -> Torch.matmul(x, null), "null");
            expectArg(device, () -> x.to((DType) null), "null");
        }
    }
}
