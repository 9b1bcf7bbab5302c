package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.torchcl.ops.OpsReference.allocated;
import static org.torchcl.ops.OpsReference.assertExact;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/** Views make layouts over the same storage (zero bytes allocated); reshape copies only when it must. */
class ViewsTest {

    private static final int[] SHAPE = {2, 3, 4};

    private static double[] iota(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return d;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void viewsAllocateNothingAndHaveTorchStrides(Device device) {
        double[] data = iota(24);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, data, SHAPE);
            long before = allocated(device);
            List<Tensor> views = new ArrayList<>();
            Tensor t = x.transpose(0, 2);
            Tensor p = x.permute(1, 2, 0);
            Tensor n = x.narrow(2, 1, 2);
            Tensor s = x.select(1, -1);
            Tensor u = x.unsqueeze(1);
            Tensor uLast = x.unsqueeze(-1);
            Tensor e = x.select(2, 0).unsqueeze(-1).expand(2, 3, 5);
            Tensor e2 = x.expand(7, 2, 3, 4);
            Tensor sq = u.squeeze(1);
            Tensor sqAll = Torch.tensor(device, new float[] {1, 2, 3}, 1, 3, 1).squeeze();
            long afterSqueezeSource = allocated(device);
            Tensor v = x.view(6, 4);
            Tensor v2 = x.view(-1);
            Tensor r = x.reshape(4, -1);
            Tensor c = x.contiguous();
            Tensor f = x.flatten(1);
            Tensor same = x.to(device);
            Tensor sameType = x.to(DType.FLOAT32);
            Tensor splitPieces = x.split(3, 2).get(1);
            views.add(splitPieces);
            assertEquals(before + 12L, afterSqueezeSource, "only the small tensor made for squeeze() allocated");
            assertEquals(afterSqueezeSource, allocated(device), "views, view/reshape of a contiguous tensor, "
                    + "contiguous() of a contiguous one, to(same device/dtype) and split allocate nothing");

            assertShape(new int[] {4, 3, 2}, t);
            assertArrayEquals(new long[] {1, 4, 12}, t.stride());
            assertFalse(t.isContiguous());
            assertShape(new int[] {3, 4, 2}, p);
            assertArrayEquals(new long[] {4, 1, 12}, p.stride());
            assertShape(new int[] {2, 3, 2}, n);
            assertArrayEquals(new long[] {12, 4, 1}, n.stride());
            assertEquals(1, n.storageOffset());
            assertFalse(n.isContiguous());
            assertShape(new int[] {2, 4}, s);
            assertEquals(8, s.storageOffset());
            assertArrayEquals(new long[] {12, 1}, s.stride());
            assertShape(new int[] {2, 1, 3, 4}, u);
            assertArrayEquals(new long[] {12, 12, 4, 1}, u.stride(), "PyTorch's unsqueeze stride: stride * size of the next dim");
            assertShape(new int[] {2, 3, 4, 1}, uLast);
            assertArrayEquals(new long[] {12, 4, 1, 1}, uLast.stride());
            assertShape(new int[] {2, 3, 5}, e);
            assertArrayEquals(new long[] {12, 4, 0}, e.stride());
            assertArrayEquals(new long[] {0, 12, 4, 1}, e2.stride());
            assertShape(SHAPE, sq);
            assertShape(new int[] {3}, sqAll);
            assertShape(new int[] {6, 4}, v);
            assertTrue(v.isContiguous());
            assertShape(new int[] {24}, v2);
            assertShape(new int[] {4, 6}, r);
            assertShape(new int[] {2, 12}, f);
            assertShape(new int[] {2, 3, 1}, splitPieces);
            assertEquals(3, splitPieces.storageOffset());

            // values, read after the allocation check (reading a strided view may use a temporary)
            assertExact("transpose", OpsReference.permute(data, SHAPE, 2, 1, 0), values(t));
            assertExact("permute", OpsReference.permute(data, SHAPE, 1, 2, 0), values(p));
            double[] narrowed = new double[12];
            double[] selected = new double[8];
            double[] expanded = new double[30];
            for (int a = 0, k = 0; a < 2; a++) {
                for (int b = 0; b < 3; b++) {
                    narrowed[k++] = data[a * 12 + b * 4 + 1];
                    narrowed[k++] = data[a * 12 + b * 4 + 2];
                    for (int z = 0; z < 5; z++) {
                        expanded[(a * 3 + b) * 5 + z] = data[a * 12 + b * 4];
                    }
                }
                for (int d = 0; d < 4; d++) {
                    selected[a * 4 + d] = data[a * 12 + 8 + d];
                }
            }
            assertExact("narrow", narrowed, values(n));
            assertExact("select", selected, values(s));
            assertExact("expand", expanded, values(e));
            assertEquals(7 * 24, values(e2).length);
            assertExact("view", data, values(v));
            assertExact("reshape", data, values(r));
            assertExact("unsqueeze", data, values(u));
            assertExact("squeeze", new double[] {1, 2, 3}, values(sqAll));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void viewOfTransposedThrowsNamingStridesAndReshapeCopies(Device device) {
        double[] data = iota(12);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, data, 3, 4);
            Tensor t = x.transpose(0, 1);
            long before = allocated(device);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(12));
            String m = e.getMessage();
            assertTrue(m.contains("[1, 4]"), "message names the strides: " + m);
            assertTrue(m.contains("[4, 3]"), "message names the shape: " + m);
            assertTrue(m.contains("[12]"), "message names the requested shape: " + m);
            assertEquals(before, allocated(device), "a failed view allocates nothing");

            // a view that the strides can express works on the transposed tensor
            Tensor u = t.view(2, 2, 3);
            assertEquals(before, allocated(device), "splitting a dim of a transposed tensor is a view");
            assertArrayEquals(new long[] {2, 1, 4}, u.stride());

            Tensor r = t.reshape(12);
            assertEquals(before + 12 * 4, allocated(device), "reshape copies exactly once when it must");
            assertTrue(r.isContiguous());
            assertExact("reshape of transpose", OpsReference.transpose2d(data, 3, 4), values(r));
            Tensor c = t.contiguous();
            assertTrue(c.isContiguous());
            assertExact("contiguous of transpose", OpsReference.transpose2d(data, 3, 4), values(c));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void viewsShareStorageWithTheirBase(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 3, 4);
            Tensor column = x.select(1, 2);
            column.copyFrom(OpsReference.tensor(device, new double[] {7, 8, 9}, 3));
            Tensor block = x.transpose(0, 1).narrow(0, 0, 2);
            block.fill(1);
            assertExact("writes through views", new double[] {1, 1, 7, 0, 1, 1, 8, 0, 1, 1, 9, 0}, values(x));
            x.close();
            // the view keeps the storage alive after its base is closed
            assertExact("view outlives base", new double[] {7, 8, 9}, values(column));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void zeroSizeViews(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, iota(12), 3, 4);
            long before = allocated(device);
            Tensor empty = x.narrow(1, 4, 0);
            assertShape(new int[] {3, 0}, empty);
            Tensor ev = empty.view(0, 3);
            assertShape(new int[] {0, 3}, ev);
            Tensor er = empty.reshape(-1, 5);
            assertShape(new int[] {0, 5}, er);
            Tensor ee = Torch.zeros(device, 1, 0).expand(4, 0);
            assertShape(new int[] {4, 0}, ee);
            assertEquals(0, ee.numel());
            Tensor et = empty.transpose(0, 1);
            assertShape(new int[] {0, 3}, et);
            assertEquals(0, values(et.contiguous()).length);
            assertEquals(0, values(empty).length);
            assertEquals(before, allocated(device), "empty tensors hold no bytes");
            assertEquals(0, x.split(2, 0).get(1).narrow(0, 1, 0).numel());
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void viewsOfEveryDtype(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            long big = (1L << 53) + 7;
            Tensor l = Torch.tensor(device, new long[] {big, 1, 2, -big, 3, 4}, 2, 3);
            assertArrayEquals(new long[] {big, -big, 1, 3, 2, 4}, l.transpose(0, 1).contiguous().toLongArray());
            assertArrayEquals(new long[] {-big, 3}, l.select(0, 1).narrow(0, 0, 2).toLongArray());
            Tensor i = Torch.tensor(device, new int[] {1, 2, 3, 4, 5, 6}, 3, 2);
            assertArrayEquals(new int[] {1, 3, 5, 2, 4, 6}, i.t().reshape(6).toIntArray());
            Tensor b = Torch.tensor(device, new boolean[] {true, false, false, true}, 2, 2);
            assertArrayEquals(new boolean[] {true, false, false, true, true, false, false, true},
                    b.unsqueeze(0).expand(2, 2, 2).reshape(8).toBooleanArray());
            assertArrayEquals(new boolean[] {true, false, false, true}, b.t().t().view(4).toBooleanArray());
            for (DType h : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                Tensor x = OpsReference.tensor(device, h, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
                assertEquals(h, x.transpose(0, 1).dtype());
                assertExact(h + " transpose", new double[] {1, 4, 2, 5, 3, 6}, values(x.transpose(0, 1)));
                assertExact(h + " narrow", new double[] {2, 3, 5, 6}, values(x.narrow(1, 1, 2)));
                assertEquals(h, x.narrow(1, 1, 2).contiguous().dtype());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void squeezeAndUnsqueezeFollowPyTorch(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 1, 3, 1);
            assertShape(new int[] {3, 1}, x.squeeze(0));
            assertShape(new int[] {1, 3}, x.squeeze(-1));
            assertShapeWhy(new int[] {1, 3, 1}, x.squeeze(1), "a dim that is not 1 stays");
            assertShape(new int[] {1, 3, 1, 1}, x.unsqueeze(3));
            assertShape(new int[] {1, 3, 1, 1}, x.unsqueeze(-1));
            assertShape(new int[] {1, 1, 3, 1}, x.unsqueeze(-4));
            Tensor scalar = Torch.full(device, DType.FLOAT32, 5, new int[0]);
            assertShape(new int[] {1}, scalar.unsqueeze(0));
            assertShape(new int[0], scalar.reshape());
            assertShape(new int[] {1, 1}, scalar.view(1, 1));
        }
    }

    private static void assertShapeWhy(int[] expected, Tensor t, String why) {
        assertArrayEquals(expected, t.shape(), why + ": " + t);
    }
}
