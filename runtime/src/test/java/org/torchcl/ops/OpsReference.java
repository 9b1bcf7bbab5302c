package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.PoolShape;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.UnaryOp;

/**
 * Float64 reference implementations and tolerant comparisons shared by the op conformance tests
 * and the backends' own tests (those use the public members). Everything here works on row-major
 * {@code double[]} data with an explicit {@code int[]} shape.
 */
public final class OpsReference {

    private OpsReference() {
    }

    // ---------------------------------------------------------------- data

    static double[] randn(long seed, int n) {
        Random r = new Random(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    /** Uniform in [lo, hi), each value already a float32. */
    static double[] uniform(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return out;
    }

    /** n evenly spaced float32 values from lo to hi inclusive. */
    static double[] linspace(double lo, double hi, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * i / (n - 1));
        }
        return out;
    }

    /** Values rounded to the nearest float16 (so a float16 tensor holds them exactly). */
    static double[] roundedTo(DType type, double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = roundTo(type, values[i]);
        }
        return out;
    }

    static double roundTo(DType type, double v) {
        return switch (type) {
            case FLOAT32 -> (float) v;
            case FLOAT16 -> halfToFloat(floatToHalf((float) v));
            case BFLOAT16 -> Float.intBitsToFloat(floatToBfloat16((float) v) << 16);
            case INT64, INT32 -> v;
            case BOOL -> v != 0 ? 1 : 0;
        };
    }

    static int numel(int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /** Row-major data of the permuted array: result dim {@code i} is input dim {@code order[i]}. */
    static double[] permute(double[] data, int[] shape, int... order) {
        int[] outShape = permuteShape(shape, order);
        int[] inStrides = contiguousStrides(shape);
        double[] out = new double[data.length];
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < out.length; flat++) {
            int src = 0;
            for (int d = 0; d < order.length; d++) {
                src += idx[d] * inStrides[order[d]];
            }
            out[flat] = data[src];
            increment(idx, outShape);
        }
        return out;
    }

    static int[] permuteShape(int[] shape, int... order) {
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = shape[order[i]];
        }
        return out;
    }

    static double[] transpose2d(double[] data, int rows, int cols) {
        return permute(data, new int[] {rows, cols}, 1, 0);
    }

    /** Advances a row-major multi-index; returns false after the last one. */
    static boolean increment(int[] idx, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return true;
            }
            idx[d] = 0;
        }
        return false;
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length);
            int db = i - (rank - b.length);
            int sa = da < 0 ? 1 : a[da];
            int sb = db < 0 ? 1 : b[db];
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException("reference: " + Arrays.toString(a) + " vs " + Arrays.toString(b));
            }
            out[i] = sa == 1 ? sb : sa;
        }
        return out;
    }

    /** {@code data} of {@code shape} repeated to {@code target} (numpy broadcasting). */
    static double[] broadcastTo(double[] data, int[] shape, int[] target) {
        double[] out = new double[numel(target)];
        int[] strides = contiguousStrides(shape);
        int lead = target.length - shape.length;
        int[] idx = new int[target.length];
        for (int flat = 0; flat < out.length; flat++) {
            int src = 0;
            for (int d = 0; d < shape.length; d++) {
                src += shape[d] == 1 ? 0 : idx[lead + d] * strides[d];
            }
            out[flat] = data[src];
            increment(idx, target);
        }
        return out;
    }

    static double[] binary(double[] a, int[] sa, double[] b, int[] sb, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(sa, sb);
        double[] ea = broadcastTo(a, sa, shape);
        double[] eb = broadcastTo(b, sb, shape);
        double[] out = new double[ea.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(ea[i], eb[i]);
        }
        return out;
    }

    /**
     * Reduces {@code dims} (each once; empty means all) with {@code f} over the slice's values,
     * returning the kept dims in order (keepdim only changes the shape, not the data).
     */
    static double[] reduce(double[] data, int[] shape, int[] dims, ToDoubleFunction<double[]> f) {
        boolean[] reduced = new boolean[shape.length];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int d : dims) {
            reduced[d < 0 ? d + shape.length : d] = true;
        }
        int[] keptShape = keptShape(shape, reduced);
        int[] redShape = reducedShape(shape, reduced);
        int count = numel(redShape);
        double[] out = new double[numel(keptShape)];
        int[] strides = contiguousStrides(shape);
        int[] k = new int[keptShape.length];
        for (int o = 0; o < out.length; o++) {
            double[] slice = new double[count];
            int[] r = new int[redShape.length];
            for (int j = 0; j < count; j++) {
                int src = 0;
                for (int d = 0, ki = 0, ri = 0; d < shape.length; d++) {
                    src += (reduced[d] ? r[ri++] : k[ki++]) * strides[d];
                }
                slice[j] = data[src];
                increment(r, redShape);
            }
            out[o] = f.applyAsDouble(slice);
            increment(k, keptShape);
        }
        return out;
    }

    static int[] keptShape(int[] shape, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> !reduced[d]).map(d -> shape[d]).toArray();
    }

    static int[] reducedShape(int[] shape, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> reduced[d]).map(d -> shape[d]).toArray();
    }

    /** The shape {@code x.sum(dims, keepdim)} has. */
    static int[] reducedOutShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[shape.length];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int d : dims) {
            reduced[d < 0 ? d + shape.length : d] = true;
        }
        if (!keepdim) {
            return keptShape(shape, reduced);
        }
        int[] out = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                out[d] = 1;
            }
        }
        return out;
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    static double mean(double[] v) {
        return sum(v) / v.length;
    }

    static double prod(double[] v) {
        double p = 1;
        for (double x : v) {
            p *= x;
        }
        return p;
    }

    /** NaN-propagating max (PyTorch's amax). */
    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) {
                return Double.NaN;
            }
            m = Math.max(m, x);
        }
        return m;
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            if (Double.isNaN(x)) {
                return Double.NaN;
            }
            m = Math.min(m, x);
        }
        return m;
    }

    static double var(double[] v, int correction) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / (v.length - correction);
    }

    /** First index of the max; the first NaN wins (PyTorch). */
    static double argmax(double[] v) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                return i;
            }
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double argmin(double[] v) {
        int best = 0;
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                return i;
            }
            if (v[i] < v[best]) {
                best = i;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- math

    /** erf to ~1e-15: Taylor series below 3, continued fraction for erfc above. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a;
            double s = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                double add = term / (2 * n + 1);
                s += add;
                if (Math.abs(add) < 1e-17 * Math.abs(s)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * s;
        } else if (a > 7) {
            r = 1;
        } else {
            // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
            double f = a;
            for (int n = 60; n >= 1; n--) {
                f = a + (n / 2.0) / f;
            }
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : (x == 0 ? x : r);
    }

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    public static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** Softmax (or log-softmax) of {@code data} along {@code dim}. */
    public static double[] softmax(double[] data, int[] shape, int dim, boolean log) {
        int d = dim < 0 ? dim + shape.length : dim;
        int n = shape[d];
        int inner = 1;
        for (int k = d + 1; k < shape.length; k++) {
            inner *= shape[k];
        }
        int outer = data.length / Math.max(1, n * inner);
        double[] out = new double[data.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    m = Math.max(m, data[base + j * inner]);
                }
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += Math.exp(data[base + j * inner] - m);
                }
                for (int j = 0; j < n; j++) {
                    double z = data[base + j * inner] - m;
                    out[base + j * inner] = log ? z - Math.log(s) : Math.exp(z) / s;
                }
            }
        }
        return out;
    }

    /** {@code [batch, m, k] x [batch, k, n]}. */
    static double[] matmul(double[] a, double[] b, int batch, int m, int k, int n) {
        double[] out = new double[batch * m * n];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += a[p * m * k + i * k + q] * b[p * k * n + q * n + j];
                    }
                    out[p * m * n + i * n + j] = s;
                }
            }
        }
        return out;
    }

    /** F.conv2d on {@code [N, C, H, W]} with weight {@code [OC, C/groups, KH, KW]}. */
    public static double[] conv2d(double[] x, int n, int c, int h, int w, double[] weight, int oc, int kh, int kw,
                                  double[] bias, int[] stride, int[] pad, int[] dil, int groups) {
        int oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
        int ow = (w + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
        int cg = c / groups;
        int ocg = oc / groups;
        double[] out = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < cg; ci++) {
                            int cin = g * cg + ci;
                            for (int i = 0; i < kh; i++) {
                                int iy = y * stride[0] - pad[0] + i * dil[0];
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int j = 0; j < kw; j++) {
                                    int ix = xo * stride[1] - pad[1] + j * dil[1];
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    s += x[((b * c + cin) * h + iy) * w + ix] * weight[((o * cg + ci) * kh + i) * kw + j];
                                }
                            }
                        }
                        out[((b * oc + o) * oh + y) * ow + xo] = s;
                    }
                }
            }
        }
        return out;
    }

    /** PyTorch's pooling output size, with ONNX-style asymmetric padding. */
    public static int poolOut(int size, int k, int s, int padBefore, int padAfter, int dil, boolean ceil) {
        int span = dil * (k - 1) + 1;
        int room = size + padBefore + padAfter - span;
        int out = (ceil ? (room + s - 1) / s : room / s) + 1;
        if (ceil && (out - 1) * s >= size + padBefore) {
            out--;
        }
        return out;
    }

    enum Pool { MAX, AVG_INCLUDE_PAD, AVG_EXCLUDE_PAD }

    /**
     * Max/avg pooling on {@code planes} images {@code h x w} as PyTorch computes it: padding
     * (top, left, bottom, right); the average divisor counts the window clipped to the padded
     * input (include pad) or to the input itself (exclude pad).
     */
    static double[] pool2d(double[] x, int planes, int h, int w, Pool mode, int kh, int kw, int sh, int sw,
                           int pt, int pl, int pb, int pr, int dh, int dw, boolean ceil) {
        int oh = poolOut(h, kh, sh, pt, pb, dh, ceil);
        int ow = poolOut(w, kw, sw, pl, pr, dw, ceil);
        double[] out = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < oh; y++) {
                for (int xo = 0; xo < ow; xo++) {
                    int hs = y * sh - pt;
                    int ws = xo * sw - pl;
                    double acc = mode == Pool.MAX ? Double.NEGATIVE_INFINITY : 0;
                    int inside = 0;
                    boolean nan = false;
                    for (int i = 0; i < kh; i++) {
                        int iy = hs + i * dh;
                        for (int j = 0; j < kw; j++) {
                            int ix = ws + j * dw;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            double v = x[(p * h + iy) * w + ix];
                            inside++;
                            if (mode == Pool.MAX) {
                                nan |= Double.isNaN(v);
                                acc = Math.max(acc, v);
                            } else {
                                acc += v;
                            }
                        }
                    }
                    double value;
                    if (mode == Pool.MAX) {
                        value = nan ? Double.NaN : acc;
                    } else if (mode == Pool.AVG_EXCLUDE_PAD) {
                        value = acc / inside;
                    } else {
                        int hend = Math.min(hs + kh, h + pb);
                        int wend = Math.min(ws + kw, w + pr);
                        value = acc / ((hend - hs) * (wend - ws));
                    }
                    out[(p * oh + y) * ow + xo] = value;
                }
            }
        }
        return out;
    }

    /** PyTorch's adaptive average pooling windows: [floor(i*H/o), ceil((i+1)*H/o)). */
    static double[] adaptiveAvg(double[] x, int planes, int h, int w, int oh, int ow) {
        double[] out = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                int h0 = Math.floorDiv(i * h, oh);
                int h1 = -Math.floorDiv(-(i + 1) * h, oh);
                for (int j = 0; j < ow; j++) {
                    int w0 = Math.floorDiv(j * w, ow);
                    int w1 = -Math.floorDiv(-(j + 1) * w, ow);
                    double s = 0;
                    for (int y = h0; y < h1; y++) {
                        for (int xx = w0; xx < w1; xx++) {
                            s += x[(p * h + y) * w + xx];
                        }
                    }
                    out[(p * oh + i) * ow + j] = s / ((h1 - h0) * (w1 - w0));
                }
            }
        }
        return out;
    }

    /**
     * One output cell of {@code s}'s pooling of {@code x}, {@code [planes, height, width]}: plane
     * {@code p}, row {@code oh}, column {@code ow}, from PoolShape's definitions (dilated windows
     * included; the include-pad divisor counts the taps inside the padded bounds).
     */
    public static double pool(PoolShape s, float[] x, int p, int oh, int ow) {
        int h = s.height();
        int w = s.width();
        if (s.mode() == PoolShape.Mode.ADAPTIVE_AVG) {
            int r0 = Math.floorDiv(oh * h, s.outHeight());
            int r1 = -Math.floorDiv(-(oh + 1) * h, s.outHeight());
            int c0 = Math.floorDiv(ow * w, s.outWidth());
            int c1 = -Math.floorDiv(-(ow + 1) * w, s.outWidth());
            double sum = 0;
            for (int r = r0; r < r1; r++) {
                for (int c = c0; c < c1; c++) {
                    sum += x[(p * h + r) * w + c];
                }
            }
            return sum / ((r1 - r0) * (c1 - c0));
        }
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int inside = 0;
        int padded = 0;
        for (int i = 0; i < s.kernelH(); i++) {
            for (int j = 0; j < s.kernelW(); j++) {
                int r = oh * s.strideH() - s.padTop() + i * s.dilationH();
                int c = ow * s.strideW() - s.padLeft() + j * s.dilationW();
                if (r >= -s.padTop() && r < h + s.padBottom() && c >= -s.padLeft() && c < w + s.padRight()) {
                    padded++;
                }
                if (r >= 0 && r < h && c >= 0 && c < w) {
                    double v = x[(p * h + r) * w + c];
                    max = Double.isNaN(v) || v > max ? v : max;
                    sum += v;
                    inside++;
                }
            }
        }
        return switch (s.mode()) {
            case MAX -> max;
            case AVG_INCLUDE_PAD -> padded == 0 ? 0 : sum / padded;
            case AVG_EXCLUDE_PAD -> inside == 0 ? 0 : sum / inside;
            case ADAPTIVE_AVG -> throw new AssertionError();
        };
    }

    // ---------------------------------------------------------------- backend ops, one value at a time

    /** {@code op} of {@code x} (CLAMP to {@code [low, high]}), NaN propagating as in PyTorch. */
    public static double unary(UnaryOp op, double x, double low, double high) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case ERF -> erf(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0);
            case GELU -> gelu(x);
            case GELU_TANH -> geluTanh(x);
            case SILU -> x / (1 + Math.exp(-x));
            case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, low), high);
            case LOGICAL_NOT -> x == 0 ? 1 : 0;
        };
    }

    /** {@code op} of float operands, rounded to float32 as the kernels compute (bool results as 0/1). */
    public static double binary(BinaryOp op, double a, double b) {
        DoubleBinaryOperator f = switch (op) {
            case ADD -> (x, y) -> x + y;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> (x, y) -> x / y;
            case DIV_TRUNC -> (x, y) -> truncate(x / y);
            case DIV_FLOOR -> OpsReference::floorDivide;
            // C's pow, as PyTorch's: 1^y and (-1)^±inf are 1 even for NaN and infinite y (Java says NaN).
            case POW -> (x, y) -> x == 1 || (x == -1 && Double.isInfinite(y)) ? 1 : Math.pow(x, y);
            case MAXIMUM -> (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MINIMUM -> (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case EQ -> (x, y) -> x == y ? 1 : 0;
            case NE -> (x, y) -> x != y ? 1 : 0;
            case LT -> (x, y) -> x < y ? 1 : 0;
            case LE -> (x, y) -> x <= y ? 1 : 0;
            case GT -> (x, y) -> x > y ? 1 : 0;
            case GE -> (x, y) -> x >= y ? 1 : 0;
            case LOGICAL_AND -> (x, y) -> x != 0 && y != 0 ? 1 : 0;
            case LOGICAL_OR -> (x, y) -> x != 0 || y != 0 ? 1 : 0;
        };
        // Rounded to float32, as the kernels compute: overflow to infinity, underflow to zero.
        return (float) f.applyAsDouble(a, b);
    }

    /** PyTorch's (and Python's) float floor division: exact for tiny quotients, NaN for inf // x. */
    private static double floorDivide(double a, double b) {
        if (b == 0) {
            return a / b;
        }
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div -= 1;
        }
        return div == 0 ? Math.copySign(0, a / b) : Math.floor(div) + (div - Math.floor(div) > 0.5 ? 1 : 0);
    }

    private static double truncate(double v) {
        return v < 0 ? Math.ceil(v) : Math.floor(v);
    }

    /**
     * {@code op} over a whole row: NaN propagates through AMAX/AMIN, the first NaN wins the
     * arg-reductions and otherwise the first of equal extremes; VAR divides by
     * {@code max(0, n - correction)}.
     */
    public static double reduce(ReduceOp op, double[] row, double correction) {
        int n = row.length;
        double sum = Arrays.stream(row).sum();
        return switch (op) {
            case SUM -> sum;
            case MEAN -> sum / n;
            case AMAX -> Arrays.stream(row).reduce(Double.NEGATIVE_INFINITY, (a, b) -> Double.isNaN(a) || a >= b ? a : b);
            case AMIN -> Arrays.stream(row).reduce(Double.POSITIVE_INFINITY, (a, b) -> Double.isNaN(a) || a <= b ? a : b);
            case PROD -> Arrays.stream(row).reduce(1, (a, b) -> a * b);
            case VAR -> Arrays.stream(row).map(v -> (v - sum / n) * (v - sum / n)).sum() / Math.max(0, n - correction);
            case ARGMAX, ARGMIN -> {
                int best = 0;
                for (int i = 1; i < n; i++) {
                    if (Double.isNaN(row[best])) {
                        break;
                    }
                    if (Double.isNaN(row[i]) || (op == ReduceOp.ARGMAX ? row[i] > row[best] : row[i] < row[best])) {
                        best = i;
                    }
                }
                yield best;
            }
        };
    }

    // ---------------------------------------------------------------- 16-bit floats (host side, for expectations)

    static float halfToFloat(int bits) {
        int sign = (bits >>> 15) & 1;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        float v;
        if (exp == 0x1F) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exp == 0) {
            v = mant * 0x1p-24f;
        } else {
            v = (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
        }
        return sign == 1 ? -v : v;
    }

    /** float32 to float16 bits, round to nearest even (NaN to 0x7E00 with the sign). */
    static int floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return sign | 0x7E00;
        }
        double a = Math.abs((double) f);
        if (a == 0) {
            return sign;
        }
        if (a >= 65520) {
            return sign | 0x7C00;
        }
        // scale so the float16 ulp becomes 1, then round half even
        int e = Math.max(Math.getExponent(a), -14);
        double ulp = Math.scalb(1.0, e - 10);
        double q = Math.rint(a / ulp) * ulp;
        if (q == 0) {
            return sign;
        }
        int qe = Math.getExponent(q);
        if (qe < -14) {
            return sign | (int) (q / 0x1p-24);
        }
        int mant = (int) ((q / Math.scalb(1.0, qe) - 1) * 1024);
        return sign | ((qe + 15) << 10) | mant;
    }

    /** float32 to bfloat16 bits, round to nearest even (NaN to 0x7FC0 with the sign). */
    static int floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return ((bits >>> 16) & 0x8000) | 0x7FC0;
        }
        int lsb = (bits >>> 16) & 1;
        return ((bits + 0x7FFF + lsb) >>> 16) & 0xFFFF;
    }

    // ---------------------------------------------------------------- tensors

    /** A contiguous tensor of {@code type} holding {@code data} (converted as the dtype stores it). */
    static Tensor tensor(Device device, DType type, double[] data, int... shape) {
        return switch (type) {
            case FLOAT32 -> Torch.tensor(device, toFloats(data), shape);
            case FLOAT16, BFLOAT16 -> {
                try (Tensor f = Torch.tensor(device, toFloats(data), shape)) {
                    yield f.to(type);
                }
            }
            case INT64 -> Torch.tensor(device, Arrays.stream(data).mapToLong(v -> (long) v).toArray(), shape);
            case INT32 -> Torch.tensor(device, Arrays.stream(data).mapToInt(v -> (int) v).toArray(), shape);
            case BOOL -> {
                boolean[] b = new boolean[data.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = data[i] != 0;
                }
                yield Torch.tensor(device, b, shape);
            }
        };
    }

    static Tensor tensor(Device device, double[] data, int... shape) {
        return tensor(device, DType.FLOAT32, data, shape);
    }

    static float[] toFloats(double[] data) {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return f;
    }

    public static double[] toDoubles(float[] data) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return d;
    }

    public static double[] toDoubles(long[] data) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = data[i];
        }
        return d;
    }

    /** The elements as doubles, read in the tensor's own kind (int64 exactly up to 2^53, bool as 0/1). */
    static double[] values(Tensor t) {
        switch (t.dtype()) {
            case INT64, INT32:
                return toDoubles(t.toLongArray());
            case BOOL: {
                boolean[] b = t.toBooleanArray();
                double[] out = new double[b.length];
                for (int i = 0; i < b.length; i++) {
                    out[i] = b[i] ? 1 : 0;
                }
                return out;
            }
            default:
                return toDoubles(t.toArray());
        }
    }

    /**
     * How an input is laid out in memory; {@link #make} gives a tensor with the same logical
     * contents whatever the layout.
     */
    enum Layout {
        /** Row-major from offset 0. */
        CONTIGUOUS,
        /** Every dim reversed in storage and permuted back (a 1-D tensor: stride 2). */
        TRANSPOSED,
        /** Embedded in a wider last dim at offset 2 and narrowed out (non-zero offset, gaps). */
        NARROWED;

        Tensor make(Device device, DType type, double[] data, int... shape) {
            if (this == CONTIGUOUS || shape.length == 0) {
                return tensor(device, type, data, shape);
            }
            if (this == TRANSPOSED) {
                if (shape.length == 1) {
                    double[] wide = new double[data.length * 2];
                    for (int i = 0; i < data.length; i++) {
                        wide[2 * i] = data[i];
                        wide[2 * i + 1] = -777;
                    }
                    try (Tensor base = tensor(device, type, wide, shape[0], 2)) {
                        return base.select(1, 0);
                    }
                }
                int[] rev = new int[shape.length];
                for (int i = 0; i < rev.length; i++) {
                    rev[i] = shape.length - 1 - i;
                }
                try (Tensor base = tensor(device, type, permute(data, shape, rev), permuteShape(shape, rev))) {
                    return base.permute(rev);
                }
            }
            int last = shape[shape.length - 1];
            int[] wideShape = shape.clone();
            wideShape[shape.length - 1] = last + 3;
            double[] wide = new double[numel(wideShape)];
            Arrays.fill(wide, -999);
            int rows = last == 0 ? numel(Arrays.copyOf(shape, shape.length - 1)) : data.length / last;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(data, r * last, wide, r * (last + 3) + 2, last);
            }
            try (Tensor base = tensor(device, type, wide, wideShape)) {
                return base.narrow(-1, 2, last);
            }
        }

        Tensor make(Device device, double[] data, int... shape) {
            return make(device, DType.FLOAT32, data, shape);
        }
    }

    // ---------------------------------------------------------------- assertions

    static long allocated(Device device) {
        return device.memoryStats().allocatedBytes();
    }

    static void assertShape(int[] expected, Tensor t) {
        assertArrayEquals(expected, t.shape(), () -> "shape of " + t);
    }

    /**
     * {@code |actual - expected| <= atol + rtol * |expected|} elementwise; NaN only matches NaN,
     * an infinity only itself. Reports the first mismatches and their count.
     */
    static void assertClose(String what, double[] expected, double[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int bad = 0;
        StringBuilder firsts = new StringBuilder();
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok;
            if (Double.isNaN(e) || Double.isNaN(a)) {
                ok = Double.isNaN(e) && Double.isNaN(a);
            } else if (Double.isInfinite(e) || Double.isInfinite(a)) {
                ok = e == a;
            } else {
                double err = Math.abs(a - e);
                ok = err <= atol + rtol * Math.abs(e);
                worst = Math.max(worst, err / (atol + rtol * Math.abs(e)));
            }
            if (!ok) {
                if (bad < 6) {
                    firsts.append(String.format(" [%d] expected %.9g got %.9g;", i, e, a));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements outside rtol=" + rtol + ", atol=" + atol
                    + ":" + firsts);
        }
    }

    static void assertClose(String what, double[] expected, Tensor actual, double rtol, double atol) {
        assertClose(what + " (" + actual + ")", expected, values(actual), rtol, atol);
    }

    /** Exact equality, NaN equal to NaN, and the sign of zero checked. */
    static void assertExact(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Double.doubleToLongBits(e) == Double.doubleToLongBits(a);
            if (!ok) {
                fail(what + ": element " + i + " expected " + e + " got " + a + " (expected " + Arrays.toString(expected)
                        + ", got " + Arrays.toString(actual) + ")");
            }
        }
    }

    /** The tolerance a float32 reference keeps after rounding to {@code type}. */
    static double storageRtol(DType type) {
        return switch (type) {
            case FLOAT16 -> 1e-3;
            case BFLOAT16 -> 8e-3;
            default -> 1e-5;
        };
    }
}
