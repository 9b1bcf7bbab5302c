package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.assertExact;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.TestDevices;
import org.torchcl.Torch;
import org.torchcl.ops.OpsReference.Layout;

/** sum/mean/amax/amin/prod/var/argmax/argmin over dims, keepdim, layouts, dtypes, empty dims and specials. */
class ReductionOpsTest {

    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    interface DimsOp {
        Tensor apply(Tensor x, int[] dims, boolean keepdim);
    }

    record Reduction(String name, DimsOp op, ToDoubleFunction<double[]> ref) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Reduction> REDUCTIONS = List.of(
            new Reduction("sum", Tensor::sum, OpsReference::sum),
            new Reduction("mean", Tensor::mean, OpsReference::mean),
            new Reduction("amax", Tensor::amax, OpsReference::max),
            new Reduction("amin", Tensor::amin, OpsReference::min),
            new Reduction("var_unbiased", (x, d, k) -> x.var(d, true, k), v -> OpsReference.var(v, 1)),
            new Reduction("var_biased", (x, d, k) -> x.var(d, false, k), v -> OpsReference.var(v, 0)));

    static final int[][] DIMS = {{0}, {1}, {2}, {-1}, {0, 2}, {2, 0}, {0, 1, 2}};

    static Stream<Arguments> cases() {
        return TestDevices.all().flatMap(d -> REDUCTIONS.stream().map(r -> Arguments.of(d, r)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void reducesAnyDimsOfAnyLayout(Device device, Reduction r) {
        int[] shape = {3, 4, 5};
        double[] data = OpsReference.randn(21, 60);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, shape);
                for (int[] dims : DIMS) {
                    double[] expected = OpsReference.reduce(data, shape, dims, r.ref());
                    for (boolean keepdim : new boolean[] {false, true}) {
                        Tensor y = r.op().apply(x, dims, keepdim);
                        assertEquals(DType.FLOAT32, y.dtype());
                        assertShape(OpsReference.reducedOutShape(shape, dims, keepdim), y);
                        assertClose(r + java.util.Arrays.toString(dims) + " keepdim=" + keepdim + " " + layout,
                                expected, y, 1e-5, 3e-6);
                    }
                }
            }
            // an expanded input (zero strides) reduces like its dense copy
            Tensor row = OpsReference.tensor(device, new double[] {1, -2, 3.5}, 1, 3);
            Tensor y = r.op().apply(row.expand(4, 3), new int[] {0}, false);
            double[] expanded = OpsReference.broadcastTo(new double[] {1, -2, 3.5}, new int[] {1, 3}, new int[] {4, 3});
            assertClose(r + " of expanded", OpsReference.reduce(expanded, new int[] {4, 3}, new int[] {0}, r.ref()), y,
                    1e-5, 1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void fullReductionsAndProd(Device device) {
        double[] data = OpsReference.uniform(3, 24, 0.5, 1.5);
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Layout.TRANSPOSED.make(device, data, 2, 3, 4);
            Tensor s = x.sum();
            assertShape(new int[0], s);
            assertClose("sum()", new double[] {OpsReference.sum(data)}, s, 1e-5, 0);
            assertClose("mean()", new double[] {OpsReference.mean(data)}, x.mean(), 1e-5, 0);
            assertClose("amax()", new double[] {OpsReference.max(data)}, x.amax(), 0, 0);
            assertClose("amin()", new double[] {OpsReference.min(data)}, x.amin(), 0, 0);
            assertClose("prod()", new double[] {OpsReference.prod(data)}, x.prod(), 1e-5, 0);
            assertClose("var(true)", new double[] {OpsReference.var(data, 1)}, x.var(true), 1e-5, 0);
            for (int d = 0; d < 3; d++) {
                int[] shape = {2, 3, 4};
                double[] expected = OpsReference.reduce(data, shape, new int[] {d}, OpsReference::prod);
                assertClose("prod(" + d + ")", expected, x.prod(d), 1e-5, 0);
                Tensor kept = x.prod(d, true);
                assertShape(OpsReference.reducedOutShape(shape, new int[] {d}, true), kept);
                assertClose("sum(" + d + ")", OpsReference.reduce(data, shape, new int[] {d}, OpsReference::sum),
                        x.sum(d), 1e-5, 0);
                assertClose("var(" + d + ")", OpsReference.reduce(data, shape, new int[] {d}, v -> OpsReference.var(v, 1)),
                        x.var(d, true, false), 1e-5, 1e-7);
            }
        }
    }

    /** The float32 sum of 10^7 copies of 0.1f within 1e-6 relative of the float64 sum: no naive accumulation. */
    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void tenMillionTenthsSumAccurately(Device device) {
        int n = 10_000_000;
        double exact = n * (double) 0.1f;
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.full(device, 0.1f, n);
            float s = x.sum().item();
            assertTrue(Math.abs(s - exact) <= 1e-6 * exact, "sum of 10^7 x 0.1f = " + s + ", float64 sum " + exact);
            float m = x.mean().item();
            assertTrue(Math.abs(m - 0.1f) <= 1e-6 * 0.1f, "mean of 10^7 x 0.1f = " + m);
            float rows = x.view(1000, 10_000).sum(1).sum().item();
            assertTrue(Math.abs(rows - exact) <= 1e-6 * exact, "row sums then sum = " + rows);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void argmaxAndArgminTiesAndNaN(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor ties = OpsReference.tensor(device, new double[] {3, 1, 3, 0, 1, 0}, 6);
            check(ties.argmax(), 0);
            check(ties.argmin(), 3);
            check(ties.argmax(0), 0);
            Tensor nan = OpsReference.tensor(device, new double[] {1, NAN, 3, NAN, -INF}, 5);
            check(nan.argmax(), 1);
            check(nan.argmin(), 1);
            Tensor inf = OpsReference.tensor(device, new double[] {-INF, INF, INF, -INF}, 4);
            check(inf.argmax(), 1);
            check(inf.argmin(), 0);
            // along dims, on a transposed view, keepdim
            double[] data = {5, 1, 5, 2, 2, 9, 9, 0, 7, 7, 7, 7};
            int[] shape = {3, 4};
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, shape);
                Tensor a1 = x.argmax(1);
                assertEquals(DType.INT64, a1.dtype());
                assertArrayEquals(new long[] {0, 1, 0}, a1.toLongArray(), layout + " argmax(1)");
                assertArrayEquals(new long[] {1, 3, 0}, x.argmin(1).toLongArray(), layout + " argmin(1)");
                Tensor a0 = x.argmax(0, true);
                assertShape(new int[] {1, 4}, a0);
                assertArrayEquals(new long[] {2, 1, 1, 2}, a0.toLongArray(), layout + " argmax(0, keepdim)");
                assertArrayEquals(new long[] {1, 0, 0, 1}, x.argmin(-2).toLongArray(), layout + " argmin(-2)");
                assertArrayEquals(new long[] {5}, new long[] {x.argmax().itemLong()}, layout + " argmax()");
            }
            // integer and 16-bit inputs
            long big = (1L << 53) + 1;
            check(Torch.tensor(device, new long[] {big - 1, big, big - 1}, 3).argmax(), 1);
            check(Torch.tensor(device, new int[] {4, -9, 4}, 3).argmin(), 1);
            check(OpsReference.tensor(device, DType.FLOAT16, new double[] {0.5, 2, 2}, 3).argmax(), 1);
            check(OpsReference.tensor(device, DType.BFLOAT16, new double[] {0.5, NAN, 2}, 3).argmax(), 1);
            check(Torch.tensor(device, new boolean[] {false, true, true}, 3).argmax(), 1);
        }
    }

    private static void check(Tensor index, long expected) {
        assertEquals(DType.INT64, index.dtype(), "arg* gives int64");
        assertEquals(expected, index.itemLong(), index.toString());
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void integerAndBoolReductions(Device device) {
        long big = (1L << 53) + 1;
        try (TensorScope scope = TensorScope.open()) {
            Tensor l = Torch.tensor(device, new long[] {big, 2, -3, 4, 5, big}, 2, 3);
            Tensor s = l.sum(1);
            assertEquals(DType.INT64, s.dtype());
            assertArrayEquals(new long[] {big - 1, 9 + big}, s.toLongArray());
            assertArrayEquals(new long[] {big + 4, 7, big - 3}, l.sum(0).toLongArray());
            assertArrayEquals(new long[] {big + 4, 7, big - 3}, l.transpose(0, 1).sum(1).toLongArray());
            assertEquals(2 * big + 8, l.sum().itemLong());
            Tensor mx = l.amax(1);
            assertEquals(DType.INT64, mx.dtype());
            assertArrayEquals(new long[] {big, big}, mx.toLongArray());
            assertArrayEquals(new long[] {-3, 4}, l.amin(1).toLongArray());
            assertArrayEquals(new long[] {-6 * big, 20 * big}, l.prod(1).toLongArray());
            Tensor i = Torch.tensor(device, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 1}, 3);
            Tensor si = i.sum();
            assertEquals(DType.INT64, si.dtype(), "int32 sums as int64, as PyTorch");
            assertEquals(2L * Integer.MAX_VALUE + 1, si.itemLong());
            assertEquals(DType.INT32, i.amax().dtype());
            Tensor b = Torch.tensor(device, new boolean[] {true, false, true, true, false, true}, 2, 3);
            Tensor count = b.sum(1);
            assertEquals(DType.INT64, count.dtype());
            assertArrayEquals(new long[] {2, 2}, count.toLongArray());
            assertArrayEquals(new long[] {2, 0, 2}, b.sum(0).toLongArray());
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void sixteenBitReductionsKeepTheirDtype(Device device) {
        double[] data = OpsReference.uniform(5, 64, -1, 1);
        try (TensorScope scope = TensorScope.open()) {
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] stored = OpsReference.roundedTo(type, data);
                Tensor x = Layout.TRANSPOSED.make(device, type, stored, 8, 8);
                for (Reduction r : REDUCTIONS) {
                    Tensor y = r.op().apply(x, new int[] {1}, false);
                    assertEquals(type, y.dtype(), r + " keeps " + type);
                    double[] expected = OpsReference.reduce(stored, new int[] {8, 8}, new int[] {1}, r.ref());
                    assertClose(r + " " + type, OpsReference.roundedTo(type, expected), y,
                            2 * OpsReference.storageRtol(type), 2e-3);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void emptyDimsGiveIdentities(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.zeros(device, 0, 3);
            Tensor s = x.sum(0);
            assertShape(new int[] {3}, s);
            assertExact("sum over empty", new double[] {0, 0, 0}, values(s));
            assertExact("prod over empty", new double[] {1, 1, 1}, values(x.prod(0)));
            assertClose("mean over empty", new double[] {NAN, NAN, NAN}, values(x.mean(0)), 0, 0);
            assertShape(new int[] {0}, x.sum(1));
            assertShape(new int[] {0, 1}, x.amax(1, true));
            assertShape(new int[] {0}, x.argmax(1));
            assertExact("sum() of empty", new double[] {0}, values(x.sum()));
            assertArrayEquals(new long[] {0}, Torch.tensor(device, new long[0], 0).sum().toLongArray());
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void nanAndInfPropagate(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, new double[] {1, NAN, 2, INF, 1, -INF, 3, 4, 5}, 3, 3);
            assertClose("sum(1)", new double[] {NAN, NAN, 12}, values(x.sum(1)), 0, 0);
            assertClose("amax(1)", new double[] {NAN, INF, 5}, values(x.amax(1)), 0, 0);
            assertClose("amin(1)", new double[] {NAN, -INF, 3}, values(x.amin(1)), 0, 0);
            assertClose("amax(0)", new double[] {INF, NAN, 5}, values(x.amax(0)), 0, 0);
            assertClose("mean(0)", new double[] {INF, NAN, -INF}, values(x.mean(0)), 0, 0);
            assertClose("prod(1)", new double[] {NAN, -INF, 60}, values(x.prod(1)), 0, 0);
            assertClose("var(1)", new double[] {NAN, NAN, 1}, values(x.var(1, true, false)), 1e-6, 0);
        }
    }
}
