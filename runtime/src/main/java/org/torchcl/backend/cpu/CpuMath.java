package org.torchcl.backend.cpu;

import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.UnaryOp;

/**
 * The float32 row kernels of elementwise ops, softmax, layer norm and sums: {@code VectorMath} on
 * Vector API lanes (with SVML's exp, log and tanh), {@link ScalarMath} in plain Java. Sums are
 * taken in double either way.
 */
interface CpuMath {

    /**
     * {@code out[oi + i] = a[ai + i * aStep] op b[bi + i * bStep]} for {@code i < n}, each step 0
     * or 1: the runs of same-shape and broadcast operands, read in place.
     */
    @FunctionalInterface
    interface BinaryRun {
        void apply(float[] a, int ai, int aStep, float[] b, int bi, int bStep, float[] out, int oi, int n);
    }

    /** The loop of {@code op}, or null where {@link CpuElementwise}'s table has the one to use. */
    CpuElementwise.FloatUnary unary(UnaryOp op);

    /** The in-place loop of {@code op} over operands at their own offsets, or null where there is none. */
    BinaryRun binary(BinaryOp op);

    /** Softmax (or log-softmax) of the row {@code src[at, at + cols)} into {@code dst[at, at + cols)}. */
    void softmax(float[] src, float[] dst, int at, int cols, boolean log);

    /** Layer norm of the row {@code src[at, at + cols)} into {@code dst[at, at + cols)}; weight and bias may be null. */
    void layerNorm(float[] src, float[] weight, float[] bias, float[] dst, int at, int cols, float eps);

    /** {@code x[at] + ... + x[at + n - 1]} in double. */
    double sum(float[] x, int at, int n);

    /** The sum of {@code (x[i] - mean)^2} over {@code x[at, at + n)}, in double. */
    double squaredDeviations(float[] x, int at, int n, double mean);

    /** {@code sums[i] += x[at + i]} for {@code i < n}: one row of a reduction over a leading dim. */
    void accumulate(double[] sums, float[] x, int at, int n);

    /**
     * {@code best[bi + i] = x[xi + i]} where that is greater or NaN, for {@code i < n}: one tap of
     * max pooling, which keeps the first of equal maxima and a NaN once seen.
     */
    void keepGreater(float[] x, int xi, float[] best, int bi, int n);
}
