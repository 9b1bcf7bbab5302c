package org.torchcl.backend.cpu;

import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.UnaryOp;

/**
 * {@link CpuMath} in plain Java, for JVMs without {@code jdk.incubator.vector}. Loops index their
 * arrays alike where they can, which C2 vectorizes (see {@link CpuElementwise}).
 */
final class ScalarMath implements CpuMath {

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public CpuElementwise.FloatUnary unary(UnaryOp op) {
        return null;
    }

    @Override
    public BinaryRun binary(BinaryOp op) {
        return null;
    }

    @Override
    public void softmax(float[] src, float[] dst, int at, int cols, boolean log) {
        // NaN wins the max, so a row holding NaN comes out all NaN; an all -inf row gives
        // -inf - -inf = NaN everywhere, as in PyTorch.
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < cols; i++) {
            max = Math.max(max, src[at + i]);
        }
        double sum = 0;
        if (log) {
            for (int i = 0; i < cols; i++) {
                sum += Math.exp(src[at + i] - max);
            }
            float shift = (float) Math.log(sum);
            for (int i = 0; i < cols; i++) {
                dst[at + i] = src[at + i] - max - shift;
            }
        } else {
            for (int i = 0; i < cols; i++) {
                float e = (float) Math.exp(src[at + i] - max);
                dst[at + i] = e;
                sum += e;
            }
            float scale = (float) (1 / sum);
            for (int i = 0; i < cols; i++) {
                dst[at + i] *= scale;
            }
        }
    }

    @Override
    public void layerNorm(float[] src, float[] weight, float[] bias, float[] dst, int at, int cols, float eps) {
        // The row is worked on in a copy indexed like weight and bias: C2 vectorizes a loop only
        // when all its arrays are indexed alike. The copy is the thread's, reused across rows.
        float[] row = ROW.get();
        if (row.length < cols) {
            row = new float[cols];
            ROW.set(row);
        }
        System.arraycopy(src, at, row, 0, cols);
        double mean = sum(row, 0, cols) / cols;
        // Two passes: the deviations are small where a one-pass E[x^2] - E[x]^2 cancels.
        double variance = squaredDeviations(row, 0, cols, mean) / cols;
        float m = (float) mean;
        float scale = (float) (1 / Math.sqrt(variance + eps));
        for (int i = 0; i < cols; i++) {
            row[i] = (row[i] - m) * scale;
        }
        if (weight != null) {
            for (int i = 0; i < cols; i++) {
                row[i] *= weight[i];
            }
        }
        if (bias != null) {
            for (int i = 0; i < cols; i++) {
                row[i] += bias[i];
            }
        }
        System.arraycopy(row, 0, dst, at, cols);
    }

    @Override
    public double sum(float[] x, int at, int n) {
        // Four independent sums: one chain of dependent double adds would run at a quarter speed.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[at + i];
            s1 += x[at + i + 1];
            s2 += x[at + i + 2];
            s3 += x[at + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[at + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public double squaredDeviations(float[] x, int at, int n, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double d0 = x[at + i] - mean;
            double d1 = x[at + i + 1] - mean;
            double d2 = x[at + i + 2] - mean;
            double d3 = x[at + i + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = x[at + i] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void accumulate(double[] sums, float[] x, int at, int n) {
        for (int i = 0; i < n; i++) {
            sums[i] += x[at + i];
        }
    }

    @Override
    public void keepGreater(float[] x, int xi, float[] best, int bi, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xi + i];
            float kept = best[bi + i];
            // A select on the bits: a float ternary compiles to a branch that mispredicts on half the taps.
            int take = (v > kept) | (v != v) ? -1 : 0;
            best[bi + i] = Float.intBitsToFloat(Float.floatToRawIntBits(v) & take
                    | Float.floatToRawIntBits(kept) & ~take);
        }
    }
}
