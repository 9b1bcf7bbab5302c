package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.torchcl.ops.OpsReference.allocated;
import static org.torchcl.ops.OpsReference.assertExact;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.ops.OpsReference.Layout;

/** cat, stack, split, indexSelect, gather, embedding and pad. */
class IndexingOpsTest {

    private static double[] iota(int n, double start) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = start + i;
        }
        return d;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void catAlongEachDimWithViewsDtypesAndEmptyPieces(Device device) {
        double[] a = iota(6, 0);
        double[] b = iota(9, 100);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor ta = layout.make(device, a, 2, 3);
                Tensor tb = Layout.TRANSPOSED.make(device, b, 3, 3);
                Tensor c0 = Torch.cat(List.of(ta, tb, Torch.zeros(device, 0, 3)), 0);
                assertShape(new int[] {5, 3}, c0);
                double[] e0 = new double[15];
                System.arraycopy(a, 0, e0, 0, 6);
                System.arraycopy(b, 0, e0, 6, 9);
                assertExact("cat dim 0 " + layout, e0, values(c0));
                Tensor tc = layout.make(device, iota(4, 50), 2, 2);
                Tensor c1 = Torch.cat(List.of(ta, tc), -1);
                assertShape(new int[] {2, 5}, c1);
                assertExact("cat dim 1 " + layout, new double[] {0, 1, 2, 50, 51, 3, 4, 5, 52, 53}, values(c1));
            }
            // promotion: int32 with float32 gives float32; int64 keeps exact values
            Tensor i = Torch.tensor(device, new int[] {1, 2}, 2);
            Tensor f = OpsReference.tensor(device, new double[] {0.5}, 1);
            Tensor mixed = Torch.cat(List.of(i, f), 0);
            assertEquals(DType.FLOAT32, mixed.dtype());
            assertExact("cat int32 + float32", new double[] {1, 2, 0.5}, values(mixed));
            long big = (1L << 53) + 1;
            Tensor l = Torch.cat(List.of(Torch.tensor(device, new long[] {big}, 1), Torch.tensor(device, new int[] {-1}, 1)), 0);
            assertEquals(DType.INT64, l.dtype());
            assertArrayEquals(new long[] {big, -1}, l.toLongArray());
            Tensor bools = Torch.cat(List.of(Torch.tensor(device, new boolean[] {true}, 1),
                    Torch.tensor(device, new boolean[] {false, true}, 2)), 0);
            assertEquals(DType.BOOL, bools.dtype());
            assertArrayEquals(new boolean[] {true, false, true}, bools.toBooleanArray());
            Tensor halves = Torch.cat(List.of(OpsReference.tensor(device, DType.FLOAT16, new double[] {1.5}, 1),
                    OpsReference.tensor(device, DType.BFLOAT16, new double[] {2}, 1)), 0);
            assertEquals(DType.FLOAT32, halves.dtype());
            assertExact("cat float16 + bfloat16", new double[] {1.5, 2}, values(halves));
            // an expanded piece
            Tensor row = OpsReference.tensor(device, new double[] {7, 8, 9}, 1, 3);
            assertExact("cat expanded", new double[] {7, 8, 9, 7, 8, 9, 0, 1, 2},
                    values(Torch.cat(List.of(row.expand(2, 3), OpsReference.tensor(device, iota(3, 0), 1, 3)), 0)));
            assertShape(new int[] {0, 3}, Torch.cat(List.of(Torch.zeros(device, 0, 3), Torch.zeros(device, 0, 3)), 0));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void stackAndSplit(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = OpsReference.tensor(device, iota(6, 0), 2, 3);
            Tensor b = Layout.TRANSPOSED.make(device, iota(6, 10), 2, 3);
            Tensor s0 = Torch.stack(List.of(a, b), 0);
            assertShape(new int[] {2, 2, 3}, s0);
            assertExact("stack 0", new double[] {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}, values(s0));
            Tensor s2 = Torch.stack(List.of(a, b), -1);
            assertShape(new int[] {2, 3, 2}, s2);
            assertExact("stack -1", new double[] {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}, values(s2));
            Tensor x = OpsReference.tensor(device, iota(14, 0), 2, 7);
            long before = allocated(device);
            List<Tensor> pieces = x.split(3, 1);
            assertEquals(before, allocated(device), "split makes views");
            assertEquals(3, pieces.size());
            assertShape(new int[] {2, 3}, pieces.get(0));
            assertShape(new int[] {2, 1}, pieces.get(2));
            assertExact("split piece 1", new double[] {3, 4, 5, 10, 11, 12}, values(pieces.get(1)));
            assertExact("split last piece", new double[] {6, 13}, values(pieces.get(2)));
            assertEquals(1, x.split(5, 0).size());
            List<Tensor> empty = Torch.zeros(device, 0, 2).split(2, 0);
            assertEquals(1, empty.size());
            assertShape(new int[] {0, 2}, empty.get(0));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void indexSelectAlongDimsWithEveryIndexType(Device device) {
        int[] shape = {4, 5};
        double[] data = iota(20, 0);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, shape);
                for (DType it : new DType[] {DType.INT64, DType.INT32}) {
                    Tensor rows = OpsReference.tensor(device, it, new double[] {3, 0, 3}, 3);
                    Tensor r = x.indexSelect(0, rows);
                    assertShape(new int[] {3, 5}, r);
                    assertExact("indexSelect 0 " + layout + " " + it,
                            new double[] {15, 16, 17, 18, 19, 0, 1, 2, 3, 4, 15, 16, 17, 18, 19}, values(r));
                    Tensor cols = Layout.TRANSPOSED.make(device, it, new double[] {4, 1}, 2);
                    Tensor c = Torch.indexSelect(x, -1, cols);
                    assertShape(new int[] {4, 2}, c);
                    assertExact("indexSelect 1 " + layout + " " + it, new double[] {4, 1, 9, 6, 14, 11, 19, 16}, values(c));
                }
            }
            long big = (1L << 53) + 1;
            Tensor l = Torch.tensor(device, new long[] {big, -big, 5}, 3);
            Tensor sel = l.indexSelect(0, Torch.tensor(device, new long[] {2, 0, 1}, 3));
            assertEquals(DType.INT64, sel.dtype());
            assertArrayEquals(new long[] {5, big, -big}, sel.toLongArray());
            Tensor h = OpsReference.tensor(device, DType.FLOAT16, new double[] {0.5, 1.5, 2.5}, 3);
            Tensor hs = h.indexSelect(0, Torch.tensor(device, new int[] {2, 2}, 2));
            assertEquals(DType.FLOAT16, hs.dtype());
            assertExact("float16 indexSelect", new double[] {2.5, 2.5}, values(hs));
            Tensor none = OpsReference.tensor(device, data, shape).indexSelect(0, Torch.tensor(device, new long[0], 0));
            assertShape(new int[] {0, 5}, none);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void gatherAndEmbedding(Device device) {
        double[] data = iota(12, 0);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, 3, 4);
                Tensor idx1 = Torch.tensor(device, new long[] {3, 0, 1, 1, 2, 2}, 3, 2);
                Tensor g1 = x.gather(1, idx1);
                assertShape(new int[] {3, 2}, g1);
                assertExact("gather 1 " + layout, new double[] {3, 0, 5, 5, 10, 10}, values(g1));
                Tensor idx0 = Layout.TRANSPOSED.make(device, DType.INT32, new double[] {2, 0, 1, 0, 1, 2, 0, 2}, 2, 4);
                Tensor g0 = Torch.gather(x, 0, idx0);
                assertShape(new int[] {2, 4}, g0);
                assertExact("gather 0 " + layout, new double[] {8, 1, 6, 3, 4, 9, 2, 11}, values(g0));
            }
            // embedding: ids of any shape, weight rows
            double[] w = iota(15, 0);
            for (Layout layout : Layout.values()) {
                Tensor weight = layout.make(device, w, 5, 3);
                Tensor ids = Torch.tensor(device, new long[] {4, 0, 2, 2, 1, 3}, 2, 3);
                Tensor e = Torch.embedding(ids, weight);
                assertShape(new int[] {2, 3, 3}, e);
                assertExact("embedding " + layout,
                        new double[] {12, 13, 14, 0, 1, 2, 6, 7, 8, 6, 7, 8, 3, 4, 5, 9, 10, 11}, values(e));
                Tensor e1 = Torch.embedding(Torch.tensor(device, new int[] {1}, 1).select(0, 0), weight);
                assertShape(new int[] {3}, e1);
                assertExact("embedding of a 0-d id " + layout, new double[] {3, 4, 5}, values(e1));
            }
            Tensor bf = OpsReference.tensor(device, DType.BFLOAT16, new double[] {1, 2, 3, 4}, 2, 2);
            Tensor eb = Torch.embedding(Torch.tensor(device, new long[] {1, 0}, 2), bf);
            assertEquals(DType.BFLOAT16, eb.dtype());
            assertExact("bfloat16 embedding", new double[] {3, 4, 1, 2}, values(eb));
            assertShape(new int[] {0, 3}, Torch.embedding(Torch.tensor(device, new long[0], 0),
                    OpsReference.tensor(device, w, 5, 3)));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void padAndCropLikeFPad(Device device) {
        double[] data = iota(6, 1);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, 2, 3);
                Tensor p = Torch.pad(x, new int[] {1, 2}, -1);
                assertShape(new int[] {2, 6}, p);
                assertExact("pad last dim " + layout, new double[] {-1, 1, 2, 3, -1, -1, -1, 4, 5, 6, -1, -1}, values(p));
                Tensor p2 = Torch.pad(x, new int[] {0, 0, 1, 0}, 0);
                assertShape(new int[] {3, 3}, p2);
                assertExact("pad dim 0 " + layout, new double[] {0, 0, 0, 1, 2, 3, 4, 5, 6}, values(p2));
                Tensor crop = Torch.pad(x, new int[] {-1, 1, 0, -1}, 9);
                assertShape(new int[] {1, 3}, crop);
                assertExact("crop " + layout, new double[] {2, 3, 9}, values(crop));
            }
            long big = (1L << 53) + 1;
            Tensor l = Torch.pad(Torch.tensor(device, new long[] {big}, 1), new int[] {1, 1}, 7);
            assertEquals(DType.INT64, l.dtype());
            assertArrayEquals(new long[] {7, big, 7}, l.toLongArray());
            Tensor e = Torch.pad(Torch.zeros(device, 2, 0), new int[] {1, 1}, 3);
            assertShape(new int[] {2, 2}, e);
            assertExact("pad of empty", new double[] {3, 3, 3, 3}, values(e));
            Tensor inf = Torch.pad(Torch.ones(device, 1, 1, 1, 1), new int[] {1, 0, 0, 1}, Double.NEGATIVE_INFINITY);
            assertShape(new int[] {1, 1, 2, 2}, inf);
            assertExact("pad with -inf", new double[] {Double.NEGATIVE_INFINITY, 1, Double.NEGATIVE_INFINITY,
                    Double.NEGATIVE_INFINITY}, values(inf));
        }
    }

    /** An out-of-range index names the index and the size, on every device, and leaks nothing. */
    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void outOfRangeIndicesThrowNamingIndexAndSize(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, iota(12, 0), 3, 4);
            Tensor w = OpsReference.tensor(device, iota(15, 0), 5, 3);
            Tensor bad7 = Torch.tensor(device, new long[] {0, 7, 1}, 3);
            Tensor badNeg = Torch.tensor(device, new int[] {1, -1}, 2);
            Tensor gatherIdx = Torch.tensor(device, new long[] {0, 1, 9, 0}, 1, 4);
            Tensor ids = Torch.tensor(device, new long[] {1, 2, 5, 0}, 2, 2);
            long before = allocated(device);
            expectIndexError(() -> x.indexSelect(0, bad7), "7", "3");
            expectIndexError(() -> x.indexSelect(1, bad7), "7", "4");
            expectIndexError(() -> x.indexSelect(0, badNeg), "-1", "3");
            expectIndexError(() -> x.gather(0, gatherIdx), "9", "3");
            expectIndexError(() -> Torch.embedding(ids, w), "5", "5");
            expectIndexError(() -> Torch.embedding(badNeg, w), "-1", "5");
            expectIndexError(() -> x.select(0, 3), "3", "3");
            expectIndexError(() -> x.narrow(1, 2, 3), "2", "4");
            assertEquals(before, allocated(device), "failed index ops leave no bytes allocated on " + device);
        }
    }

    private static void expectIndexError(Supplier<Tensor> op, String index, String size) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, op::get);
        String m = e.getMessage();
        assertTrue(m != null && m.contains(index) && m.contains("size " + size), "message names index " + index
                + " and size " + size + ": " + m);
    }
}
