package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.torchcl.ops.OpsReference.erf;
import static org.torchcl.ops.OpsReference.toDoubles;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.torchcl.DType;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.HalfFloats;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.PoolShape;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;
import org.torchcl.ops.OpsReference;

/**
 * The CPU backend's elementwise, reduction, indexing, convolution and pooling ops, called directly
 * with strided layouts (transposed and zero-stride operands included), against float64 references
 * computed here.
 */
class CpuOpsTest {

    private static final CpuBackend CPU = CpuBackend.instance();
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    // ---------------------------------------------------------------- unary

    @Test
    void unaryFloatOpsMatchFloat64() {
        float[] x = randomFloats(1, 5000, -10, 10);
        // Run through a transposed view so that the staged path is exercised too.
        for (boolean transposed : new boolean[] {false, true}) {
            for (UnaryOp op : UnaryOp.values()) {
                if (op == UnaryOp.LOGICAL_NOT) {
                    continue;
                }
                float[] got = transposed ? unaryTransposed(op, x, 50, 100, -1.5, 2.5) : unary(op, x, -1.5, 2.5);
                float[] input = transposed ? transpose(x, 50, 100) : x;
                for (int i = 0; i < x.length; i++) {
                    double want = OpsReference.unary(op, input[i], -1.5, 2.5);
                    assertClose(want, got[i], 1e-6, op + "(" + input[i] + ")");
                }
            }
        }
    }

    @Test
    void erfIsAccurateOnADenseGrid() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (-10 + 20.0 * i / (n - 1));
        }
        float[] got = unary(UnaryOp.ERF, x, 0, 0);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, Math.abs(got[i] - erf(x[i])));
        }
        assertTrue(worst <= 2e-6, "max |erf error| " + worst);
    }

    /** Both ReLU loops, over whole vectors and the tail: NaN, -0 and +inf pass, everything below 0 becomes +0. */
    @Test
    void reluLoopsKeepNaNAndMinusZeroBitForBit() {
        float[] specials = {NAN, INF, -INF, 0f, -0f, -1e-40f, 1e-40f, -3f, 3f, Float.intBitsToFloat(0xffc00001)};
        float[] x = new float[53];
        for (int i = 0; i < x.length; i++) {
            x[i] = specials[i % specials.length];
        }
        for (CpuElementwise.FloatUnary relu : new CpuElementwise.FloatUnary[] {
            CpuElementwise.floatLoop(UnaryOp.RELU, 0, 0), new VectorMath().unary(UnaryOp.RELU)}) {
            float[] out = new float[x.length];
            relu.apply(x, out, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                float want = x[i] < 0f ? 0f : x[i];
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]), "relu of " + x[i]);
            }
        }
    }

    @Test
    void unarySpecialValues() {
        float[] x = {NAN, INF, -INF, 0f, -0f};
        assertArrayEquals(new float[] {NAN, INF, 0, 0, -0f}, unary(UnaryOp.RELU, x, 0, 0), "relu keeps -0, as PyTorch");
        assertArrayEquals(new float[] {NAN, INF, 0, 1, 1}, unary(UnaryOp.EXP, x, 0, 0));
        assertArrayEquals(new float[] {NAN, INF, NAN, -INF, -INF}, unary(UnaryOp.LOG, x, 0, 0));
        assertArrayEquals(new float[] {NAN, INF, NAN, 0f, -0f}, unary(UnaryOp.SQRT, x, 0, 0));
        assertArrayEquals(new float[] {NAN, 0f, NAN, INF, -INF}, unary(UnaryOp.RSQRT, x, 0, 0));
        assertArrayEquals(new float[] {NAN, 0f, -0f, INF, -INF}, unary(UnaryOp.RECIPROCAL, x, 0, 0));
        assertArrayEquals(new float[] {NAN, 1, -1, 0f, -0f}, unary(UnaryOp.ERF, x, 0, 0));
        assertArrayEquals(new float[] {NAN, 1, -1, 0f, -0f}, unary(UnaryOp.TANH, x, 0, 0));
        assertArrayEquals(new float[] {NAN, 1, 0, 0.5f, 0.5f}, unary(UnaryOp.SIGMOID, x, 0, 0));
        assertArrayEquals(new float[] {NAN, INF, -INF, 0f, -0f}, unary(UnaryOp.NEG, new float[] {NAN, -INF, INF, -0f, 0f}, 0, 0));
        assertArrayEquals(new float[] {NAN, INF, 1, -2, 0f}, unary(UnaryOp.CLAMP, new float[] {NAN, INF, 1, -5, 0f}, -2, INF));
        assertArrayEquals(new float[] {-INF, 3, 3}, unary(UnaryOp.CLAMP, new float[] {-INF, 7, INF}, -INF, 3));
        // Far out, the stable forms give the limits rather than NaN.
        float[] far = {-1000f, 1000f};
        assertArrayEquals(new float[] {0, 1}, unary(UnaryOp.SIGMOID, far, 0, 0));
        assertArrayEquals(new float[] {-0f, 1000f}, unary(UnaryOp.SILU, far, 0, 0));
        assertArrayEquals(new float[] {-0f, 1000f}, unary(UnaryOp.GELU, far, 0, 0));
        assertArrayEquals(new float[] {-0f, 1000f}, unary(UnaryOp.GELU_TANH, far, 0, 0));
        Buffer not = unaryInto(UnaryOp.LOGICAL_NOT, floats(0f, 2f, NAN, -INF, -0f), 5, DType.BOOL);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1}, readBytes(not, 5));
    }

    @Test
    void unaryInt64StaysInteger() {
        long big = (1L << 62) + 3;
        Buffer x = longs(-5, 0, 7, big, Long.MIN_VALUE + 1);
        assertArrayEquals(new long[] {5, 0, -7, -big, Long.MAX_VALUE}, readLongs(unaryInto(UnaryOp.NEG, x, 5, DType.INT64), 5));
        assertArrayEquals(new long[] {5, 0, 7, big, Long.MAX_VALUE}, readLongs(unaryInto(UnaryOp.ABS, x, 5, DType.INT64), 5));
        assertArrayEquals(new long[] {0, 0, 7, big, 0}, readLongs(unaryInto(UnaryOp.RELU, x, 5, DType.INT64), 5));
        Buffer clamped = CPU.allocate(DType.INT64, 5);
        CPU.unary(UnaryOp.CLAMP, contiguous(x, DType.INT64, 5), contiguous(clamped, DType.INT64, 5), -2, INF);
        assertArrayEquals(new long[] {-2, 0, 7, big, -2}, readLongs(clamped, 5));
        assertArrayEquals(new byte[] {0, 1, 0, 0, 0}, readBytes(unaryInto(UnaryOp.LOGICAL_NOT, x, 5, DType.BOOL), 5));
        // A FLOAT-kind op of an integer tensor computes in float32.
        Buffer roots = CPU.allocate(DType.FLOAT32, 2);
        CPU.unary(UnaryOp.SQRT, contiguous(longs(4, 2), DType.INT64, 2), contiguous(roots, DType.FLOAT32, 2), 0, 0);
        assertArrayEquals(new float[] {2f, (float) Math.sqrt(2)}, readFloats(roots, 2));
    }

    // ---------------------------------------------------------------- binary

    @Test
    void binaryFloatOpsOnTransposedAndRowBroadcastOperands() {
        int rows = 40;
        int cols = 70;
        float[] aData = randomFloats(2, rows * cols, -4, 4);
        float[] bData = randomFloats(3, cols, 0.25f, 4);
        Random signs = new Random(4);
        for (int j = 0; j < cols; j++) {
            if (signs.nextBoolean()) {
                bData[j] = -bData[j];
            }
        }
        // a is the transpose of a [cols, rows] buffer; some of its values tie with b for the comparisons.
        for (int j = 0; j < cols; j += 3) {
            aData[j * rows + j % rows] = bData[j];
        }
        Buffer a = floats(aData);
        Buffer b = floats(bData);
        Strided aView = new Strided(a, DType.FLOAT32, new int[] {rows, cols}, new long[] {1, rows}, 0);
        Strided bView = new Strided(b, DType.FLOAT32, new int[] {rows, cols}, new long[] {0, 1}, 0);
        for (BinaryOp op : BinaryOp.values()) {
            boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
            DType outType = bool ? DType.BOOL : DType.FLOAT32;
            Buffer out = CPU.allocate(outType, rows * cols);
            CPU.binary(op, aView, bView, Strided.contiguous(out, outType, rows, cols));
            float[] got = bool ? boolsAsFloats(readBytes(out, rows * cols)) : readFloats(out, rows * cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    float x = aData[c * rows + r];
                    float y = bData[c];
                    double want = OpsReference.binary(op, x, y);
                    assertClose(want, got[r * cols + c], 1e-6, op + "(" + x + ", " + y + ")");
                }
            }
        }
    }

    @Test
    void binaryFastPathWithScalarAndColumnBroadcasts() {
        int rows = 300;
        int cols = 1000;
        float[] aData = randomFloats(5, rows * cols, -3, 3);
        float[] column = randomFloats(6, rows, -3, 3);
        Buffer out = CPU.allocate(DType.FLOAT32, rows * cols);
        CPU.binary(BinaryOp.SUB, contiguous(floats(aData), DType.FLOAT32, rows, cols),
                new Strided(floats(column), DType.FLOAT32, new int[] {rows, cols}, new long[] {1, 0}, 0),
                Strided.contiguous(out, DType.FLOAT32, rows, cols));
        float[] got = readFloats(out, rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            assertEquals(aData[i] - column[i / cols], got[i], "element " + i);
        }
        // A scalar on the left, at an offset inside its buffer.
        CPU.binary(BinaryOp.MUL, new Strided(floats(9f, 0.5f), DType.FLOAT32, new int[] {rows * cols}, new long[] {0}, 1),
                contiguous(floats(aData), DType.FLOAT32, rows * cols), Strided.contiguous(out, DType.FLOAT32, rows * cols));
        got = readFloats(out, rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            assertEquals(0.5f * aData[i], got[i], "element " + i);
        }
    }

    @Test
    void contiguousOperandsAtDifferentOffsets() {
        int n = 200_000;
        float[] data = randomFloats(21, n + 7, -3, 3);
        Buffer buffer = floats(data);
        Buffer out = CPU.allocate(DType.FLOAT32, n + 3);
        // out[3:] = data[7:] * data[:n], then out[3:] = gelu(data[5:]): no two operands start together.
        CPU.binary(BinaryOp.MUL, new Strided(buffer, DType.FLOAT32, new int[] {n}, new long[] {1}, 7),
                contiguous(buffer, DType.FLOAT32, n), new Strided(out, DType.FLOAT32, new int[] {n}, new long[] {1}, 3));
        float[] got = readFloats(out, n + 3);
        for (int i = 0; i < n; i++) {
            assertEquals(data[i + 7] * data[i], got[i + 3], "element " + i);
        }
        CPU.unary(UnaryOp.GELU, new Strided(buffer, DType.FLOAT32, new int[] {n}, new long[] {1}, 5),
                new Strided(out, DType.FLOAT32, new int[] {n}, new long[] {1}, 3), 0, 0);
        got = readFloats(out, n + 3);
        for (int i = 0; i < n; i++) {
            assertClose(OpsReference.gelu(data[i + 5]), got[i + 3], 1e-6, "gelu " + i);
        }
    }

    @Test
    void binaryMixedDtypesPromoteToFloat() {
        short[] halves = {HalfFloats.floatToHalf(1.5f), HalfFloats.floatToHalf(-2f)};
        Buffer a = CPU.allocate(DType.FLOAT16, 2);
        CPU.write(java.nio.ShortBuffer.wrap(halves), a);
        Buffer out = CPU.allocate(DType.FLOAT32, 2);
        CPU.binary(BinaryOp.ADD, contiguous(a, DType.FLOAT16, 2), contiguous(longs(1, 3), DType.INT64, 2),
                contiguous(out, DType.FLOAT32, 2));
        assertArrayEquals(new float[] {2.5f, 1f}, readFloats(out, 2));
        // True division of integers gives floats.
        CPU.binary(BinaryOp.DIV, contiguous(longs(7, -7), DType.INT64, 2), contiguous(ints(2, 2), DType.INT32, 2),
                contiguous(out, DType.FLOAT32, 2));
        assertArrayEquals(new float[] {3.5f, -3.5f}, readFloats(out, 2));
    }

    @Test
    void binaryFloatSpecialValues() {
        float[] a = {NAN, 1f, INF, -INF, NAN, 0f};
        float[] b = {1f, NAN, INF, 1f, NAN, -0f};
        assertArrayEquals(new float[] {NAN, NAN, INF, 1f, NAN, 0f}, binary(BinaryOp.MAXIMUM, a, b));
        assertArrayEquals(new float[] {NAN, NAN, INF, -INF, NAN, -0f}, binary(BinaryOp.MINIMUM, a, b));
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 1}, binary(BinaryOp.EQ, a, b));
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0}, binary(BinaryOp.NE, a, b));
        assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0}, binary(BinaryOp.LT, a, b));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, binary(BinaryOp.LOGICAL_OR, a, b));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0}, binary(BinaryOp.LOGICAL_AND, a, b));
        // Rounded division, by PyTorch's rules: the floor of the true quotient, IEEE results for 0.
        float[] n = {7f, -7f, 7f, -7f, 1f, 1f, -1f, 0f, -0f};
        float[] d = {2f, 2f, -2f, -2f, 0.1f, 0f, 0f, 5f, 5f};
        assertArrayEquals(new float[] {3, -4, -4, 3, 9, INF, -INF, 0f, -0f}, binary(BinaryOp.DIV_FLOOR, n, d));
        assertArrayEquals(new float[] {3, -3, -3, 3, 10, INF, -INF, 0f, -0f}, binary(BinaryOp.DIV_TRUNC, n, d));
        assertArrayEquals(new float[] {1, 8, NAN, INF, 0.5f},
                binary(BinaryOp.POW, new float[] {NAN, 2, -8, 0, 4}, new float[] {0, 3, 1f / 3, -1, -0.5f}));
    }

    @Test
    void binaryInt64Arithmetic() {
        long big = (1L << 53) + 1;
        long[] a = {7, -7, 7, -7, big, Long.MAX_VALUE, 3, -2};
        long[] b = {2, 2, -2, -2, 1L << 53, 1, 40, 3};
        assertArrayEquals(new long[] {9, -5, 5, -9, big + (1L << 53), Long.MIN_VALUE, 43, 1}, binaryLongs(BinaryOp.ADD, a, b));
        assertArrayEquals(new long[] {14, -14, -14, 14, big << 53, Long.MAX_VALUE, 120, -6}, binaryLongs(BinaryOp.MUL, a, b));
        assertArrayEquals(new long[] {3, -3, -3, 3, 1, Long.MAX_VALUE, 0, 0}, binaryLongs(BinaryOp.DIV_TRUNC, a, b));
        assertArrayEquals(new long[] {3, -4, -4, 3, 1, Long.MAX_VALUE, 0, -1}, binaryLongs(BinaryOp.DIV_FLOOR, a, b));
        long[] pow = new long[a.length];
        long[] exponents = {2, 2, 0, 3, 1, 1, 40, 3};
        for (int i = 0; i < a.length; i++) {
            pow[i] = 1;
            for (int k = 0; k < exponents[i]; k++) {
                pow[i] *= a[i];
            }
        }
        assertArrayEquals(pow, binaryLongs(BinaryOp.POW, a, exponents));
        assertArrayEquals(new long[] {7, 2, 7, -2, big, Long.MAX_VALUE, 40, 3}, binaryLongs(BinaryOp.MAXIMUM, a, b));
        // 2^53 + 1 and 2^53 round to the same float32 (and float64): only int64 tells them apart.
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 0, 0, 0}, binaryLongs(BinaryOp.EQ, a, b));
        assertArrayEquals(new long[] {1, 0, 1, 0, 1, 1, 0, 0}, binaryLongs(BinaryOp.GT, a, b));
        // Mixed int32 and bool operands still compute in int64.
        Buffer out = CPU.allocate(DType.INT32, 3);
        CPU.binary(BinaryOp.SUB, contiguous(ints(5, -1, 100), DType.INT32, 3), contiguous(bools(1, 0, 1), DType.BOOL, 3),
                contiguous(out, DType.INT32, 3));
        assertArrayEquals(new int[] {4, -1, 99}, readInts(out, 3));
    }

    @Test
    void integerDivisionByZeroAndNegativePowersThrow() {
        int n = 1 << 18;
        long[] a = new long[n];
        long[] b = new long[n];
        Arrays.fill(a, 5);
        Arrays.fill(b, 1);
        b[n - 7] = 0;
        ArithmeticException zero = assertThrows(ArithmeticException.class, () -> binaryLongs(BinaryOp.DIV_TRUNC, a, b));
        assertTrue(zero.getMessage().contains("division by zero"), zero.getMessage());
        assertThrows(ArithmeticException.class, () -> binaryLongs(BinaryOp.DIV_FLOOR, a, b));
        b[n - 7] = -1;
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> binaryLongs(BinaryOp.POW, a, b));
        assertTrue(negative.getMessage().contains("Integers to negative integer powers are not allowed"),
                negative.getMessage());
    }

    @Test
    void whereWithBroadcastCondition() {
        int rows = 3;
        int cols = 4;
        Buffer cond = bools(1, 0, 0, 1);
        Strided condView = new Strided(cond, DType.BOOL, new int[] {rows, cols}, new long[] {0, 1}, 0);
        float[] a = randomFloats(7, rows * cols, -1, 1);
        Buffer out = CPU.allocate(DType.FLOAT32, rows * cols);
        CPU.where(condView, contiguous(floats(a), DType.FLOAT32, rows, cols),
                new Strided(floats(-9f), DType.FLOAT32, new int[] {rows, cols}, new long[] {0, 0}, 0),
                Strided.contiguous(out, DType.FLOAT32, rows, cols));
        float[] got = readFloats(out, rows * cols);
        for (int i = 0; i < rows * cols; i++) {
            assertEquals(i % cols == 0 || i % cols == 3 ? a[i] : -9f, got[i]);
        }
        long big = (1L << 60) + 1;
        Buffer picked = CPU.allocate(DType.INT64, 4);
        CPU.where(contiguous(cond, DType.BOOL, 4), contiguous(longs(big, big, big, big), DType.INT64, 4),
                contiguous(longs(1, 2, 3, 4), DType.INT64, 4), contiguous(picked, DType.INT64, 4));
        assertArrayEquals(new long[] {big, 2, 3, big}, readLongs(picked, 4));
    }

    @Test
    void emptyTensorsAreNoOps() {
        Buffer empty = CPU.allocate(DType.FLOAT32, 0);
        Strided view = contiguous(empty, DType.FLOAT32, 3, 0);
        CPU.unary(UnaryOp.EXP, view, view, 0, 0);
        CPU.binary(BinaryOp.ADD, view, view, view);
        CPU.where(contiguous(CPU.allocate(DType.BOOL, 0), DType.BOOL, 3, 0), view, view, view);
        CPU.binary(BinaryOp.DIV_TRUNC, contiguous(CPU.allocate(DType.INT64, 0), DType.INT64, 0),
                contiguous(CPU.allocate(DType.INT64, 0), DType.INT64, 0), contiguous(CPU.allocate(DType.INT64, 0), DType.INT64, 0));
        assertEquals(-1, CPU.gather(view, 1, contiguous(CPU.allocate(DType.INT64, 0), DType.INT64, 3, 0), view));
        // No rows to reduce into.
        CPU.reduce(ReduceOp.SUM, contiguous(empty, DType.FLOAT32, 0, 5), contiguous(empty, DType.FLOAT32, 0), 1, 0);
    }

    // ---------------------------------------------------------------- reductions

    @Test
    void floatSumOfTenMillionTenthsIsAccurate() {
        int n = 10_000_000;
        float[] data = new float[n];
        Arrays.fill(data, 0.1f);
        Buffer out = CPU.allocate(DType.FLOAT32, 1);
        CPU.reduce(ReduceOp.SUM, contiguous(floats(data), DType.FLOAT32, n), contiguous(out, DType.FLOAT32, 1), 1, 0);
        double want = (double) 0.1f * n;
        double got = readFloats(out, 1)[0];
        assertTrue(Math.abs(got - want) <= 1e-6 * want, "sum " + got + " vs " + want);
        CPU.reduce(ReduceOp.MEAN, contiguous(floats(data), DType.FLOAT32, n), contiguous(out, DType.FLOAT32, 1), 1, 0);
        assertEquals(0.1f, readFloats(out, 1)[0]);
    }

    @Test
    void reductionsOverAPermutedLayout() {
        // A [4, 5, 6] buffer seen as [6, 4, 5] (permute(2, 0, 1)): each row's 20 elements are strided.
        float[] data = randomFloats(8, 120, -2, 2);
        data[37] = data[31];
        Buffer src = floats(data);
        Strided view = new Strided(src, DType.FLOAT32, new int[] {6, 4, 5}, new long[] {1, 30, 6}, 0);
        for (ReduceOp op : ReduceOp.values()) {
            boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
            DType outType = arg ? DType.INT64 : DType.FLOAT32;
            Buffer out = CPU.allocate(outType, 6);
            CPU.reduce(op, view, contiguous(out, outType, 6), 2, 1);
            double[] got = arg ? toDoubles(readLongs(out, 6)) : toDoubles(readFloats(out, 6));
            for (int r = 0; r < 6; r++) {
                double[] row = new double[20];
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 5; j++) {
                        row[i * 5 + j] = data[i * 30 + j * 6 + r];
                    }
                }
                assertClose(OpsReference.reduce(op, row, 1), got[r], 1e-6, op + " row " + r);
            }
        }
    }

    @Test
    void reductionsOverALeadingDimInRowBlocks() {
        // Mean pooling's layout: [3, 100, 20] reduced over dim 1, as a [3, 20, 100] view whose 60
        // rows are neighbours in memory (full blocks of 16 and a partial one).
        float[] data = randomFloats(20, 6000, -3, 3);
        data[2000 + 40 * 20 + 7] = 9f;
        data[2000 + 90 * 20 + 7] = 9f;
        Strided view = new Strided(floats(data), DType.FLOAT32, new int[] {3, 20, 100}, new long[] {2000, 1, 20}, 0);
        for (ReduceOp op : ReduceOp.values()) {
            boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
            DType outType = arg ? DType.INT64 : DType.FLOAT32;
            Buffer out = CPU.allocate(outType, 60);
            CPU.reduce(op, view, contiguous(out, outType, 60), 1, 1);
            double[] got = arg ? toDoubles(readLongs(out, 60)) : toDoubles(readFloats(out, 60));
            for (int b = 0; b < 3; b++) {
                for (int h = 0; h < 20; h++) {
                    double[] row = new double[100];
                    for (int t = 0; t < 100; t++) {
                        row[t] = data[b * 2000 + t * 20 + h];
                    }
                    assertClose(OpsReference.reduce(op, row, 1), got[b * 20 + h], 1e-5, op + " row " + b + "," + h);
                }
            }
        }
    }

    @Test
    void reductionOfABroadcastSource() {
        Buffer src = floats(1.5f, -2f, 4f);
        Buffer out = CPU.allocate(DType.FLOAT32, 3);
        // [3, 1000] with the reduced dim a zero-stride repeat.
        CPU.reduce(ReduceOp.SUM, new Strided(src, DType.FLOAT32, new int[] {3, 1000}, new long[] {1, 0}, 0),
                contiguous(out, DType.FLOAT32, 3), 1, 0);
        assertArrayEquals(new float[] {1500f, -2000f, 4000f}, readFloats(out, 3));
        CPU.reduce(ReduceOp.VAR, new Strided(src, DType.FLOAT32, new int[] {3, 1000}, new long[] {1, 0}, 0),
                contiguous(out, DType.FLOAT32, 3), 1, 1);
        assertArrayEquals(new float[] {0f, 0f, 0f}, readFloats(out, 3));
    }

    @Test
    void oneLongRowIsSplitAndMergedInOrder() {
        int n = 3_000_001;
        float[] data = randomFloats(9, n, -1, 1);
        data[123_456] = 5f;
        data[2_900_000] = 5f;
        data[1_000] = -5f;
        data[2_999_999] = -5f;
        Buffer src = floats(data);
        Strided view = contiguous(src, DType.FLOAT32, n);
        double[] row = toDoubles(data);
        for (ReduceOp op : ReduceOp.values()) {
            boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
            if (op == ReduceOp.PROD) {
                continue;
            }
            DType outType = arg ? DType.INT64 : DType.FLOAT32;
            Buffer out = CPU.allocate(outType, 1);
            CPU.reduce(op, view, contiguous(out, outType, 1), 1, 0);
            double got = arg ? readLongs(out, 1)[0] : readFloats(out, 1)[0];
            assertClose(OpsReference.reduce(op, row, 0), got, 1e-5, op.toString());
        }
        // The first NaN wins both arg-reductions, wherever the split falls.
        data[2_500_000] = NAN;
        data[2_600_000] = NAN;
        Buffer withNaN = floats(data);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
            Buffer out = CPU.allocate(DType.INT64, 1);
            CPU.reduce(op, contiguous(withNaN, DType.FLOAT32, n), contiguous(out, DType.INT64, 1), 1, 0);
            assertEquals(2_500_000, readLongs(out, 1)[0], op.toString());
        }
        Buffer out = CPU.allocate(DType.FLOAT32, 1);
        CPU.reduce(ReduceOp.AMIN, contiguous(withNaN, DType.FLOAT32, n), contiguous(out, DType.FLOAT32, 1), 1, 0);
        assertTrue(Float.isNaN(readFloats(out, 1)[0]));
    }

    @Test
    void smallReductionsWithNaNAndInfinities() {
        Buffer src = floats(1f, NAN, 3f, -INF, 2f, INF, 7f, 7f);
        Strided view = contiguous(src, DType.FLOAT32, 2, 4);
        assertArrayEquals(new float[] {NAN, INF}, reduceFloats(ReduceOp.AMAX, view, 2));
        assertArrayEquals(new float[] {NAN, 2f}, reduceFloats(ReduceOp.AMIN, view, 2));
        assertArrayEquals(new float[] {NAN, INF}, reduceFloats(ReduceOp.SUM, view, 2));
        Buffer idx = CPU.allocate(DType.INT64, 2);
        CPU.reduce(ReduceOp.ARGMAX, view, contiguous(idx, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {1, 1}, readLongs(idx, 2));
        CPU.reduce(ReduceOp.ARGMIN, view, contiguous(idx, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {1, 0}, readLongs(idx, 2));
    }

    @Test
    void emptyReductionsAndDegenerateVariance() {
        Buffer empty = CPU.allocate(DType.FLOAT32, 0);
        Strided view = contiguous(empty, DType.FLOAT32, 3, 0);
        assertArrayEquals(new float[] {0, 0, 0}, reduceFloats(ReduceOp.SUM, view, 3));
        assertArrayEquals(new float[] {NAN, NAN, NAN}, reduceFloats(ReduceOp.MEAN, view, 3));
        assertArrayEquals(new float[] {1, 1, 1}, reduceFloats(ReduceOp.PROD, view, 3));
        Buffer sums = CPU.allocate(DType.INT64, 3);
        CPU.reduce(ReduceOp.SUM, contiguous(CPU.allocate(DType.INT64, 0), DType.INT64, 3, 0), contiguous(sums, DType.INT64, 3), 1, 0);
        assertArrayEquals(new long[] {0, 0, 0}, readLongs(sums, 3));
        Buffer out = CPU.allocate(DType.FLOAT32, 1);
        CPU.reduce(ReduceOp.VAR, contiguous(floats(4f), DType.FLOAT32, 1), contiguous(out, DType.FLOAT32, 1), 1, 1);
        assertTrue(Float.isNaN(readFloats(out, 1)[0]), "var of one value with correction 1");
        CPU.reduce(ReduceOp.VAR, contiguous(floats(1f, 2f), DType.FLOAT32, 2), contiguous(out, DType.FLOAT32, 1), 1, 3);
        assertEquals(INF, readFloats(out, 1)[0], "var with N - correction < 0");
        CPU.reduce(ReduceOp.VAR, contiguous(floats(1f, 2f, 4f), DType.FLOAT32, 3), contiguous(out, DType.FLOAT32, 1), 1, 0);
        assertEquals(14f / 9f, readFloats(out, 1)[0], 1e-7);
    }

    @Test
    void integerReductionsStayExact() {
        long big = 1L << 60;
        Buffer src = longs(big, 1, 3, -2, big, 5);
        Strided view = contiguous(src, DType.INT64, 2, 3);
        Buffer out = CPU.allocate(DType.INT64, 2);
        CPU.reduce(ReduceOp.SUM, view, contiguous(out, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {big + 4, big + 3}, readLongs(out, 2));
        CPU.reduce(ReduceOp.PROD, view, contiguous(out, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {3 * big, -10 * big}, readLongs(out, 2));
        CPU.reduce(ReduceOp.AMIN, view, contiguous(out, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {1, -2}, readLongs(out, 2));
        CPU.reduce(ReduceOp.ARGMAX, view, contiguous(out, DType.INT64, 2), 1, 0);
        assertArrayEquals(new long[] {0, 1}, readLongs(out, 2));
        // Over the leading dim (a transposed reduction): columns.
        Buffer columns = CPU.allocate(DType.INT64, 3);
        CPU.reduce(ReduceOp.AMAX, new Strided(src, DType.INT64, new int[] {3, 2}, new long[] {1, 3}, 0),
                contiguous(columns, DType.INT64, 3), 1, 0);
        assertArrayEquals(new long[] {big, big, 5}, readLongs(columns, 3));
        // Bools count; a mean of integers is a float.
        Buffer count = CPU.allocate(DType.INT64, 1);
        CPU.reduce(ReduceOp.SUM, contiguous(bools(1, 0, 1, 1), DType.BOOL, 4), contiguous(count, DType.INT64, 1), 1, 0);
        assertEquals(3, readLongs(count, 1)[0]);
        Buffer mean = CPU.allocate(DType.FLOAT32, 1);
        CPU.reduce(ReduceOp.MEAN, contiguous(ints(1, 2), DType.INT32, 2), contiguous(mean, DType.FLOAT32, 1), 1, 0);
        assertEquals(1.5f, readFloats(mean, 1)[0]);
    }

    // ---------------------------------------------------------------- softmax, layer norm

    @Test
    void softmaxAndLogSoftmaxMatchFloat64() {
        for (int cols : new int[] {384, 30522}) {
            int rows = 3;
            float[] x = randomFloats(10 + cols, rows * cols, -20, 20);
            for (boolean log : new boolean[] {false, true}) {
                Buffer out = CPU.allocate(DType.FLOAT32, rows * cols);
                CPU.softmax(floats(x), out, rows, cols, log);
                float[] got = readFloats(out, rows * cols);
                for (int r = 0; r < rows; r++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < cols; i++) {
                        max = Math.max(max, x[r * cols + i]);
                    }
                    double sum = 0;
                    for (int i = 0; i < cols; i++) {
                        sum += Math.exp(x[r * cols + i] - max);
                    }
                    for (int i = 0; i < cols; i++) {
                        double shifted = x[r * cols + i] - max;
                        double want = log ? shifted - Math.log(sum) : Math.exp(shifted) / sum;
                        assertClose(want, got[r * cols + i], log ? 1e-5 : 1e-6, "softmax " + cols + " log " + log);
                    }
                }
            }
        }
        Buffer out = CPU.allocate(DType.FLOAT32, 3);
        CPU.softmax(floats(-INF, -INF, -INF), out, 1, 3, false);
        assertArrayEquals(new float[] {NAN, NAN, NAN}, readFloats(out, 3));
        CPU.softmax(floats(-INF, 0f, -INF), out, 1, 3, true);
        assertArrayEquals(new float[] {-INF, 0f, -INF}, readFloats(out, 3));
    }

    @Test
    void layerNormMatchesFloat64() {
        int rows = 5;
        int cols = 768;
        float[] x = randomFloats(11, rows * cols, -3, 5);
        float[] w = randomFloats(12, cols, 0.5f, 1.5f);
        float[] b = randomFloats(13, cols, -1, 1);
        for (boolean affine : new boolean[] {false, true}) {
            Buffer out = CPU.allocate(DType.FLOAT32, rows * cols);
            CPU.layerNorm(floats(x), affine ? floats(w) : null, affine ? floats(b) : null, out, rows, cols, 1e-5f);
            float[] got = readFloats(out, rows * cols);
            for (int r = 0; r < rows; r++) {
                double mean = 0;
                for (int i = 0; i < cols; i++) {
                    mean += x[r * cols + i];
                }
                mean /= cols;
                double var = 0;
                for (int i = 0; i < cols; i++) {
                    var += (x[r * cols + i] - mean) * (x[r * cols + i] - mean);
                }
                var /= cols;
                for (int i = 0; i < cols; i++) {
                    double want = (x[r * cols + i] - mean) / Math.sqrt(var + 1e-5f);
                    if (affine) {
                        want = want * w[i] + b[i];
                    }
                    assertClose(want, got[r * cols + i], 1e-5, "layerNorm affine " + affine);
                }
            }
        }
    }

    // ---------------------------------------------------------------- gather

    @Test
    void gatherAlongADimWithAnOutOfRangeIndex() {
        float[] data = randomFloats(14, 20, -1, 1);
        Buffer src = floats(data);
        long[] index = {4, 0, 2, 1, 1, 1, 3, 4, 0, 2, 7, 0};
        Buffer out = CPU.allocate(DType.FLOAT32, 12);
        Arrays.fill((float[]) ((CpuBuffer) out).array, NAN);
        long bad = CPU.gather(contiguous(src, DType.FLOAT32, 4, 5), 1, contiguous(longs(index), DType.INT64, 4, 3),
                contiguous(out, DType.FLOAT32, 4, 3));
        assertEquals(10, bad);
        float[] got = readFloats(out, 12);
        for (int i = 0; i < 12; i++) {
            float want = i == 10 ? 0f : data[(i / 3) * 5 + (int) index[i]];
            assertEquals(want, got[i], "element " + i);
        }
        // Along dim 0 of a transposed source, int32 indices, int64 values.
        long[] values = new long[20];
        for (int i = 0; i < 20; i++) {
            values[i] = (1L << 40) + i;
        }
        Buffer picked = CPU.allocate(DType.INT64, 6);
        long ok = CPU.gather(new Strided(longs(values), DType.INT64, new int[] {5, 4}, new long[] {1, 5}, 0), 0,
                contiguous(ints(4, 0, 3, 2, 1, 0), DType.INT32, 2, 3), contiguous(picked, DType.INT64, 2, 3));
        assertEquals(-1, ok);
        // out[i][j] = src[index[i][j]][j] = values[j * 5 + index].
        assertArrayEquals(new long[] {values[4], values[5], values[13], values[2], values[6], values[10]},
                readLongs(picked, 6));
    }

    @Test
    void embeddingStyleGatherCopiesRows() {
        int vocab = 10;
        int dim = 1500;
        float[] table = randomFloats(15, vocab * dim, -1, 1);
        int[] ids = {3, 9, 0, 3, -1, 5};
        Buffer out = CPU.allocate(DType.FLOAT32, ids.length * dim);
        long bad = CPU.gather(contiguous(floats(table), DType.FLOAT32, vocab, dim), 0,
                new Strided(ints(ids), DType.INT32, new int[] {ids.length, dim}, new long[] {1, 0}, 0),
                contiguous(out, DType.FLOAT32, ids.length, dim));
        assertEquals(4L * dim, bad);
        float[] got = readFloats(out, ids.length * dim);
        for (int r = 0; r < ids.length; r++) {
            for (int c = 0; c < dim; c++) {
                assertEquals(ids[r] < 0 ? 0f : table[ids[r] * dim + c], got[r * dim + c]);
            }
        }
        Buffer flags = CPU.allocate(DType.BOOL, 3);
        CPU.gather(contiguous(bools(0, 1), DType.BOOL, 2), 0, contiguous(longs(1, 0, 1), DType.INT64, 3),
                contiguous(flags, DType.BOOL, 3));
        assertArrayEquals(new byte[] {1, 0, 1}, readBytes(flags, 3));
    }

    // ---------------------------------------------------------------- convolution and pooling

    @Test
    void groupedConvolutionMatchesFloat64() {
        record Case(int n, int c, int h, int w, int oc, int groups, int kh, int kw, int sh, int sw, int ph, int pw,
                    int dh, int dw, boolean bias) {
        }
        Case[] cases = {
            new Case(2, 4, 7, 9, 6, 2, 3, 2, 2, 1, 1, 2, 2, 1, true),
            new Case(1, 6, 8, 8, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, false),
            new Case(3, 3, 5, 11, 4, 1, 2, 3, 1, 3, 0, 1, 1, 2, true),
        };
        for (Case k : cases) {
            Im2colShape s = new Im2colShape(k.n, k.c, k.h, k.w, k.kh, k.kw, k.sh, k.sw, k.ph, k.pw, k.dh, k.dw);
            int perGroup = k.c / k.groups;
            float[] x = randomFloats(16, k.n * k.c * k.h * k.w, -1, 1);
            float[] weight = randomFloats(17, k.oc * perGroup * k.kh * k.kw, -1, 1);
            float[] bias = randomFloats(18, k.oc, -1, 1);
            int outH = s.outHeight();
            int outW = s.outWidth();
            Buffer out = CPU.allocate(DType.FLOAT32, k.n * k.oc * outH * outW);
            CPU.conv2dGrouped(floats(x), floats(weight), k.bias ? floats(bias) : null, out, s, k.oc, k.groups);
            float[] got = readFloats(out, k.n * k.oc * outH * outW);
            double[] want = OpsReference.conv2d(toDoubles(x), k.n, k.c, k.h, k.w, toDoubles(weight), k.oc, k.kh, k.kw,
                    k.bias ? toDoubles(bias) : null, new int[] {k.sh, k.sw}, new int[] {k.ph, k.pw},
                    new int[] {k.dh, k.dw}, k.groups);
            for (int i = 0; i < want.length; i++) {
                assertClose(want[i], got[i], 1e-5, k + " at " + i);
            }
        }
    }

    @Test
    void poolingModesMatchTheirDefinitions() {
        int planes = 3;
        int h = 7;
        int w = 6;
        float[] x = randomFloats(19, planes * h * w, -1, 1);
        x[10] = NAN;
        PoolShape[] shapes = {
            // 3x3 / 2 with padding 1 and ceil mode's extra bottom/right padding.
            new PoolShape(PoolShape.Mode.MAX, planes, h, w, 4, 4, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1),
            new PoolShape(PoolShape.Mode.MAX, planes, h, w, 3, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, 3),
            new PoolShape(PoolShape.Mode.AVG_INCLUDE_PAD, planes, h, w, 4, 4, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1),
            new PoolShape(PoolShape.Mode.AVG_EXCLUDE_PAD, planes, h, w, 4, 4, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1),
            new PoolShape(PoolShape.Mode.AVG_INCLUDE_PAD, planes, h, w, 3, 2, 2, 3, 3, 3, 0, 1, 1, 0, 1, 1),
            new PoolShape(PoolShape.Mode.ADAPTIVE_AVG, planes, h, w, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            new PoolShape(PoolShape.Mode.ADAPTIVE_AVG, planes, h, w, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        };
        for (PoolShape s : shapes) {
            Buffer out = CPU.allocate(DType.FLOAT32, s.outputElements());
            CPU.pool2d(floats(x), out, s);
            float[] got = readFloats(out, (int) s.outputElements());
            for (int p = 0; p < planes; p++) {
                for (int oh = 0; oh < s.outHeight(); oh++) {
                    for (int ow = 0; ow < s.outWidth(); ow++) {
                        double want = OpsReference.pool(s, x, p, oh, ow);
                        assertClose(want, got[(p * s.outHeight() + oh) * s.outWidth() + ow], 1e-6,
                                s + " at " + p + "," + oh + "," + ow);
                    }
                }
            }
        }
    }

    /**
     * Max pooling over rows wide enough for whole vectors, at strides 1 to 3 and a dilation, with
     * both kernels' math: bit for bit the first maximum of the window in row-major order (of -0 and
     * +0 the first), NaN once a tap is NaN.
     */
    @Test
    void maxPoolingKeepsTheFirstMaximumAndAnyNaNBitForBit() {
        int planes = 2;
        int h = 9;
        int w = 70;
        float[] choices = {-1f, -0f, 0f, 1f, 2f, NAN};
        java.util.Random random = new java.util.Random(7);
        float[] x = new float[planes * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = choices[random.nextInt(random.nextInt(20) == 0 ? 6 : 5)];
        }
        PoolShape[] shapes = {
            new PoolShape(PoolShape.Mode.MAX, planes, h, w, 9, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            new PoolShape(PoolShape.Mode.MAX, planes, h, w, 5, 35, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
            new PoolShape(PoolShape.Mode.MAX, planes, h, w, 3, 23, 2, 4, 3, 3, 0, 1, 0, 1, 1, 2),
        };
        Parallel twoThreads = new Parallel(2);
        for (CpuMath math : new CpuMath[] {new ScalarMath(), new VectorMath()}) {
            for (PoolShape s : shapes) {
                float[] got = new float[(int) s.outputElements()];
                CpuConvolution.pool2d(twoThreads, math, x, got, s);
                for (int p = 0; p < planes; p++) {
                    for (int oh = 0; oh < s.outHeight(); oh++) {
                        for (int ow = 0; ow < s.outWidth(); ow++) {
                            float want = Float.NEGATIVE_INFINITY;
                            for (int i = 0; i < s.kernelH(); i++) {
                                for (int j = 0; j < s.kernelW(); j++) {
                                    int row = oh * s.strideH() - s.padTop() + i * s.dilationH();
                                    int col = ow * s.strideW() - s.padLeft() + j * s.dilationW();
                                    if (row >= 0 && row < h && col >= 0 && col < w) {
                                        float v = x[(p * h + row) * w + col];
                                        want = v > want || v != v ? v : want;
                                    }
                                }
                            }
                            int at = (p * s.outHeight() + oh) * s.outWidth() + ow;
                            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[at]),
                                    math.getClass().getSimpleName() + " " + s + " at " + p + "," + oh + "," + ow);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertClose(double want, double got, double tolerance, String what) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            if (Double.isNaN(want) != Double.isNaN(got)) {
                fail(what + ": expected " + want + " but got " + got);
            }
            return;
        }
        if (Double.isInfinite(want) || Double.isInfinite(got)) {
            assertEquals(want, got, what);
            return;
        }
        // Values that only exist as float32 (limits, rounding) are compared at float precision.
        double limit = tolerance * Math.max(1, Math.abs(want));
        if (Math.abs(want - got) > limit) {
            fail(what + ": expected " + want + " but got " + got + " (tolerance " + limit + ")");
        }
    }

    private static float[] unary(UnaryOp op, float[] x, double lo, double hi) {
        Buffer out = CPU.allocate(DType.FLOAT32, x.length);
        CPU.unary(op, contiguous(floats(x), DType.FLOAT32, x.length), contiguous(out, DType.FLOAT32, x.length), lo, hi);
        return readFloats(out, x.length);
    }

    /** {@code op} of the transpose of {@code x} read as {@code [rows, cols]}, into a contiguous {@code [cols, rows]}. */
    private static float[] unaryTransposed(UnaryOp op, float[] x, int rows, int cols, double lo, double hi) {
        Buffer out = CPU.allocate(DType.FLOAT32, x.length);
        CPU.unary(op, new Strided(floats(x), DType.FLOAT32, new int[] {cols, rows}, new long[] {1, cols}, 0),
                contiguous(out, DType.FLOAT32, cols, rows), lo, hi);
        return readFloats(out, x.length);
    }

    private static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }

    private static Buffer unaryInto(UnaryOp op, Buffer src, int n, DType outType) {
        Buffer out = CPU.allocate(outType, n);
        CPU.unary(op, contiguous(src, src.dtype(), n), contiguous(out, outType, n), 0, 0);
        return out;
    }

    private static float[] binary(BinaryOp op, float[] a, float[] b) {
        boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
        DType outType = bool ? DType.BOOL : DType.FLOAT32;
        Buffer out = CPU.allocate(outType, a.length);
        CPU.binary(op, contiguous(floats(a), DType.FLOAT32, a.length), contiguous(floats(b), DType.FLOAT32, b.length),
                contiguous(out, outType, a.length));
        return bool ? boolsAsFloats(readBytes(out, a.length)) : readFloats(out, a.length);
    }

    private static long[] binaryLongs(BinaryOp op, long[] a, long[] b) {
        boolean bool = op.resultKind() == BinaryOp.Kind.BOOL;
        DType outType = bool ? DType.BOOL : DType.INT64;
        Buffer out = CPU.allocate(outType, a.length);
        CPU.binary(op, contiguous(longs(a), DType.INT64, a.length), contiguous(longs(b), DType.INT64, b.length),
                contiguous(out, outType, a.length));
        if (!bool) {
            return readLongs(out, a.length);
        }
        byte[] flags = readBytes(out, a.length);
        long[] values = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            values[i] = flags[i];
        }
        return values;
    }

    private static float[] reduceFloats(ReduceOp op, Strided src, int rows) {
        Buffer out = CPU.allocate(DType.FLOAT32, rows);
        CPU.reduce(op, src, contiguous(out, DType.FLOAT32, rows), 1, 0);
        return readFloats(out, rows);
    }

    private static Strided contiguous(Buffer buffer, DType dtype, int... shape) {
        return Strided.contiguous(buffer, dtype, shape);
    }

    private static float[] randomFloats(long seed, int n, float low, float high) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = low + (high - low) * random.nextFloat();
        }
        return values;
    }

    private static Buffer floats(float... values) {
        Buffer buffer = CPU.allocate(DType.FLOAT32, values.length);
        CPU.write(FloatBuffer.wrap(values), buffer);
        return buffer;
    }

    private static Buffer longs(long... values) {
        Buffer buffer = CPU.allocate(DType.INT64, values.length);
        CPU.write(LongBuffer.wrap(values), buffer);
        return buffer;
    }

    private static Buffer ints(int... values) {
        Buffer buffer = CPU.allocate(DType.INT32, values.length);
        CPU.write(IntBuffer.wrap(values), buffer);
        return buffer;
    }

    private static Buffer bools(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        Buffer buffer = CPU.allocate(DType.BOOL, values.length);
        CPU.write(ByteBuffer.wrap(bytes), buffer);
        return buffer;
    }

    private static float[] readFloats(Buffer buffer, int n) {
        float[] values = new float[n];
        CPU.read(buffer, values, n);
        return values;
    }

    private static long[] readLongs(Buffer buffer, int n) {
        long[] values = new long[n];
        CPU.read(buffer, values, n);
        return values;
    }

    private static int[] readInts(Buffer buffer, int n) {
        int[] values = new int[n];
        CPU.read(buffer, values, n);
        return values;
    }

    private static byte[] readBytes(Buffer buffer, int n) {
        byte[] values = new byte[n];
        CPU.read(buffer, values, n);
        return values;
    }

    private static float[] boolsAsFloats(byte[] flags) {
        float[] values = new float[flags.length];
        for (int i = 0; i < flags.length; i++) {
            values[i] = flags[i];
        }
        return values;
    }
}
