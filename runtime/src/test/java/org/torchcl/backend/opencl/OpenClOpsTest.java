package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.torchcl.ops.OpsReference.erf;
import static org.torchcl.ops.OpsReference.toDoubles;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestBackends;
import org.torchcl.TestDevices;
import org.torchcl.backend.Backend;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;
import org.torchcl.ops.OpsReference;

/**
 * The OpenCL elementwise, reduction, softmax and layer-norm kernels, driven through the backend SPI
 * directly and checked against float64 references computed here: PyTorch's semantics for NaN, the
 * infinities and signed zeros, int64 arithmetic, bool results, strided, transposed and broadcast
 * (zero-stride) operands.
 */
class OpenClOpsTest {

    /** Values that exercise the IEEE corners of every op. */
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.0f, -0.0f,
        Float.MIN_VALUE, -1e-30f, 1e30f, -1e30f, 1.0f, -1.0f, 0.5f, -2.5f};

    /** Float results near the bottom of the range have few bits: allow a few subnormal ulp. */
    private static final double SUBNORMAL_SLACK = 1e-44;

    private final List<Runnable> cleanup = new ArrayList<>();

    @AfterEach
    void freeBuffers() {
        cleanup.forEach(Runnable::run);
        cleanup.clear();
    }

    private void forEachBackend(Consumer<Backend> test) {
        List<Device> devices = TestDevices.openCl();
        assumeFalse(devices.isEmpty(), TestDevices::whyNoOpenCl);
        for (Device device : devices) {
            Backend backend = TestBackends.of(device);
            try {
                test.accept(backend);
            } catch (AssertionError e) {
                throw new AssertionError(device + ": " + e.getMessage(), e);
            }
        }
    }

    // ---------------------------------------------------------------- unary

    @Test
    void floatUnaryOpsMatchFloat64OnAGridAndTheSpecialValues() {
        float[] grid = new float[4001];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = -10f + i * 0.005f;
        }
        float[] values = concat(grid, SPECIALS);
        forEachBackend(backend -> {
            Strided src = floats(backend, values);
            for (UnaryOp op : UnaryOp.values()) {
                DType dstType = op == UnaryOp.LOGICAL_NOT ? DType.BOOL : DType.FLOAT32;
                Strided dst = empty(backend, dstType, values.length);
                backend.unary(op, src, dst, -1.5, 2.5);
                double[] got = readAsDoubles(backend, dst);
                // erf, tanh and the GELUs: 2e-6 absolute (they stay within [-10, 10]); the rest a few ulp.
                boolean absolute = op == UnaryOp.ERF || op == UnaryOp.TANH || op == UnaryOp.GELU
                        || op == UnaryOp.GELU_TANH;
                for (int i = 0; i < values.length; i++) {
                    double expected = (float) OpsReference.unary(op, values[i], -1.5, 2.5);
                    assertClose(expected, got[i], absolute ? 2e-6 : SUBNORMAL_SLACK, absolute ? 0 : 1e-6,
                            op + "(" + values[i] + ")");
                }
            }
        });
    }

    @Test
    void clampWithInfiniteBoundsIsTheIdentityAndReluKeepsNegativeZero() {
        forEachBackend(backend -> {
            Strided src = floats(backend, SPECIALS);
            Strided dst = empty(backend, DType.FLOAT32, SPECIALS.length);
            backend.unary(UnaryOp.CLAMP, src, dst, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            assertArrayEquals(SPECIALS, readFloats(backend, dst));
            backend.unary(UnaryOp.CLAMP, src, dst, Double.NEGATIVE_INFINITY, 0.25);
            float[] got = readFloats(backend, dst);
            for (int i = 0; i < SPECIALS.length; i++) {
                assertClose(Float.isNaN(SPECIALS[i]) ? Double.NaN : Math.min(SPECIALS[i], 0.25), got[i], 0, 0, "clamp");
            }
            // As torch.relu: x < 0 is false for -0 and NaN, which pass through unchanged.
            backend.unary(UnaryOp.RELU, floats(backend, -0.0f, Float.NaN, -3f), dst, 0, 0);
            float[] relu = Arrays.copyOf(readFloats(backend, dst), 3);
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(relu[0]));
            assertTrue(Float.isNaN(relu[1]));
            assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(relu[2]));
        });
    }

    @Test
    void unaryReadsTransposedAndBroadcastSources() {
        forEachBackend(backend -> {
            float[] storage = randomFloats(15, 1);
            // [3, 5] viewed over a [5, 3] buffer, and a [4, 6] broadcast of a 6-vector along dim 0.
            Strided transposed = new Strided(floats(backend, storage).buffer(), DType.FLOAT32, new int[] {3, 5},
                    new long[] {1, 3}, 0);
            Strided broadcast = new Strided(transposed.buffer(), DType.FLOAT32, new int[] {4, 6}, new long[] {0, 1}, 2);
            for (Strided src : List.of(transposed, broadcast)) {
                Strided dst = empty(backend, DType.FLOAT32, src.shape());
                backend.unary(UnaryOp.EXP, src, dst, 0, 0);
                double[] expected = Arrays.stream(values(storage, src)).map(Math::exp).toArray();
                assertAllClose(expected, readAsDoubles(backend, dst), 0, 1e-6, "exp of " + src);
            }
            // A transposed destination too: [5, 3] written through strides [1, 5].
            Strided src = contiguous(floats(backend, storage), 5, 3);
            Strided dst = new Strided(empty(backend, DType.FLOAT32, 15).buffer(), DType.FLOAT32, new int[] {5, 3},
                    new long[] {1, 5}, 0);
            backend.unary(UnaryOp.NEG, src, dst, 0, 0);
            float[] got = readFloats(backend, dst);
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(-storage[r * 3 + c], got[c * 5 + r]);
                }
            }
        });
    }

    @Test
    void integerUnaryOpsStayInInt64() {
        long[] values = {0, 1, -1, 7, -8, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, -(1L << 60) - 3};
        forEachBackend(backend -> {
            Strided src = longs(backend, values);
            Strided dst = empty(backend, DType.INT64, values.length);
            backend.unary(UnaryOp.NEG, src, dst, 0, 0);
            assertArrayEquals(Arrays.stream(values).map(v -> -v).toArray(), readLongs(backend, dst));
            backend.unary(UnaryOp.ABS, src, dst, 0, 0);
            assertArrayEquals(Arrays.stream(values).map(v -> v < 0 ? -v : v).toArray(), readLongs(backend, dst));
            backend.unary(UnaryOp.RELU, src, dst, 0, 0);
            assertArrayEquals(Arrays.stream(values).map(v -> Math.max(v, 0)).toArray(), readLongs(backend, dst));
            backend.unary(UnaryOp.CLAMP, src, dst, -3.5, 7.2);
            assertArrayEquals(Arrays.stream(values).map(v -> Math.min(Math.max(v, -3), 7)).toArray(),
                    readLongs(backend, dst));
            backend.unary(UnaryOp.CLAMP, src, dst, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            assertArrayEquals(values, readLongs(backend, dst));

            Strided bools = empty(backend, DType.BOOL, values.length);
            backend.unary(UnaryOp.LOGICAL_NOT, src, bools, 0, 0);
            assertArrayEquals(new boolean[] {true, false, false, false, false, false, false, false, false},
                    readBools(backend, bools));

            Strided ints = ints(backend, 3, -4, Integer.MIN_VALUE);
            Strided intsOut = empty(backend, DType.INT32, 3);
            backend.unary(UnaryOp.ABS, ints, intsOut, 0, 0);
            assertArrayEquals(new int[] {3, 4, Integer.MIN_VALUE}, readInts(backend, intsOut));
            // A FLOAT-kind op of integers computes in float.
            Strided exp = empty(backend, DType.FLOAT32, 3);
            backend.unary(UnaryOp.EXP, ints, exp, 0, 0);
            float[] got = readFloats(backend, exp);
            assertClose(Math.exp(3), got[0], 0, 1e-6, "exp(3)");
            assertEquals(0.0f, got[2]);
        });
    }

    // ---------------------------------------------------------------- binary

    @Test
    void floatBinaryOpsMatchFloat64WithTransposedAndBroadcastOperands() {
        int rows = 7;
        int cols = 13;
        float[] aStorage = randomFloats(rows * cols, 2);
        float[] bStorage = randomFloats(cols, 3);
        // Operands that make DIV_TRUNC/DIV_FLOOR and POW exact in float: quarters over powers of two.
        for (int i = 0; i < aStorage.length; i++) {
            aStorage[i] = Math.round(aStorage[i] * 40) / 4.0f;
        }
        for (int i = 0; i < bStorage.length; i++) {
            bStorage[i] = (i % 2 == 0 ? 1 : -1) * (float) Math.pow(2, i % 3 - 1);
        }
        forEachBackend(backend -> {
            // a: [rows, cols] stored as [cols, rows]; b: one row broadcast over the rows.
            Strided a = new Strided(floats(backend, aStorage).buffer(), DType.FLOAT32, new int[] {rows, cols},
                    new long[] {1, rows}, 0);
            Strided b = new Strided(floats(backend, bStorage).buffer(), DType.FLOAT32, new int[] {rows, cols},
                    new long[] {0, 1}, 0);
            double[] x = values(aStorage, a);
            double[] y = values(bStorage, b);
            for (BinaryOp op : BinaryOp.values()) {
                boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
                Strided out = empty(backend, bool ? DType.BOOL : DType.FLOAT32, rows, cols);
                backend.binary(op, a, b, out);
                double[] got = readAsDoubles(backend, out);
                for (int i = 0; i < x.length; i++) {
                    assertClose(OpsReference.binary(op, x[i], y[i]), got[i], SUBNORMAL_SLACK, 2e-6, op + "(" + x[i] + ", " + y[i] + ")");
                }
            }
        });
    }

    @Test
    void floatBinaryOpsFollowPyTorchOnSpecialValues() {
        int n = SPECIALS.length;
        float[] left = new float[n * n];
        float[] right = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                left[i * n + j] = SPECIALS[i];
                right[i * n + j] = SPECIALS[j];
            }
        }
        forEachBackend(backend -> {
            Strided a = floats(backend, left);
            Strided b = floats(backend, right);
            for (BinaryOp op : BinaryOp.values()) {
                boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
                Strided out = empty(backend, bool ? DType.BOOL : DType.FLOAT32, left.length);
                backend.binary(op, a, b, out);
                double[] got = readAsDoubles(backend, out);
                for (int i = 0; i < left.length; i++) {
                    assertClose(OpsReference.binary(op, left[i], right[i]), got[i], SUBNORMAL_SLACK, 2e-6, op + "(" + left[i] + ", " + right[i] + ")");
                }
            }
            // maximum/minimum propagate NaN from either side; signed zeros compare equal.
            Strided out = empty(backend, DType.FLOAT32, 2);
            backend.binary(BinaryOp.MAXIMUM, floats(backend, Float.NaN, 1f), floats(backend, 1f, Float.NaN), out);
            float[] maxima = readFloats(backend, out);
            assertTrue(Float.isNaN(maxima[0]) && Float.isNaN(maxima[1]), Arrays.toString(maxima));
        });
    }

    @Test
    void integerBinaryOpsUseInt64ArithmeticWithoutTrapping() {
        long big = (1L << 62) + 1;
        long[] left = {7, -7, 7, -7, 5, 0, Long.MIN_VALUE, Long.MAX_VALUE, big, 3, 2, -2, 1, -1, 9};
        long[] right = {2, 2, -2, -2, 0, 0, -1, 1, big, 40, 62, 3, -5, -3, -1};
        forEachBackend(backend -> {
            Strided a = longs(backend, left);
            Strided b = longs(backend, right);
            for (BinaryOp op : BinaryOp.values()) {
                if (op == BinaryOp.DIV) {
                    continue;
                }
                boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
                Strided out = empty(backend, bool ? DType.BOOL : DType.INT64, left.length);
                backend.binary(op, a, b, out);
                long[] got = bool ? toLongs(readBools(backend, out)) : readLongs(backend, out);
                for (int i = 0; i < left.length; i++) {
                    assertEquals(integerReference(op).applyAsLong(left[i], right[i]), got[i],
                            op + "(" + left[i] + ", " + right[i] + ")");
                }
            }
            // True division of integers gives floats; int64 mixed with float32 computes in float.
            Strided quotient = empty(backend, DType.FLOAT32, left.length);
            backend.binary(BinaryOp.DIV, longs(backend, 7, -7, 1, 0), longs(backend, 2, 2, 0, 0), quotient);
            float[] q = readFloats(backend, quotient);
            assertArrayEquals(new float[] {3.5f, -3.5f, Float.POSITIVE_INFINITY}, Arrays.copyOf(q, 3));
            assertTrue(Float.isNaN(q[3]));
            Strided sum = empty(backend, DType.FLOAT32, 2);
            backend.binary(BinaryOp.ADD, longs(backend, 3, -4), floats(backend, 0.5f, 0.25f), sum);
            assertArrayEquals(new float[] {3.5f, -3.75f}, readFloats(backend, sum));
            // int32 wraps as int32; bool operands work as 0/1.
            Strided ints = empty(backend, DType.INT32, 2);
            backend.binary(BinaryOp.ADD, ints(backend, Integer.MAX_VALUE, 5), ints(backend, 1, -7), ints);
            assertArrayEquals(new int[] {Integer.MIN_VALUE, -2}, readInts(backend, ints));
            Strided anded = empty(backend, DType.BOOL, 4);
            backend.binary(BinaryOp.LOGICAL_AND, bools(backend, true, true, false, false),
                    bools(backend, true, false, true, false), anded);
            assertArrayEquals(new boolean[] {true, false, false, false}, readBools(backend, anded));
        });
    }

    @Test
    void whereSelectsPerElementWithBroadcastConditionAndMixedTypes() {
        forEachBackend(backend -> {
            // cond [3, 4] broadcast from a column [3, 1]; a float32 [3, 4]; b int64 broadcast scalar.
            Strided cond = new Strided(bools(backend, true, false, true).buffer(), DType.BOOL, new int[] {3, 4},
                    new long[] {1, 0}, 0);
            float[] aValues = randomFloats(12, 4);
            Strided a = floats(backend, aValues);
            Strided aMatrix = contiguous(a, 3, 4);
            Strided b = new Strided(longs(backend, -9).buffer(), DType.INT64, new int[] {3, 4}, new long[] {0, 0}, 0);
            Strided out = empty(backend, DType.FLOAT32, 3, 4);
            backend.where(cond, aMatrix, b, out);
            float[] got = readFloats(backend, out);
            for (int i = 0; i < 12; i++) {
                assertEquals(i / 4 == 1 ? -9f : aValues[i], got[i], "element " + i);
            }
            // int64 through int64: no float rounding of large values.
            long big = (1L << 60) + 7;
            Strided longsOut = empty(backend, DType.INT64, 3);
            backend.where(bools(backend, true, false, true), longs(backend, big, 1, -big), longs(backend, 0, big + 2, 0),
                    longsOut);
            assertArrayEquals(new long[] {big, big + 2, -big}, readLongs(backend, longsOut));
        });
    }

    @Test
    void emptyOperandsAreANoOpAndTooManyDimsAreRejected() {
        forEachBackend(backend -> {
            Strided empty = empty(backend, DType.FLOAT32, 0, 5);
            backend.unary(UnaryOp.EXP, empty, empty, 0, 0);
            backend.binary(BinaryOp.ADD, empty, empty, empty);
            backend.reduce(ReduceOp.SUM, empty, empty(backend, DType.FLOAT32, 0), 1, 0);
            backend.softmax(empty.buffer(), empty.buffer(), 0, 5, false);

            // Nine dims of 2 whose strides run backwards: nothing merges.
            int[] shape = new int[9];
            Arrays.fill(shape, 2);
            long[] reversed = new long[9];
            for (int d = 0; d < 9; d++) {
                reversed[d] = 1L << d;
            }
            Strided src = new Strided(empty(backend, DType.FLOAT32, 512).buffer(), DType.FLOAT32, shape, reversed, 0);
            Strided dst = empty(backend, DType.FLOAT32, shape);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.unary(UnaryOp.NEG, src, dst, 0, 0));
            assertTrue(e.getMessage().contains("rank 9"), e.getMessage());
            // The same layouts in row-major order merge to one dim and run.
            backend.unary(UnaryOp.NEG, dst, empty(backend, DType.FLOAT32, shape), 0, 0);
        });
    }

    // ---------------------------------------------------------------- reductions

    @Test
    void floatSumOfTenMillionTenthsIsAccurate() {
        int n = 10_000_000;
        float[] tenths = new float[n];
        Arrays.fill(tenths, 0.1f);
        double expected = n * (double) 0.1f;
        forEachBackend(backend -> {
            Strided src = floats(backend, tenths);
            for (ReduceOp op : List.of(ReduceOp.SUM, ReduceOp.MEAN)) {
                Strided dst = empty(backend, DType.FLOAT32, 1);
                backend.reduce(op, src, dst, 1, 0);
                double want = op == ReduceOp.SUM ? expected : expected / n;
                assertClose(want, readFloats(backend, dst)[0], 0, 1e-6, op + " of 10^7 x 0.1f");
            }
            // Two rows, each of 5 * 10^6, through the transposed view [2, 5e6] of a [5e6, 2] buffer.
            Strided columns = new Strided(src.buffer(), DType.FLOAT32, new int[] {2, n / 2}, new long[] {1, 2}, 0);
            Strided dst = empty(backend, DType.FLOAT32, 2);
            backend.reduce(ReduceOp.SUM, columns, dst, 1, 0);
            for (float v : readFloats(backend, dst)) {
                assertClose(expected / 2, v, 0, 1e-6, "column sum");
            }
        });
    }

    @Test
    void everyReductionMatchesFloat64OverStridedSources() {
        // Row lengths that take each path: one work-item per row (short), one work-group per row,
        // and a few long rows split into chunks.
        int[][] shapes = {{3, 4, 5, 7}, {6, 700}, {2, 300_001}, {1, 1}};
        forEachBackend(backend -> {
            for (int[] shape : shapes) {
                int lead = shape.length == 4 ? 2 : 1;
                float[] storage = randomFloats(Math.toIntExact(numel(shape)), 5);
                // The source is the transpose of its storage: every dim reversed.
                Strided src = reversedView(floats(backend, storage).buffer(), shape);
                double[] all = values(storage, src);
                int rows = (int) numel(Arrays.copyOfRange(shape, 0, lead));
                int n = all.length / rows;
                for (ReduceOp op : ReduceOp.values()) {
                    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                    for (double correction : op == ReduceOp.VAR ? new double[] {0, 1} : new double[] {0}) {
                        Strided dst = empty(backend, arg ? DType.INT64 : DType.FLOAT32, rows);
                        backend.reduce(op, src, dst, shape.length - lead, correction);
                        double[] got = readAsDoubles(backend, dst);
                        for (int r = 0; r < rows; r++) {
                            double[] row = Arrays.copyOfRange(all, r * n, (r + 1) * n);
                            double expected = OpsReference.reduce(op, row, correction);
                            // Products of many factors in [-1, 1) underflow toward 0 in float.
                            double absolute = op == ReduceOp.PROD ? 1e-30 : 0;
                            assertClose(expected, got[r], absolute, op == ReduceOp.VAR || op == ReduceOp.PROD ? 1e-5 : 2e-6,
                                    op + " (correction " + correction + ") of row " + r + " of " + Arrays.toString(shape));
                        }
                    }
                }
            }
        });
    }

    @Test
    void reductionOverALeadingDimReadsColumns() {
        int rows = 5000;
        int n = 300;
        float[] storage = randomFloats(rows * n, 6);
        forEachBackend(backend -> {
            // sum over dim 0 of [n, rows]: leading dim of stride 1, reduced dim of stride rows.
            Strided src = new Strided(floats(backend, storage).buffer(), DType.FLOAT32, new int[] {rows, n},
                    new long[] {1, rows}, 0);
            double[] all = values(storage, src);
            for (ReduceOp op : List.of(ReduceOp.SUM, ReduceOp.ARGMIN)) {
                Strided dst = empty(backend, op == ReduceOp.SUM ? DType.FLOAT32 : DType.INT64, rows);
                backend.reduce(op, src, dst, 1, 0);
                double[] got = readAsDoubles(backend, dst);
                for (int r = 0; r < rows; r++) {
                    double expected = OpsReference.reduce(op, Arrays.copyOfRange(all, r * n, (r + 1) * n), 0);
                    assertClose(expected, got[r], 0, 2e-6, op + " of column " + r);
                }
            }
        });
    }

    @Test
    void argmaxAndArgminTakeTheFirstExtremeAndNaNWins() {
        float nan = Float.NaN;
        float[][] rows = {
            {1, 3, 3, 2}, {1, nan, 5, nan}, {4, 4, 4, 4}, {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -5, -5},
            {2, -1, 7, -1}, {-0.0f, 0.0f, 0.0f, -0.0f}};
        int[] argmax = {1, 1, 0, 2, 2, 0};
        int[] argmin = {0, 1, 0, 0, 1, 0};
        forEachBackend(backend -> {
            Strided src = contiguous(floats(backend, concat(rows)), rows.length, 4);
            Strided dst = empty(backend, DType.INT64, rows.length);
            backend.reduce(ReduceOp.ARGMAX, src, dst, 1, 0);
            assertArrayEquals(Arrays.stream(argmax).asLongStream().toArray(), readLongs(backend, dst));
            backend.reduce(ReduceOp.ARGMIN, src, dst, 1, 0);
            assertArrayEquals(Arrays.stream(argmin).asLongStream().toArray(), readLongs(backend, dst));
            Strided extremes = empty(backend, DType.FLOAT32, rows.length);
            backend.reduce(ReduceOp.AMAX, src, extremes, 1, 0);
            float[] maxima = readFloats(backend, extremes);
            assertTrue(Float.isNaN(maxima[1]), "amax with NaN: " + maxima[1]);
            assertEquals(3f, maxima[0]);

            // A long row (chunked) with the maximum twice and a NaN-free tail, and one with two NaNs.
            int n = 1 << 21;
            float[] longRow = randomFloats(n, 7);
            longRow[123_457] = 10f;
            longRow[1_900_000] = 10f;
            Strided row = floats(backend, longRow);
            Strided position = empty(backend, DType.INT64, 1);
            backend.reduce(ReduceOp.ARGMAX, row, position, 1, 0);
            assertEquals(123_457L, readLongs(backend, position)[0]);
            longRow[1_500_000] = nan;
            longRow[1_700_000] = nan;
            backend.reduce(ReduceOp.ARGMIN, floats(backend, longRow), position, 1, 0);
            assertEquals(1_500_000L, readLongs(backend, position)[0]);

            // Integer sources compare as int64.
            long big = 1L << 60;
            backend.reduce(ReduceOp.ARGMAX, longs(backend, big, big + 1, big + 1, 3), position, 1, 0);
            assertEquals(1L, readLongs(backend, position)[0]);
        });
    }

    @Test
    void integerReductionsAccumulateInInt64() {
        forEachBackend(backend -> {
            long big = 1L << 40;
            Strided src = contiguous(longs(backend, big, big, big, -1, 2, 3, 4, 5), 2, 4);
            Strided dst = empty(backend, DType.INT64, 2);
            backend.reduce(ReduceOp.SUM, src, dst, 1, 0);
            assertArrayEquals(new long[] {3 * big - 1, 14}, readLongs(backend, dst));
            backend.reduce(ReduceOp.PROD, src, dst, 1, 0);
            assertArrayEquals(new long[] {-(big * big * big), 120}, readLongs(backend, dst));
            backend.reduce(ReduceOp.AMIN, src, dst, 1, 0);
            assertArrayEquals(new long[] {-1, 2}, readLongs(backend, dst));

            Strided ints = contiguous(ints(backend, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 2), 2, 2);
            backend.reduce(ReduceOp.SUM, ints, dst, 1, 0);
            assertArrayEquals(new long[] {2L * Integer.MAX_VALUE, 3}, readLongs(backend, dst));
            Strided count = empty(backend, DType.INT64, 1);
            backend.reduce(ReduceOp.SUM, bools(backend, true, false, true, true), count, 1, 0);
            assertEquals(3L, readLongs(backend, count)[0]);
            // A long integer row goes through the chunked path.
            long[] many = new long[1 << 20];
            Arrays.fill(many, big);
            backend.reduce(ReduceOp.SUM, longs(backend, many), count, 1, 0);
            assertEquals(big << 20, readLongs(backend, count)[0]);
        });
    }

    @Test
    void emptyReductionsGiveTheIdentities() {
        forEachBackend(backend -> {
            Strided src = empty(backend, DType.FLOAT32, 3, 0);
            Strided dst = empty(backend, DType.FLOAT32, 3);
            backend.reduce(ReduceOp.SUM, src, dst, 1, 0);
            assertArrayEquals(new float[] {0, 0, 0}, readFloats(backend, dst));
            backend.reduce(ReduceOp.PROD, src, dst, 1, 0);
            assertArrayEquals(new float[] {1, 1, 1}, readFloats(backend, dst));
            backend.reduce(ReduceOp.MEAN, src, dst, 1, 0);
            assertTrue(Float.isNaN(readFloats(backend, dst)[0]));
            Strided longDst = empty(backend, DType.INT64, 3);
            backend.reduce(ReduceOp.PROD, empty(backend, DType.INT64, 3, 0), longDst, 1, 0);
            assertArrayEquals(new long[] {1, 1, 1}, readLongs(backend, longDst));
            // Reducing no dims copies; a single-element sample variance is NaN (divisor 0).
            Strided one = floats(backend, 2.5f);
            Strided result = empty(backend, DType.FLOAT32, 1);
            backend.reduce(ReduceOp.SUM, one, result, 0, 0);
            assertEquals(2.5f, readFloats(backend, result)[0]);
            backend.reduce(ReduceOp.VAR, one, result, 1, 1);
            assertTrue(Float.isNaN(readFloats(backend, result)[0]));
        });
    }

    // ---------------------------------------------------------------- softmax and layer norm

    @Test
    void softmaxAndLogSoftmaxMatchFloat64() {
        forEachBackend(backend -> {
            for (int cols : new int[] {1, 384, 30522}) {
                int rows = cols == 30522 ? 3 : 5;
                float[] x = randomFloats(rows * cols, cols);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 20;
                }
                Strided src = floats(backend, x);
                Strided dst = empty(backend, DType.FLOAT32, rows * cols);
                for (boolean log : new boolean[] {false, true}) {
                    backend.softmax(src.buffer(), dst.buffer(), rows, cols, log);
                    float[] got = readFloats(backend, dst);
                    for (int r = 0; r < rows; r++) {
                        double[] row = toDoubles(Arrays.copyOfRange(x, r * cols, (r + 1) * cols));
                        double[] expected = OpsReference.softmax(row, new int[] {cols}, 0, log);
                        for (int c = 0; c < cols; c++) {
                            assertClose(expected[c], got[r * cols + c], log ? 2e-5 : 1e-9, log ? 1e-6 : 1e-5,
                                    (log ? "log_softmax" : "softmax") + " row " + r + " col " + c + " of " + cols);
                        }
                    }
                }
            }
            // -inf entries get probability 0; a NaN makes its row NaN.
            float inf = Float.POSITIVE_INFINITY;
            Strided special = floats(backend, -inf, 0, -inf, 0, 1, Float.NaN);
            Strided out = empty(backend, DType.FLOAT32, 6);
            backend.softmax(special.buffer(), out.buffer(), 2, 3, false);
            float[] got = readFloats(backend, out);
            assertArrayEquals(new float[] {0, 1, 0}, Arrays.copyOf(got, 3));
            for (int i = 3; i < 6; i++) {
                assertTrue(Float.isNaN(got[i]), Arrays.toString(got));
            }
        });
    }

    @Test
    void layerNormMatchesFloat64WithAndWithoutAffineParameters() {
        forEachBackend(backend -> {
            for (int cols : new int[] {384, 4096, 70_000}) {
                int rows = 4;
                float[] x = randomFloats(rows * cols, cols + 1);
                for (int i = 0; i < x.length; i++) {
                    // A large mean: a one-pass variance would cancel catastrophically.
                    x[i] = 1000f + 3f * x[i];
                }
                float[] weight = randomFloats(cols, 8);
                float[] bias = randomFloats(cols, 9);
                Strided src = floats(backend, x);
                Strided dst = empty(backend, DType.FLOAT32, rows * cols);
                Buffer w = floats(backend, weight).buffer();
                Buffer b = floats(backend, bias).buffer();
                for (boolean affine : new boolean[] {false, true}) {
                    backend.layerNorm(src.buffer(), affine ? w : null, affine ? b : null, dst.buffer(), rows, cols, 1e-5f);
                    float[] got = readFloats(backend, dst);
                    for (int r = 0; r < rows; r++) {
                        double[] row = new double[cols];
                        for (int c = 0; c < cols; c++) {
                            row[c] = x[r * cols + c];
                        }
                        double mean = Arrays.stream(row).sum() / cols;
                        double var = Arrays.stream(row).map(v -> (v - mean) * (v - mean)).sum() / cols;
                        for (int c = 0; c < cols; c++) {
                            double normalized = (row[c] - mean) / Math.sqrt(var + 1e-5);
                            double expected = affine ? normalized * weight[c] + bias[c] : normalized;
                            assertClose(expected, got[r * cols + c], 1e-4, 0,
                                    "layer norm row " + r + " col " + c + " of " + cols + (affine ? " (affine)" : ""));
                        }
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- references (the float ones are OpsReference's)

    private static LongBinaryOperator integerReference(BinaryOp op) {
        return switch (op) {
            case ADD -> (x, y) -> x + y;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV_TRUNC -> (x, y) -> y == 0 ? 0 : y == -1 ? -x : x / y;
            case DIV_FLOOR -> (x, y) -> y == 0 ? 0 : y == -1 ? -x : Math.floorDiv(x, y);
            case POW -> OpenClOpsTest::integerPower;
            case MAXIMUM -> Math::max;
            case MINIMUM -> Math::min;
            case EQ -> (x, y) -> x == y ? 1 : 0;
            case NE -> (x, y) -> x != y ? 1 : 0;
            case LT -> (x, y) -> x < y ? 1 : 0;
            case LE -> (x, y) -> x <= y ? 1 : 0;
            case GT -> (x, y) -> x > y ? 1 : 0;
            case GE -> (x, y) -> x >= y ? 1 : 0;
            case LOGICAL_AND -> (x, y) -> x != 0 && y != 0 ? 1 : 0;
            case LOGICAL_OR -> (x, y) -> x != 0 || y != 0 ? 1 : 0;
            case DIV -> throw new IllegalArgumentException("DIV of integers is float division");
        };
    }

    /** PyTorch's integer pow: wrapping, and a negative exponent leaves only |base| = 1 nonzero. */
    private static long integerPower(long base, long exponent) {
        if (exponent < 0) {
            return base == 1 ? 1 : base == -1 ? (exponent % 2 == 0 ? 1 : -1) : 0;
        }
        long result = 1;
        for (long e = exponent, factor = base; e != 0; e >>= 1, factor *= factor) {
            if ((e & 1) != 0) {
                result *= factor;
            }
        }
        return result;
    }

    @Test
    void erfReferenceIsRight() {
        assertEquals(0.8427007929497149, erf(1), 1e-15);
        assertEquals(-0.9999779095030014, erf(-3), 1e-15);
        assertEquals(0.9999999845827421, erf(4), 1e-15);
        assertEquals(0.1124629160182849, erf(0.1), 1e-15);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code expected} and {@code got} agree: NaN with NaN, infinities exactly, else within the tolerances. */
    private static void assertClose(double expected, double got, double absolute, double relative, String what) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            if (!(Double.isNaN(expected) ? Double.isNaN(got) : expected == got)) {
                fail(what + ": expected " + expected + ", got " + got);
            }
            return;
        }
        double tolerance = absolute + relative * Math.abs(expected);
        if (!(Math.abs(got - expected) <= tolerance)) {
            fail(what + ": expected " + expected + ", got " + got + " (off by " + Math.abs(got - expected)
                    + ", tolerance " + tolerance + ")");
        }
    }

    private static void assertAllClose(double[] expected, double[] got, double absolute, double relative, String what) {
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], got[i], absolute, relative, what + " [" + i + "]");
        }
    }

    /** The values of {@code view} over {@code storage}, row-major. */
    private static double[] values(float[] storage, Strided view) {
        double[] out = new double[Math.toIntExact(view.numel())];
        int[] shape = view.shape();
        for (int i = 0; i < out.length; i++) {
            long offset = view.offset();
            long rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                offset += rest % shape[d] * view.strides()[d];
                rest /= shape[d];
            }
            out[i] = storage[(int) offset];
        }
        return out;
    }

    /** {@code shape} over a buffer that holds it with every dim reversed (a full transpose). */
    private static Strided reversedView(Buffer buffer, int[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = step;
            step *= shape[d];
        }
        return new Strided(buffer, DType.FLOAT32, shape, strides, 0);
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    private static float[] randomFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextFloat() * 2 - 1;
        }
        return out;
    }

    private static float[] concat(float[]... parts) {
        int total = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        float[] out = new float[total];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static long[] toLongs(boolean[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] ? 1 : 0;
        }
        return out;
    }

    private Strided empty(Backend backend, DType dtype, int... shape) {
        Buffer buffer = backend.allocate(dtype, numel(shape));
        cleanup.add(() -> backend.free(buffer));
        return Strided.contiguous(buffer, dtype, shape);
    }

    private static Strided contiguous(Strided flat, int... shape) {
        return Strided.contiguous(flat.buffer(), flat.dtype(), shape);
    }

    private Strided floats(Backend backend, float... values) {
        Strided s = empty(backend, DType.FLOAT32, values.length);
        backend.write(FloatBuffer.wrap(values), s.buffer());
        return s;
    }

    private Strided longs(Backend backend, long... values) {
        Strided s = empty(backend, DType.INT64, values.length);
        backend.write(LongBuffer.wrap(values), s.buffer());
        return s;
    }

    private Strided ints(Backend backend, int... values) {
        Strided s = empty(backend, DType.INT32, values.length);
        backend.write(IntBuffer.wrap(values), s.buffer());
        return s;
    }

    private Strided bools(Backend backend, boolean... values) {
        Strided s = empty(backend, DType.BOOL, values.length);
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        backend.write(ByteBuffer.wrap(bytes), s.buffer());
        return s;
    }

    private static float[] readFloats(Backend backend, Strided s) {
        float[] out = new float[Math.toIntExact(s.numel())];
        backend.read(s.buffer(), out, out.length);
        return out;
    }

    private static long[] readLongs(Backend backend, Strided s) {
        long[] out = new long[Math.toIntExact(s.numel())];
        backend.read(s.buffer(), out, out.length);
        return out;
    }

    private static int[] readInts(Backend backend, Strided s) {
        int[] out = new int[Math.toIntExact(s.numel())];
        backend.read(s.buffer(), out, out.length);
        return out;
    }

    private static boolean[] readBools(Backend backend, Strided s) {
        byte[] bytes = new byte[Math.toIntExact(s.numel())];
        backend.read(s.buffer(), bytes, bytes.length);
        boolean[] out = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            assertTrue(bytes[i] == 0 || bytes[i] == 1, "bool byte " + bytes[i]);
            out[i] = bytes[i] == 1;
        }
        return out;
    }

    /** A float32, int64 or bool destination's values as doubles. */
    private static double[] readAsDoubles(Backend backend, Strided s) {
        return switch (s.dtype()) {
            case FLOAT32 -> toDoubles(readFloats(backend, s));
            case INT64 -> toDoubles(readLongs(backend, s));
            case BOOL -> toDoubles(toLongs(readBools(backend, s)));
            default -> throw new IllegalArgumentException("no reader for " + s.dtype());
        };
    }
}
