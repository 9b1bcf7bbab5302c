package org.torchcl.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.UnaryOp;

/**
 * {@link CpuMath} on Vector API lanes. exp, log and tanh are the lane-wise operators, which C2
 * compiles to SVML's vector routines on x86 (within 1 ulp, at well under a nanosecond per element
 * where {@link Math#exp} takes tens); erf is {@link CpuElementwise#fastErf}'s polynomial with fused
 * multiply-adds.
 *
 * <p>Each op spells out its own loop: a lane-wise operator must be a constant where C2 compiles
 * the call, or the Vector API falls back to a per-lane loop a hundred times slower. Sums convert
 * half-width float vectors to double vectors of the same lane count, a plain conversion
 * instruction.
 */
final class VectorMath implements CpuMath {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** The plain loops, for the ends of rows shorter than a vector. */
    private static final ScalarMath SCALAR = new ScalarMath();
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    /** Lanes of {@link #DOUBLES}: half a float vector's. */
    private static final int HALF_LANES = DOUBLES.length();
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final FloatVector ONE = FloatVector.broadcast(FLOATS, 1f);

    @Override
    public CpuElementwise.FloatUnary unary(UnaryOp op) {
        return switch (op) {
            case EXP -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    FloatVector.fromArray(FLOATS, x, i).lanewise(VectorOperators.EXP).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    FloatVector.fromArray(FLOATS, x, i, m).lanewise(VectorOperators.EXP).intoArray(o, i, m);
                }
            };
            case LOG -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    FloatVector.fromArray(FLOATS, x, i).lanewise(VectorOperators.LOG).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    FloatVector.fromArray(FLOATS, x, i, m).lanewise(VectorOperators.LOG).intoArray(o, i, m);
                }
            };
            case TANH -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    FloatVector.fromArray(FLOATS, x, i).lanewise(VectorOperators.TANH).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    FloatVector.fromArray(FLOATS, x, i, m).lanewise(VectorOperators.TANH).intoArray(o, i, m);
                }
            };
            case ERF -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    erf(FloatVector.fromArray(FLOATS, x, i)).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    erf(FloatVector.fromArray(FLOATS, x, i, m)).intoArray(o, i, m);
                }
            };
            case SIGMOID -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    sigmoid(FloatVector.fromArray(FLOATS, x, i)).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    sigmoid(FloatVector.fromArray(FLOATS, x, i, m)).intoArray(o, i, m);
                }
            };
            case SILU -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    FloatVector v = FloatVector.fromArray(FLOATS, x, i);
                    v.mul(sigmoid(v)).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    FloatVector v = FloatVector.fromArray(FLOATS, x, i, m);
                    v.mul(sigmoid(v)).intoArray(o, i, m);
                }
            };
            case GELU -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    gelu(FloatVector.fromArray(FLOATS, x, i)).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    gelu(FloatVector.fromArray(FLOATS, x, i, m)).intoArray(o, i, m);
                }
            };
            case GELU_TANH -> (x, o, from, to) -> {
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    geluTanh(FloatVector.fromArray(FLOATS, x, i)).intoArray(o, i);
                }
                if (i < to) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, to);
                    geluTanh(FloatVector.fromArray(FLOATS, x, i, m)).intoArray(o, i, m);
                }
            };
            // The table's ternary runs scalar (C2 does not vectorize a conditional float move) and
            // mispredicts on every other sign; a blend keeps its result for NaN and -0 alike.
            case RELU -> (x, o, from, to) -> {
                FloatVector zero = FloatVector.zero(FLOATS);
                int i = from;
                for (; i <= to - LANES; i += LANES) {
                    FloatVector v = FloatVector.fromArray(FLOATS, x, i);
                    v.blend(zero, v.compare(VectorOperators.LT, 0f)).intoArray(o, i);
                }
                for (; i < to; i++) {
                    o[i] = x[i] < 0f ? 0f : x[i];
                }
            };
            // C2 already vectorizes the table's loops of these.
            case NEG, ABS, SQRT, RSQRT, RECIPROCAL, CLAMP, LOGICAL_NOT -> null;
        };
    }

    @Override
    public BinaryRun binary(BinaryOp op) {
        return switch (op) {
            case ADD -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).add(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).add(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            case SUB -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).sub(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).sub(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            case MUL -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).mul(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).mul(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            case DIV -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).div(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).div(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            // MAX and MIN return NaN when either side is NaN, as Math.max/min and torch.maximum/minimum.
            case MAXIMUM -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).max(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).max(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            case MINIMUM -> (a, ai, as, b, bi, bs, o, oi, n) -> {
                int i = 0;
                for (; i <= n - LANES; i += LANES) {
                    load(a, ai, as, i).min(load(b, bi, bs, i)).intoArray(o, oi + i);
                }
                if (i < n) {
                    VectorMask<Float> m = FLOATS.indexInRange(i, n);
                    load(a, ai, as, i, m).min(load(b, bi, bs, i, m)).intoArray(o, oi + i, m);
                }
            };
            case DIV_TRUNC, DIV_FLOOR, POW, EQ, NE, LT, LE, GT, GE, LOGICAL_AND, LOGICAL_OR -> null;
        };
    }

    @Override
    public void softmax(float[] src, float[] dst, int at, int cols, boolean log) {
        // NaN wins the max, so a row holding NaN comes out all NaN; an all -inf row gives
        // -inf - -inf = NaN everywhere, as in PyTorch.
        float max = max(src, at, cols);
        // The exponentials go to dst (log-softmax overwrites them below) and are summed from
        // there, in L1: summing them in the same loop as a double vector per half would need
        // half-width exps and merged vectors, which C2 compiles less well.
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            FloatVector.fromArray(FLOATS, src, at + i).sub(max).lanewise(VectorOperators.EXP).intoArray(dst, at + i);
        }
        if (i < cols) {
            VectorMask<Float> m = FLOATS.indexInRange(i, cols);
            FloatVector.fromArray(FLOATS, src, at + i, m).sub(max).lanewise(VectorOperators.EXP)
                    .intoArray(dst, at + i, m);
        }
        double sum = sum(dst, at, cols);
        if (log) {
            float shift = (float) Math.log(sum);
            int j = 0;
            for (; j <= cols - LANES; j += LANES) {
                FloatVector.fromArray(FLOATS, src, at + j).sub(max).sub(shift).intoArray(dst, at + j);
            }
            for (; j < cols; j++) {
                dst[at + j] = src[at + j] - max - shift;
            }
        } else {
            float scale = (float) (1 / sum);
            int j = 0;
            for (; j <= cols - LANES; j += LANES) {
                FloatVector.fromArray(FLOATS, dst, at + j).mul(scale).intoArray(dst, at + j);
            }
            for (; j < cols; j++) {
                dst[at + j] *= scale;
            }
        }
    }

    @Override
    public void layerNorm(float[] src, float[] weight, float[] bias, float[] dst, int at, int cols, float eps) {
        double mean = sum(src, at, cols) / cols;
        // Two passes: the deviations are small where a one-pass E[x^2] - E[x]^2 cancels.
        double variance = squaredDeviations(src, at, cols, mean) / cols;
        float m = (float) mean;
        float scale = (float) (1 / Math.sqrt(variance + eps));
        // The float operations of ScalarMath in its order, one loop each: a vector assigned on
        // one branch of an if in the loop would be boxed by C2.
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            FloatVector.fromArray(FLOATS, src, at + i).sub(m).mul(scale).intoArray(dst, at + i);
        }
        for (; i < cols; i++) {
            dst[at + i] = (src[at + i] - m) * scale;
        }
        if (weight != null) {
            int j = 0;
            for (; j <= cols - LANES; j += LANES) {
                FloatVector.fromArray(FLOATS, dst, at + j).mul(FloatVector.fromArray(FLOATS, weight, j))
                        .intoArray(dst, at + j);
            }
            for (; j < cols; j++) {
                dst[at + j] *= weight[j];
            }
        }
        if (bias != null) {
            int j = 0;
            for (; j <= cols - LANES; j += LANES) {
                FloatVector.fromArray(FLOATS, dst, at + j).add(FloatVector.fromArray(FLOATS, bias, j))
                        .intoArray(dst, at + j);
            }
            for (; j < cols; j++) {
                dst[at + j] += bias[j];
            }
        }
    }

    @Override
    public double sum(float[] x, int at, int n) {
        // Two independent chains: one chain of dependent adds would wait on each add's latency.
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, at + i);
            s0 = s0.add(toDouble(v, 0));
            s1 = s1.add(toDouble(v, 1));
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[at + i];
        }
        return sum;
    }

    @Override
    public double squaredDeviations(float[] x, int at, int n, double mean) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, at + i);
            DoubleVector d0 = toDouble(v, 0).sub(mean);
            DoubleVector d1 = toDouble(v, 1).sub(mean);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double d = x[at + i] - mean;
            sum += d * d;
        }
        return sum;
    }

    @Override
    public void accumulate(double[] sums, float[] x, int at, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, at + i);
            DoubleVector.fromArray(DOUBLES, sums, i).add(toDouble(v, 0)).intoArray(sums, i);
            DoubleVector.fromArray(DOUBLES, sums, i + HALF_LANES).add(toDouble(v, 1)).intoArray(sums, i + HALF_LANES);
        }
        for (; i < n; i++) {
            sums[i] += x[at + i];
        }
    }

    @Override
    public void keepGreater(float[] x, int xi, float[] best, int bi, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector kept = FloatVector.fromArray(FLOATS, best, bi + i);
            kept.blend(v, v.compare(VectorOperators.GT, kept).or(v.test(VectorOperators.IS_NAN))).intoArray(best, bi + i);
        }
        SCALAR.keepGreater(x, xi + i, best, bi + i, n - i);
    }

    /** The largest of {@code x[at, at + n)}, NaN if any is; -inf for none. */
    private static float max(float[] x, int at, int n) {
        FloatVector lanes = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            lanes = lanes.max(FloatVector.fromArray(FLOATS, x, at + i));
        }
        float max = lanes.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[at + i]);
        }
        return max;
    }

    /** Operand lanes {@code [i, i + LANES)} of a run at {@code at} stepping by 0 (one value for all) or 1. */
    private static FloatVector load(float[] x, int at, int step, int i) {
        return step == 0 ? FloatVector.broadcast(FLOATS, x[at]) : FloatVector.fromArray(FLOATS, x, at + i);
    }

    private static FloatVector load(float[] x, int at, int step, int i, VectorMask<Float> m) {
        return step == 0 ? FloatVector.broadcast(FLOATS, x[at]) : FloatVector.fromArray(FLOATS, x, at + i, m);
    }

    private static DoubleVector toDouble(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DOUBLES, part);
    }

    /** {@code 1 / (1 + exp(-v))}: exp(-v) overflowing to infinity gives 0, not NaN. */
    private static FloatVector sigmoid(FloatVector v) {
        return ONE.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /** {@link CpuElementwise#fastErf}, its Horner steps fused. */
    private static FloatVector erf(FloatVector v) {
        FloatVector x = v.max(-4f).min(4f);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-2.72614225801306e-10f, 2.77068142495902e-08f);
        p = x2.fma(p, x2.broadcast(-2.10102402082508e-06f));
        p = x2.fma(p, x2.broadcast(-5.69250639462346e-05f));
        p = x2.fma(p, x2.broadcast(-7.34990630326855e-04f));
        p = x2.fma(p, x2.broadcast(-2.95459980854025e-03f));
        p = x2.fma(p, x2.broadcast(-1.60960333262415e-02f));
        FloatVector q = x2.fma(-1.45660718464996e-05f, -2.13374055278905e-04f);
        q = x2.fma(q, x2.broadcast(-1.68282697438203e-03f));
        q = x2.fma(q, x2.broadcast(-7.37332916720468e-03f));
        q = x2.fma(q, x2.broadcast(-1.42647390514189e-02f));
        return x.mul(p).div(q);
    }

    private static FloatVector gelu(FloatVector v) {
        return v.mul(0.5f).mul(erf(v.mul(INV_SQRT2)).add(1f));
    }

    /** {@code 0.5 * (1 + tanh(u)) = sigmoid(2u)}: one exp instead of a slower tanh. */
    private static FloatVector geluTanh(FloatVector v) {
        FloatVector u = v.mul(v).mul(v).fma(v.broadcast(0.044715f), v).mul(SQRT_2_OVER_PI);
        return v.div(u.mul(-2f).lanewise(VectorOperators.EXP).add(1f));
    }
}
