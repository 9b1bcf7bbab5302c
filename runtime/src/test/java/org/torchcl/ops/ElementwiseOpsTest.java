package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.assertExact;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
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

/** Unary and binary elementwise ops, comparisons, logic, where/maskedFill: layouts, dtypes, specials. */
class ElementwiseOpsTest {

    static final double INF = Double.POSITIVE_INFINITY;
    static final double NAN = Double.NaN;

    /** name, op, float64 reference, domain low, high, absolute tolerance (0: relative 1e-5). */
    record Unary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi, double atol) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Unary> UNARY = List.of(
            new Unary("neg", Tensor::neg, x -> -x, -10, 10, 0),
            new Unary("abs", Tensor::abs, Math::abs, -10, 10, 0),
            new Unary("exp", Tensor::exp, Math::exp, -10, 10, 0),
            new Unary("log", Tensor::log, Math::log, 1e-3, 10, 0),
            new Unary("sqrt", Tensor::sqrt, Math::sqrt, 0, 10, 0),
            new Unary("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), 1e-3, 10, 0),
            new Unary("reciprocal", Tensor::reciprocal, x -> 1 / x, 0.01, 10, 0),
            new Unary("erf", Tensor::erf, OpsReference::erf, -10, 10, 2e-6),
            new Unary("tanh", Tensor::tanh, Math::tanh, -10, 10, 2e-6),
            new Unary("sigmoid", Tensor::sigmoid, OpsReference::sigmoid, -10, 10, 0),
            new Unary("relu", Tensor::relu, x -> Math.max(x, 0), -10, 10, 0),
            new Unary("silu", Tensor::silu, x -> x * OpsReference.sigmoid(x), -10, 10, 0),
            new Unary("gelu", Tensor::gelu, OpsReference::gelu, -10, 10, 2e-6),
            new Unary("gelu_tanh", x -> x.gelu("tanh"), OpsReference::geluTanh, -10, 10, 2e-6),
            new Unary("clamp", x -> x.clamp(-2.5, 3), x -> Math.min(Math.max(x, -2.5), 3), -10, 10, 0));

    static Stream<Arguments> unaryCases() {
        return TestDevices.all().flatMap(d -> UNARY.stream().map(u -> Arguments.of(d, u)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("unaryCases")
    void unaryFloat32MatchesFloat64OnEveryLayout(Device device, Unary u) {
        double[] x = OpsReference.linspace(u.lo(), u.hi(), 2001);
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = u.ref().applyAsDouble(x[i]);
        }
        double rtol = u.atol() > 0 ? 0 : 1e-5;
        double atol = u.atol() > 0 ? u.atol() : 1e-30;
        try (TensorScope scope = TensorScope.open()) {
            Tensor flat = OpsReference.tensor(device, x, 2001);
            Tensor y = u.op().apply(flat);
            assertEquals(DType.FLOAT32, y.dtype());
            assertClose(u + " on [" + u.lo() + ", " + u.hi() + "]", expected, y, rtol, atol);
            // 2-D layouts: same values on a [23, 87] grid (2001 = 23 * 87)
            for (Layout layout : Layout.values()) {
                Tensor grid = layout.make(device, x, 23, 87);
                Tensor g = u.op().apply(grid);
                assertShape(new int[] {23, 87}, g);
                assertClose(u + " " + layout, expected, g, rtol, atol);
            }
            // expanded (stride 0) and empty inputs
            Tensor row = OpsReference.tensor(device, new double[] {x[0], x[1000], x[2000]}, 1, 3);
            Tensor e = u.op().apply(row.expand(4, 3));
            double[] er = new double[12];
            for (int i = 0; i < 4; i++) {
                er[3 * i] = expected[0];
                er[3 * i + 1] = expected[1000];
                er[3 * i + 2] = expected[2000];
            }
            assertClose(u + " expanded", er, e, rtol, atol);
            Tensor empty = u.op().apply(Torch.zeros(device, 0, 5));
            assertShape(new int[] {0, 5}, empty);
            // NaN propagates through every unary op
            Tensor nan = u.op().apply(OpsReference.tensor(device, new double[] {NAN}, 1));
            assertClose(u + "(NaN)", new double[] {NAN}, values(nan), 0, 0);
        }
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("unaryCases")
    void unarySixteenBitInputsKeepTheirDtype(Device device, Unary u) {
        double[] x = OpsReference.linspace(Math.max(u.lo(), -4), Math.min(u.hi(), 4), 97);
        try (TensorScope scope = TensorScope.open()) {
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] stored = OpsReference.roundedTo(type, x);
                double[] expected = new double[stored.length];
                for (int i = 0; i < stored.length; i++) {
                    expected[i] = OpsReference.roundTo(type, u.ref().applyAsDouble(stored[i]));
                }
                Tensor y = u.op().apply(Layout.TRANSPOSED.make(device, type, stored, 97));
                assertEquals(type, y.dtype(), u + " keeps " + type);
                // one rounding of a float32 result to 16 bits: at most half an ulp plus float32 noise
                // (a float32 result within tolerance may round to the neighbouring 16-bit value)
                double ulp = type == DType.FLOAT16 ? 0x1p-10 : 0x1p-7;
                assertClose(u + " " + type, expected, y, ulp, Math.max(u.atol(), type == DType.FLOAT16 ? 1e-7 : 1e-30));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void unarySpecialValuesFollowPyTorch(Device device) {
        double[] x = {NAN, INF, -INF, 0.0, -0.0};
        Object[][] rows = {
                {"neg", (UnaryOperator<Tensor>) Tensor::neg, new double[] {NAN, -INF, INF, -0.0, 0.0}},
                {"abs", (UnaryOperator<Tensor>) Tensor::abs, new double[] {NAN, INF, INF, 0.0, 0.0}},
                {"exp", (UnaryOperator<Tensor>) Tensor::exp, new double[] {NAN, INF, 0.0, 1.0, 1.0}},
                {"log", (UnaryOperator<Tensor>) Tensor::log, new double[] {NAN, INF, NAN, -INF, -INF}},
                {"sqrt", (UnaryOperator<Tensor>) Tensor::sqrt, new double[] {NAN, INF, NAN, 0.0, -0.0}},
                {"rsqrt", (UnaryOperator<Tensor>) Tensor::rsqrt, new double[] {NAN, 0.0, NAN, INF, -INF}},
                {"reciprocal", (UnaryOperator<Tensor>) Tensor::reciprocal, new double[] {NAN, 0.0, -0.0, INF, -INF}},
                {"erf", (UnaryOperator<Tensor>) Tensor::erf, new double[] {NAN, 1.0, -1.0, 0.0, -0.0}},
                {"tanh", (UnaryOperator<Tensor>) Tensor::tanh, new double[] {NAN, 1.0, -1.0, 0.0, -0.0}},
                {"sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid, new double[] {NAN, 1.0, 0.0, 0.5, 0.5}},
                {"clamp", (UnaryOperator<Tensor>) t -> t.clamp(-1, 1), new double[] {NAN, 1, -1, 0.0, -0.0}},
        };
        try (TensorScope scope = TensorScope.open()) {
            Tensor t = OpsReference.tensor(device, x, 5);
            for (Object[] row : rows) {
                @SuppressWarnings("unchecked")
                UnaryOperator<Tensor> op = (UnaryOperator<Tensor>) row[1];
                assertExact(row[0] + "(NaN, inf, -inf, 0, -0)", (double[]) row[2], values(op.apply(t)));
            }
            // relu, silu and gelu: NaN stays NaN, +inf stays inf, zeros stay zero
            for (UnaryOperator<Tensor> op : List.<UnaryOperator<Tensor>>of(Tensor::relu, Tensor::silu, Tensor::gelu)) {
                double[] v = values(op.apply(OpsReference.tensor(device, new double[] {NAN, INF, 0}, 3)));
                assertClose("relu/silu/gelu specials", new double[] {NAN, INF, 0}, v, 0, 0);
            }
            assertExact("relu(-inf)", new double[] {0}, values(OpsReference.tensor(device, new double[] {-INF}, 1).relu()));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void unaryOnIntegers(Device device) {
        long big = (1L << 53) + 1;
        try (TensorScope scope = TensorScope.open()) {
            Tensor l = Torch.tensor(device, new long[] {big, -big, -3, 0}, 4);
            Tensor neg = l.neg();
            assertEquals(DType.INT64, neg.dtype());
            assertArrayEquals(new long[] {-big, big, 3, 0}, neg.toLongArray());
            assertArrayEquals(new long[] {big, big, 3, 0}, l.abs().toLongArray());
            assertArrayEquals(new long[] {big, 0, 0, 0}, l.relu().toLongArray());
            assertArrayEquals(new long[] {10, -10, -3, 0}, l.clamp(-10, 10).toLongArray());
            Tensor i = Torch.tensor(device, new int[] {-2, 0, 1, 4}, 4);
            assertEquals(DType.INT32, i.neg().dtype());
            assertArrayEquals(new int[] {2, 0, -1, -4}, i.neg().toIntArray());
            // float-valued functions of integers give float32, as in PyTorch
            Tensor e = i.exp();
            assertEquals(DType.FLOAT32, e.dtype());
            assertClose("exp(int32)", new double[] {Math.exp(-2), 1, Math.E, Math.exp(4)}, e, 1e-6, 0);
            Tensor s = i.narrow(0, 1, 3).sqrt();
            assertEquals(DType.FLOAT32, s.dtype());
            assertClose("sqrt(int32)", new double[] {0, 1, 2}, s, 1e-6, 0);
            assertEquals(DType.FLOAT32, Torch.tensor(device, new boolean[] {true, false}, 2).sigmoid().dtype());
        }
    }

    // ---------------------------------------------------------------- binary

    record Binary(String name, DoubleBinaryOperator ref, java.util.function.BinaryOperator<Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Binary> BINARY = List.of(
            new Binary("add", Double::sum, Tensor::add),
            new Binary("sub", (a, b) -> a - b, Tensor::sub),
            new Binary("mul", (a, b) -> a * b, Tensor::mul),
            new Binary("div", (a, b) -> a / b, Tensor::div),
            new Binary("pow", Math::pow, Tensor::pow),
            new Binary("maximum", Math::max, Tensor::maximum),
            new Binary("minimum", Math::min, Tensor::minimum));

    static Stream<Arguments> binaryCases() {
        return TestDevices.all().flatMap(d -> BINARY.stream().map(b -> Arguments.of(d, b)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("binaryCases")
    void binaryFloat32WithLayoutsAndBroadcasting(Device device, Binary op) {
        int[] shape = {5, 7};
        double[] a = OpsReference.uniform(1, 35, 0.5, 4);
        double[] b = OpsReference.uniform(2, 35, -3, 3);
        double[] col = OpsReference.uniform(3, 5, 0.5, 2);
        double[] row = OpsReference.uniform(4, 7, -2, 2);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout la : Layout.values()) {
                for (Layout lb : Layout.values()) {
                    Tensor ta = la.make(device, a, shape);
                    Tensor tb = lb.make(device, b, shape);
                    Tensor y = op.op().apply(ta, tb);
                    assertShape(shape, y);
                    assertEquals(DType.FLOAT32, y.dtype());
                    assertClose(op + " " + la + " x " + lb, OpsReference.binary(a, shape, b, shape, op.ref()), y, 1e-5, 1e-30);
                }
            }
            // [5, 1] against [1, 7] and [7] -> [5, 7]
            Tensor tc = OpsReference.tensor(device, col, 5, 1);
            Tensor tr = OpsReference.tensor(device, row, 1, 7);
            assertClose(op + " [5,1] x [1,7]", OpsReference.binary(col, new int[] {5, 1}, row, new int[] {1, 7}, op.ref()),
                    op.op().apply(tc, tr), 1e-5, 1e-30);
            Tensor tr1 = Layout.TRANSPOSED.make(device, row, 7);
            assertClose(op + " [5,7] x [7] (strided)", OpsReference.binary(a, shape, row, new int[] {7}, op.ref()),
                    op.op().apply(Layout.NARROWED.make(device, a, shape), tr1), 1e-5, 1e-30);
            // an explicitly expanded operand (zero strides) and a leading broadcast dim
            Tensor expanded = tc.expand(5, 7);
            assertClose(op + " expanded", OpsReference.binary(col, new int[] {5, 1}, b, shape, op.ref()),
                    op.op().apply(expanded, OpsReference.tensor(device, b, shape)), 1e-5, 1e-30);
            Tensor y3 = op.op().apply(OpsReference.tensor(device, a, shape), Torch.ones(device, 3, 1, 1));
            assertShape(new int[] {3, 5, 7}, y3);
            // 0-size broadcast
            Tensor empty = op.op().apply(Torch.zeros(device, 0, 7), tr);
            assertShape(new int[] {0, 7}, empty);
            Tensor empty2 = op.op().apply(Torch.zeros(device, 5, 1), Torch.zeros(device, 5, 0));
            assertShape(new int[] {5, 0}, empty2);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void binarySpecialValues(Device device) {
        double[] a = {NAN, 1, INF, INF, -INF, 0.0, -0.0, 1, -1, 2};
        double[] b = {1, NAN, INF, -INF, 1, -0.0, 0.0, 0.0, 0.0, INF};
        try (TensorScope scope = TensorScope.open()) {
            Tensor ta = OpsReference.tensor(device, a, 10);
            Tensor tb = OpsReference.tensor(device, b, 10);
            for (Binary op : BINARY) {
                if (op.name().equals("pow")) {
                    continue;
                }
                double[] expected = OpsReference.binary(a, new int[] {10}, b, new int[] {10}, op.ref());
                if (op.name().equals("maximum") || op.name().equals("minimum")) {
                    // NaN wins; Math.max/min already propagate NaN
                    expected[5] = op.name().equals("maximum") ? 0.0 : -0.0;
                }
                double[] got = values(op.op().apply(ta, tb));
                if (op.name().equals("maximum") || op.name().equals("minimum")) {
                    // the sign of max(0, -0) is unspecified in PyTorch: compare as values
                    assertClose(op + " specials", expected, got, 0, 0);
                } else {
                    assertExact(op + " specials", expected, got);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void int64ArithmeticStaysExactBeyondTwoToThe53(Device device) {
        long big = (1L << 53) + 1;
        long[] a = {big, -big, 1L << 40, Long.MAX_VALUE - 5, -7};
        long[] b = {3, 2, (1L << 20) + 3, 5, 2};
        try (TensorScope scope = TensorScope.open()) {
            Tensor ta = Torch.tensor(device, a, 5);
            Tensor tb = Torch.tensor(device, b, 5);
            Tensor sum = ta.add(tb);
            assertEquals(DType.INT64, sum.dtype());
            assertArrayEquals(new long[] {big + 3, -big + 2, (1L << 40) + (1L << 20) + 3, Long.MAX_VALUE, -5},
                    sum.toLongArray());
            assertArrayEquals(new long[] {big - 3, -big - 2, (1L << 40) - (1L << 20) - 3, Long.MAX_VALUE - 10, -9},
                    ta.sub(tb).toLongArray());
            Tensor prod = ta.narrow(0, 0, 3).mul(tb.narrow(0, 0, 3));
            assertEquals(DType.INT64, prod.dtype());
            assertArrayEquals(new long[] {big * 3, -big * 2, (1L << 40) * ((1L << 20) + 3)}, prod.toLongArray());
            assertArrayEquals(new long[] {big + 1, -big + 1, (1L << 40) + 1, Long.MAX_VALUE - 4, -6},
                    ta.add(1.0).toLongArray(), "an integral scalar keeps int64");
            Tensor scalarProd = ta.narrow(0, 0, 1).mul(3);
            assertEquals(DType.INT64, scalarProd.dtype());
            assertArrayEquals(new long[] {3 * big}, scalarProd.toLongArray());
            // broadcast of a strided int64 column against a row
            Tensor colView = Torch.tensor(device, new long[] {big, 0, -big, 0}, 2, 2).select(1, 0).unsqueeze(1);
            Tensor rowT = Torch.tensor(device, new long[] {1, 2, 3}, 1, 3);
            assertArrayEquals(new long[] {big + 1, big + 2, big + 3, -big + 1, -big + 2, -big + 3},
                    colView.add(rowT).toLongArray());
            assertArrayEquals(new long[] {big, -big, 1L << 40, Long.MAX_VALUE - 5, -7},
                    ta.maximum(Torch.tensor(device, new long[] {0, -big - 1, 0, -5, -100}, 5)).toLongArray());
            assertArrayEquals(new long[] {0, -big - 1, 0, -5, -100},
                    ta.minimum(Torch.tensor(device, new long[] {0, -big - 1, 0, -5, -100}, 5)).toLongArray());
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void integerDivisionRoundingModes(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            for (DType type : new DType[] {DType.INT64, DType.INT32}) {
                Tensor a = OpsReference.tensor(device, type, new double[] {-7, 7, -7, 7, 6, -6, 0}, 7);
                Tensor b = OpsReference.tensor(device, type, new double[] {2, -2, -2, 2, 3, 4, -3}, 7);
                Tensor trueDiv = a.div(b);
                assertEquals(DType.FLOAT32, trueDiv.dtype(), "int / int is float32");
                assertExact(type + " div", new double[] {-3.5, -3.5, 3.5, 3.5, 2, -1.5, -0.0}, values(trueDiv));
                Tensor floor = Torch.div(a, b, "floor");
                assertEquals(type, floor.dtype(), "floor division keeps " + type);
                assertExact(type + " floor", new double[] {-4, -4, 3, 3, 2, -2, 0}, values(floor));
                Tensor trunc = a.div(b, "trunc");
                assertEquals(type, trunc.dtype());
                assertExact(type + " trunc", new double[] {-3, -3, 3, 3, 2, -1, 0}, values(trunc));
                Tensor scalarDiv = a.div(2);
                assertEquals(DType.FLOAT32, scalarDiv.dtype());
                assertExact(type + " div scalar", new double[] {-3.5, 3.5, -3.5, 3.5, 3, -3, 0}, values(scalarDiv));
            }
            long big = (1L << 60) + 7;
            Tensor l = Torch.tensor(device, new long[] {big, -big}, 2);
            Tensor two = Torch.tensor(device, new long[] {2, 2}, 2);
            assertArrayEquals(new long[] {big / 2, -(big / 2) - 1}, Torch.div(l, two, "floor").toLongArray());
            assertArrayEquals(new long[] {big / 2, -(big / 2)}, Torch.div(l, two, "trunc").toLongArray());
            // floats
            Tensor f = OpsReference.tensor(device, new double[] {-7.5, 7.5, -0.5}, 3);
            Tensor g = OpsReference.tensor(device, new double[] {2, -2, 4}, 3);
            assertExact("float floor", new double[] {-4, -4, -1}, values(Torch.div(f, g, "floor")));
            assertExact("float trunc", new double[] {-3, -3, -0.0}, values(Torch.div(f, g, "trunc")));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void dtypePromotionFollowsPyTorch(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor i32 = Torch.tensor(device, new int[] {1, 2, -3}, 3);
            Tensor i64 = Torch.tensor(device, new long[] {10, 20, 30}, 3);
            Tensor f32 = OpsReference.tensor(device, new double[] {0.5, 0.25, 2}, 3);
            Tensor f16 = OpsReference.tensor(device, DType.FLOAT16, new double[] {0.5, 1.5, -2}, 3);
            Tensor bf16 = OpsReference.tensor(device, DType.BFLOAT16, new double[] {1, 2, 4}, 3);
            Tensor bool = Torch.tensor(device, new boolean[] {true, false, true}, 3);

            check(i32.add(f16), DType.FLOAT16, 1.5, 3.5, -5);
            check(f16.add(bf16), DType.FLOAT32, 1.5, 3.5, 2);
            check(i32.add(i64), DType.INT64, 11, 22, 27);
            check(i32.add(i32), DType.INT32, 2, 4, -6);
            check(i64.mul(f32), DType.FLOAT32, 5, 5, 60);
            check(bool.add(i32), DType.INT32, 2, 2, -2);
            check(bool.add(bool), DType.BOOL, 1, 0, 1);
            check(bool.mul(f16), DType.FLOAT16, 0.5, 0, -2);
            check(f16.mul(bf16.to(DType.FLOAT16)), DType.FLOAT16, 0.5, 3, -8);
            check(i32.add(1.5), DType.FLOAT32, 2.5, 3.5, -1.5);
            check(i32.add(2), DType.INT32, 3, 4, -1);
            check(f16.mul(3), DType.FLOAT16, 1.5, 4.5, -6);
            check(bf16.sub(0.5), DType.BFLOAT16, 0.5, 1.5, 3.5);
            check(bool.add(2), DType.INT64, 3, 2, 3);
            check(i32.div(i32), DType.FLOAT32, 1, 1, 1);
            check(i64.pow(2), DType.INT64, 100, 400, 900);
            check(f16.maximum(i32), DType.FLOAT16, 1, 2, -2);
        }
    }

    private static void check(Tensor t, DType type, double... expected) {
        assertEquals(type, t.dtype(), "dtype of " + t);
        assertExact(t.toString(), expected, values(t));
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void comparisonsGiveBoolIncludingNaN(Device device) {
        double[] a = {1, 2, NAN, INF, -0.0, 3};
        double[] b = {2, 2, NAN, INF, 0.0, NAN};
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor ta = layout.make(device, a, 2, 3);
                Tensor tb = OpsReference.tensor(device, b, 2, 3);
                check(ta.eq(tb), DType.BOOL, 0, 1, 0, 1, 1, 0);
                check(ta.ne(tb), DType.BOOL, 1, 0, 1, 0, 0, 1);
                check(ta.lt(tb), DType.BOOL, 1, 0, 0, 0, 0, 0);
                check(ta.le(tb), DType.BOOL, 1, 1, 0, 1, 1, 0);
                check(ta.gt(tb), DType.BOOL, 0, 0, 0, 0, 0, 0);
                check(ta.ge(tb), DType.BOOL, 0, 1, 0, 1, 1, 0);
                check(ta.gt(1.5), DType.BOOL, 0, 1, 0, 1, 0, 1);
                check(ta.eq(2), DType.BOOL, 0, 1, 0, 0, 0, 0);
            }
            long big = (1L << 53) + 1;
            Tensor l = Torch.tensor(device, new long[] {big, big - 1}, 2);
            Tensor m = Torch.tensor(device, new long[] {big - 1, big - 1}, 2);
            check(l.gt(m), DType.BOOL, 1, 0);
            check(l.eq(m), DType.BOOL, 0, 1);
            Tensor col = OpsReference.tensor(device, new double[] {1, 2, 3}, 3, 1);
            Tensor row = Torch.tensor(device, new int[] {2, 3}, 1, 2);
            check(col.lt(row), DType.BOOL, 1, 1, 0, 1, 0, 0);
            check(Torch.tensor(device, new boolean[] {true, false}, 2).eq(Torch.tensor(device, new boolean[] {true, true}, 2)),
                    DType.BOOL, 1, 0);
            assertShape(new int[] {0, 2}, Torch.zeros(device, 0, 1).lt(row));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void logicalOps(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Torch.tensor(device, new boolean[] {true, true, false, false}, 2, 2);
            Tensor b = Torch.tensor(device, new boolean[] {true, false, true, false}, 2, 2);
            check(a.logicalAnd(b), DType.BOOL, 1, 0, 0, 0);
            check(a.logicalOr(b), DType.BOOL, 1, 1, 1, 0);
            check(a.logicalNot(), DType.BOOL, 0, 0, 1, 1);
            check(a.transpose(0, 1).logicalAnd(b), DType.BOOL, 1, 0, 1, 0);
            check(a.transpose(0, 1).logicalNot(), DType.BOOL, 0, 1, 0, 1);
            Tensor row = Torch.tensor(device, new boolean[] {false, true}, 2);
            check(a.logicalOr(row), DType.BOOL, 1, 1, 0, 1);
            // non-bool operands: nonzero is true (NaN too)
            Tensor f = OpsReference.tensor(device, new double[] {0, 1, NAN, -0.0}, 2, 2);
            check(f.logicalAnd(Torch.ones(device, 2, 2)), DType.BOOL, 0, 1, 1, 0);
            check(f.logicalNot(), DType.BOOL, 1, 0, 0, 1);
            Tensor l = Torch.tensor(device, new long[] {0, 5, 0, -1}, 2, 2);
            check(l.logicalOr(b), DType.BOOL, 1, 1, 1, 1);
            check(l.logicalNot(), DType.BOOL, 1, 0, 1, 0);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void whereAndMaskedFill(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            double[] a = OpsReference.randn(5, 12);
            double[] b = OpsReference.randn(6, 12);
            boolean[] mask = {true, false, false, true, true, false, true, false, true, true, false, false};
            double[] expected = new double[12];
            double[] maskD = new double[12];
            for (int i = 0; i < 12; i++) {
                expected[i] = mask[i] ? a[i] : b[i];
                maskD[i] = mask[i] ? 1 : 0;
            }
            for (Layout layout : Layout.values()) {
                Tensor cond = layout.make(device, DType.BOOL, maskD, 3, 4);
                Tensor w = Torch.where(cond, layout.make(device, a, 3, 4), OpsReference.tensor(device, b, 3, 4));
                assertEquals(DType.FLOAT32, w.dtype());
                assertExact("where " + layout, expected, values(w));
            }
            // broadcasting condition [1, 4], a [3, 1], b scalar-like [1]
            Tensor cond = Torch.tensor(device, new boolean[] {true, false, true, false}, 1, 4);
            Tensor ca = OpsReference.tensor(device, new double[] {1, 2, 3}, 3, 1);
            Tensor cb = Torch.tensor(device, new long[] {-1}, 1);
            check(Torch.where(cond, ca, cb), DType.FLOAT32, 1, -1, 1, -1, 2, -1, 2, -1, 3, -1, 3, -1);
            check(Torch.where(cond, Torch.tensor(device, new long[] {7}, 1), Torch.tensor(device, new int[] {0}, 1)),
                    DType.INT64, 7, 0, 7, 0);
            long big = (1L << 53) + 1;
            Tensor bigWhere = Torch.where(cond, Torch.tensor(device, new long[] {big}, 1),
                    Torch.tensor(device, new long[] {-big}, 1));
            assertEquals(DType.INT64, bigWhere.dtype());
            assertArrayEquals(new long[] {big, -big, big, -big}, bigWhere.toLongArray());
            assertShape(new int[] {0, 4}, Torch.where(cond, Torch.zeros(device, 0, 1), Torch.ones(device, 1)));

            // maskedFill: broadcast mask, -inf, keeps dtype
            Tensor x = Layout.TRANSPOSED.make(device, a, 3, 4);
            Tensor filled = x.maskedFill(cond, Double.NEGATIVE_INFINITY);
            double[] ef = a.clone();
            for (int r = 0; r < 3; r++) {
                ef[r * 4] = -INF;
                ef[r * 4 + 2] = -INF;
            }
            assertExact("maskedFill", ef, values(filled));
            Tensor li = Torch.tensor(device, new long[] {big, 2, 3, 4}, 1, 4);
            Tensor lf = li.maskedFill(Torch.tensor(device, new boolean[] {false, true, false, true}, 4), -5);
            assertEquals(DType.INT64, lf.dtype());
            assertArrayEquals(new long[] {big, -5, 3, -5}, lf.toLongArray());
            Tensor hf = OpsReference.tensor(device, DType.FLOAT16, new double[] {1, 2}, 2).maskedFill(
                    Torch.tensor(device, new boolean[] {true, false}, 2), 0.5);
            check(hf, DType.FLOAT16, 0.5, 2);
        }
    }
}
