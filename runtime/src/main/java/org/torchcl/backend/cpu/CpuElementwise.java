package org.torchcl.backend.cpu;

import java.util.concurrent.atomic.AtomicReference;
import org.torchcl.DType;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Layouts;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;

/**
 * Elementwise ops on the CPU. Every op is one entry of a table that maps it to a loop over float32
 * values ({@link #floatLoop(UnaryOp, float, float)}, {@link #floatLoop(BinaryOp)}) and, where it
 * has an integer form, one over int64 values. Operands of any dtype and layout are walked run by
 * run and staged through per-thread chunks that stay in L1; runs whose float32 operands all start
 * at the same offset with unit steps (same-shape contiguous tensors) are computed in place, and so
 * are float32 runs of broadcast operands (steps 0 or 1 from offsets of their own) where
 * {@link CpuMath#binary} has a loop for them. {@link CpuMath#unary} replaces the table's loops of
 * exp-like ops where it has faster ones.
 *
 * <p>The loops index every array with the same expression, {@code x[i]}: C2 (as of JDK 17) only
 * vectorizes a loop when its loads and stores differ by constants, so {@code o[oi + i] = x[xi + i]}
 * would run scalar, several times slower than memory. Math.max/min vectorize where ternaries on
 * floats do not, so CLAMP and GELU clamp with them; RELU keeps its ternary, because Math.max turns
 * -0 into +0 and PyTorch's relu keeps -0.
 */
final class CpuElementwise {

    /** A float op over {@code [from, to)}: {@code out[i] = f(x[i])}. */
    @FunctionalInterface
    interface FloatUnary {
        void apply(float[] x, float[] out, int from, int to);
    }

    /** A float op over {@code [from, to)}: {@code out[i] = f(a[i], b[i])}. */
    @FunctionalInterface
    interface FloatBinary {
        void apply(float[] a, float[] b, float[] out, int from, int to);
    }

    /** An int64 op over the first {@code n} values of its chunks. */
    @FunctionalInterface
    interface LongUnary {
        void apply(long[] x, long[] out, int n);
    }

    /** An int64 op over the first {@code n} values of its chunks. */
    @FunctionalInterface
    interface LongBinary {
        void apply(long[] a, long[] b, long[] out, int n);
    }

    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    /** Staging chunks, one set per thread: they stay in L1 across the runs a worker takes. */
    private static final ThreadLocal<Chunks> CHUNKS = ThreadLocal.withInitial(Chunks::new);

    private final Parallel parallel;
    private final CpuMath math;

    CpuElementwise(Parallel parallel, CpuMath math) {
        this.parallel = parallel;
        this.math = math;
    }

    // ---------------------------------------------------------------- the op tables

    /** The float32 loop of {@code op}; {@code lo, hi} are {@link UnaryOp#CLAMP}'s bounds. */
    static FloatUnary floatLoop(UnaryOp op, float lo, float hi) {
        return switch (op) {
            case NEG -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = -x[i];
                }
            };
            case ABS -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = Math.abs(x[i]);
                }
            };
            case EXP -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) Math.exp(x[i]);
                }
            };
            case LOG -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) Math.log(x[i]);
                }
            };
            case SQRT -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) Math.sqrt(x[i]);
                }
            };
            case RSQRT -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) (1 / Math.sqrt(x[i]));
                }
            };
            case RECIPROCAL -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = 1 / x[i];
                }
            };
            case ERF -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) erf(x[i]);
                }
            };
            case TANH -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) Math.tanh(x[i]);
                }
            };
            // In double, exp(-x) overflowing to infinity gives the limits 0 and 1 rather than NaN.
            case SIGMOID -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) (1 / (1 + Math.exp(-x[i])));
                }
            };
            // On the bits: a float ternary compiles to a branch, which mispredicts on every other sign.
            // NaN and -0 are not below 0 and pass through, as in torch.relu.
            case RELU -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    o[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v) & (v < 0f ? 0 : -1));
                }
            };
            case GELU -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    o[i] = 0.5f * v * (1 + fastErf(v * INV_SQRT2));
                }
            };
            // 0.5 * (1 + tanh(u)) = sigmoid(2u): one exp instead of a much slower tanh.
            case GELU_TANH -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    double u = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
                    o[i] = (float) (v / (1 + Math.exp(-2 * u)));
                }
            };
            case SILU -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    double v = x[i];
                    o[i] = (float) (v / (1 + Math.exp(-v)));
                }
            };
            // Math.max/min keep NaN; an infinite bound leaves the value alone.
            case CLAMP -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = Math.min(Math.max(x[i], lo), hi);
                }
            };
            case LOGICAL_NOT -> (x, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = x[i] == 0 ? 1f : 0f;
                }
            };
        };
    }

    /**
     * The int64 loop of {@code op}, or null when the op has no integer form (it then computes in
     * float32 whatever the operands).
     */
    static LongUnary longLoop(UnaryOp op, long lo, long hi) {
        return switch (op) {
            case NEG -> (x, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = -x[i];
                }
            };
            case ABS -> (x, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.abs(x[i]);
                }
            };
            case RELU -> (x, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.max(x[i], 0);
                }
            };
            case CLAMP -> (x, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.min(Math.max(x[i], lo), hi);
                }
            };
            case LOGICAL_NOT -> (x, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = x[i] == 0 ? 1 : 0;
                }
            };
            case EXP, LOG, SQRT, RSQRT, RECIPROCAL, ERF, TANH, SIGMOID, GELU, GELU_TANH, SILU -> null;
        };
    }

    /** The float32 loop of {@code op}; comparisons and logical ops write 1 or 0. */
    static FloatBinary floatLoop(BinaryOp op) {
        return switch (op) {
            case ADD -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] + b[i];
                }
            };
            case SUB -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] - b[i];
                }
            };
            case MUL -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] * b[i];
                }
            };
            case DIV -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] / b[i];
                }
            };
            case DIV_TRUNC -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    float q = a[i] / b[i];
                    o[i] = (float) (q < 0 ? Math.ceil(q) : Math.floor(q));
                }
            };
            case DIV_FLOOR -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = floorDivide(a[i], b[i]);
                }
            };
            case POW -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = (float) Math.pow(a[i], b[i]);
                }
            };
            // Math.max/min return NaN when either side is NaN, as torch.maximum/minimum.
            case MAXIMUM -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = Math.max(a[i], b[i]);
                }
            };
            case MINIMUM -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = Math.min(a[i], b[i]);
                }
            };
            case EQ -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] == b[i] ? 1f : 0f;
                }
            };
            case NE -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] != b[i] ? 1f : 0f;
                }
            };
            case LT -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] < b[i] ? 1f : 0f;
                }
            };
            case LE -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] <= b[i] ? 1f : 0f;
                }
            };
            case GT -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] > b[i] ? 1f : 0f;
                }
            };
            case GE -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] >= b[i] ? 1f : 0f;
                }
            };
            // NaN is nonzero, hence true, as in PyTorch.
            case LOGICAL_AND -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] != 0 && b[i] != 0 ? 1f : 0f;
                }
            };
            case LOGICAL_OR -> (a, b, o, from, to) -> {
                for (int i = from; i < to; i++) {
                    o[i] = a[i] != 0 || b[i] != 0 ? 1f : 0f;
                }
            };
        };
    }

    /** The int64 loop of {@code op}, or null when the op has no integer form (true division). */
    static LongBinary longLoop(BinaryOp op) {
        return switch (op) {
            case ADD -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] + b[i];
                }
            };
            case SUB -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] - b[i];
                }
            };
            case MUL -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] * b[i];
                }
            };
            case DIV -> null;
            case DIV_TRUNC -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] / nonZero(b[i]);
                }
            };
            case DIV_FLOOR -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.floorDiv(a[i], nonZero(b[i]));
                }
            };
            case POW -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = pow(a[i], b[i]);
                }
            };
            case MAXIMUM -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.max(a[i], b[i]);
                }
            };
            case MINIMUM -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = Math.min(a[i], b[i]);
                }
            };
            case EQ -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] == b[i] ? 1 : 0;
                }
            };
            case NE -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] != b[i] ? 1 : 0;
                }
            };
            case LT -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] < b[i] ? 1 : 0;
                }
            };
            case LE -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] <= b[i] ? 1 : 0;
                }
            };
            case GT -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] > b[i] ? 1 : 0;
                }
            };
            case GE -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] >= b[i] ? 1 : 0;
                }
            };
            case LOGICAL_AND -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] != 0 && b[i] != 0 ? 1 : 0;
                }
            };
            case LOGICAL_OR -> (a, b, o, n) -> {
                for (int i = 0; i < n; i++) {
                    o[i] = a[i] != 0 || b[i] != 0 ? 1 : 0;
                }
            };
        };
    }

    // ---------------------------------------------------------------- the backend entry points

    void unary(UnaryOp op, Strided src, Strided dst, double p0, double p1) {
        if (dst.numel() == 0) {
            return;
        }
        CpuBuffer x = (CpuBuffer) src.buffer();
        CpuBuffer out = (CpuBuffer) dst.buffer();
        Layouts.Merged merged = Layouts.merge(dst, src);
        long[] bases = {dst.offset(), src.offset()};
        // (long) of an infinite double saturates, so an absent bound stays no bound in int64 too.
        LongUnary integral = anyFloat(src, dst) ? null : longLoop(op, (long) p0, (long) p1);
        if (integral != null) {
            forEachRunRethrowing(merged, bases, (offsets, steps, n) -> {
                long[] chunk = CHUNKS.get().long0;
                CpuArrays.loadLongs(x, offsets[1], steps[1], n, chunk);
                integral.apply(chunk, chunk, n);
                CpuArrays.storeLongs(chunk, n, out, offsets[0], steps[0]);
            });
            return;
        }
        FloatUnary fast = math.unary(op);
        FloatUnary loop = fast != null ? fast : floatLoop(op, (float) p0, (float) p1);
        boolean float32 = allFloat32(src, dst);
        StridedLoop.forEachRun(parallel, merged, bases, CpuBackend.RUN, CpuBackend.ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    if (float32 && inPlace(offsets, steps)) {
                        int from = (int) offsets[0];
                        loop.apply((float[]) x.array, (float[]) out.array, from, from + n);
                        return;
                    }
                    float[] chunk = CHUNKS.get().float0;
                    CpuArrays.loadFloats(x, offsets[1], steps[1], n, chunk);
                    loop.apply(chunk, chunk, 0, n);
                    CpuArrays.storeFloats(chunk, n, out, offsets[0], steps[0]);
                });
    }

    void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        if (out.numel() == 0) {
            return;
        }
        CpuBuffer left = (CpuBuffer) a.buffer();
        CpuBuffer right = (CpuBuffer) b.buffer();
        CpuBuffer result = (CpuBuffer) out.buffer();
        Layouts.Merged merged = Layouts.merge(out, a, b);
        long[] bases = {out.offset(), a.offset(), b.offset()};
        LongBinary integral = anyFloat(a, b, out) ? null : longLoop(op);
        if (integral != null) {
            forEachRunRethrowing(merged, bases, (offsets, steps, n) -> {
                Chunks chunks = CHUNKS.get();
                CpuArrays.loadLongs(left, offsets[1], steps[1], n, chunks.long0);
                CpuArrays.loadLongs(right, offsets[2], steps[2], n, chunks.long1);
                integral.apply(chunks.long0, chunks.long1, chunks.long0, n);
                CpuArrays.storeLongs(chunks.long0, n, result, offsets[0], steps[0]);
            });
            return;
        }
        FloatBinary loop = floatLoop(op);
        boolean float32 = allFloat32(a, b, out);
        CpuMath.BinaryRun broadcast = float32 ? math.binary(op) : null;
        StridedLoop.forEachRun(parallel, merged, bases, CpuBackend.RUN, CpuBackend.ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    if (float32 && inPlace(offsets, steps)) {
                        int from = (int) offsets[0];
                        loop.apply((float[]) left.array, (float[]) right.array, (float[]) result.array, from, from + n);
                        return;
                    }
                    if (broadcast != null && steps[0] == 1 && readableInPlace(left, offsets[1], steps[1], result, offsets[0])
                            && readableInPlace(right, offsets[2], steps[2], result, offsets[0])) {
                        broadcast.apply((float[]) left.array, (int) offsets[1], (int) steps[1],
                                (float[]) right.array, (int) offsets[2], (int) steps[2],
                                (float[]) result.array, (int) offsets[0], n);
                        return;
                    }
                    Chunks chunks = CHUNKS.get();
                    CpuArrays.loadFloats(left, offsets[1], steps[1], n, chunks.float0);
                    CpuArrays.loadFloats(right, offsets[2], steps[2], n, chunks.float1);
                    loop.apply(chunks.float0, chunks.float1, chunks.float0, 0, n);
                    CpuArrays.storeFloats(chunks.float0, n, result, offsets[0], steps[0]);
                });
    }

    void where(Strided cond, Strided a, Strided b, Strided out) {
        if (out.numel() == 0) {
            return;
        }
        CpuBuffer mask = (CpuBuffer) cond.buffer();
        CpuBuffer left = (CpuBuffer) a.buffer();
        CpuBuffer right = (CpuBuffer) b.buffer();
        CpuBuffer result = (CpuBuffer) out.buffer();
        Layouts.Merged merged = Layouts.merge(out, cond, a, b);
        long[] bases = {out.offset(), cond.offset(), a.offset(), b.offset()};
        // Integers are picked in int64 so that values beyond float32's 24-bit mantissa survive.
        boolean integral = !anyFloat(a, b, out);
        boolean float32 = mask.dtype == DType.BOOL && allFloat32(a, b, out);
        StridedLoop.forEachRun(parallel, merged, bases, CpuBackend.RUN, CpuBackend.ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    if (float32 && steps[0] == 1 && (steps[1] == 0 || steps[1] == 1)
                            && readableInPlace(left, offsets[2], steps[2], result, offsets[0])
                            && readableInPlace(right, offsets[3], steps[3], result, offsets[0])) {
                        // Read in place, as masked_fill's float scores are: no staging through int64.
                        pickFloats((byte[]) mask.array, (int) offsets[1], (int) steps[1], (float[]) left.array,
                                (int) offsets[2], (int) steps[2], (float[]) right.array, (int) offsets[3],
                                (int) steps[3], (float[]) result.array, (int) offsets[0], n);
                        return;
                    }
                    Chunks chunks = CHUNKS.get();
                    CpuArrays.loadLongs(mask, offsets[1], steps[1], n, chunks.long2);
                    long[] picks = chunks.long2;
                    if (integral) {
                        long[] x = chunks.long0;
                        long[] y = chunks.long1;
                        CpuArrays.loadLongs(left, offsets[2], steps[2], n, x);
                        CpuArrays.loadLongs(right, offsets[3], steps[3], n, y);
                        for (int i = 0; i < n; i++) {
                            x[i] = picks[i] != 0 ? x[i] : y[i];
                        }
                        CpuArrays.storeLongs(x, n, result, offsets[0], steps[0]);
                    } else {
                        float[] x = chunks.float0;
                        float[] y = chunks.float1;
                        CpuArrays.loadFloats(left, offsets[2], steps[2], n, x);
                        CpuArrays.loadFloats(right, offsets[3], steps[3], n, y);
                        for (int i = 0; i < n; i++) {
                            x[i] = picks[i] != 0 ? x[i] : y[i];
                        }
                        CpuArrays.storeFloats(x, n, result, offsets[0], steps[0]);
                    }
                });
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Runs integer loops, which report bad operands (a zero divisor, a negative exponent) by
     * throwing. The first such exception is rethrown here, in the caller's thread: thrown across
     * the fork-join pool it would arrive as a copy without its message.
     */
    private void forEachRunRethrowing(Layouts.Merged merged, long[] bases, StridedLoop.Run body) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        StridedLoop.forEachRun(parallel, merged, bases, CpuBackend.RUN, CpuBackend.ELEMENTWISE_GRAIN,
                (offsets, steps, n) -> {
                    if (failure.get() != null) {
                        return;
                    }
                    try {
                        body.run(offsets, steps, n);
                    } catch (ArithmeticException | IllegalArgumentException e) {
                        failure.compareAndSet(null, e);
                    }
                });
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static boolean anyFloat(Strided... operands) {
        for (Strided s : operands) {
            if (s.dtype().isFloatingPoint()) {
                return true;
            }
        }
        return false;
    }

    private static boolean allFloat32(Strided... operands) {
        for (Strided s : operands) {
            if (s.dtype() != DType.FLOAT32) {
                return false;
            }
        }
        return true;
    }

    /** Whether every operand of a run steps by one from one shared offset: then no staging is needed. */
    private static boolean inPlace(long[] offsets, long[] steps) {
        for (int o = 0; o < offsets.length; o++) {
            if (steps[o] != 1 || offsets[o] != offsets[0]) {
                return false;
            }
        }
        return true;
    }

    /** {@code o[oi + i] = m[mi + i * ms] != 0 ? x[xi + i * xs] : y[yi + i * ys]}, each step 0 or 1. */
    private static void pickFloats(byte[] m, int mi, int ms, float[] x, int xi, int xs, float[] y, int yi, int ys,
                                   float[] o, int oi, int n) {
        for (int i = 0; i < n; i++) {
            // A select on the bits: a float ternary would branch, and mispredict on a random mask.
            int pick = m[mi + i * ms] != 0 ? -1 : 0;
            o[oi + i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[xi + i * xs]) & pick
                    | Float.floatToRawIntBits(y[yi + i * ys]) & ~pick);
        }
    }

    /**
     * Whether a {@link CpuMath.BinaryRun} may read an operand run in place: it steps by 0 or 1, and
     * it either lies in another array than the output or is read where it is written. A run
     * overlapping the output elsewhere must be staged, read whole before any of it is overwritten.
     */
    private static boolean readableInPlace(CpuBuffer operand, long offset, long step, CpuBuffer out, long outOffset) {
        return (step == 0 || step == 1) && (operand.array != out.array || (step == 1 && offset == outOffset));
    }

    private static long nonZero(long divisor) {
        if (divisor == 0) {
            throw new ArithmeticException("integer division by zero");
        }
        return divisor;
    }

    /** {@code base ** exponent} wrapping around on overflow, as PyTorch's int64 pow. */
    private static long pow(long base, long exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("Integers to negative integer powers are not allowed (got "
                    + base + " ** " + exponent + ")");
        }
        long result = 1;
        for (long e = exponent, b = base; e != 0; e >>= 1, b *= b) {
            if ((e & 1) != 0) {
                result *= b;
            }
        }
        return result;
    }

    /**
     * PyTorch's float floor division: derived from the exact remainder {@code fmod(a, b)} rather
     * than from the rounded quotient, so that {@code 1 // 0.1f} is 9 (the true quotient is just
     * under 10), with the quotient's sign on a zero result and IEEE results for {@code b == 0}.
     */
    static float floorDivide(float a, float b) {
        if (b == 0) {
            return a / b;
        }
        float mod = a % b;
        float div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div -= 1;
        }
        if (div == 0) {
            return Math.copySign(0f, a / b);
        }
        float floor = (float) Math.floor(div);
        return div - floor > 0.5f ? floor + 1 : floor;
    }

    /**
     * erf in float arithmetic that C2 vectorizes (no calls, no branches): the rational minimax
     * approximation of Eigen and XLA on [-4, 4], outside which erf rounds to ±1 in float32. Its
     * error stays below 4e-7, a few ulp, which GELU (x / 2 damps it further) can afford; the
     * ERF op itself uses the more accurate {@link #erf(double)}.
     */
    static float fastErf(float v) {
        float x = Math.min(Math.max(v, -4f), 4f);
        float x2 = x * x;
        float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
        p = x2 * p - 2.10102402082508e-06f;
        p = x2 * p - 5.69250639462346e-05f;
        p = x2 * p - 7.34990630326855e-04f;
        p = x2 * p - 2.95459980854025e-03f;
        p = x2 * p - 1.60960333262415e-02f;
        float q = x2 * -1.45660718464996e-05f - 2.13374055278905e-04f;
        q = x2 * q - 1.68282697438203e-03f;
        q = x2 * q - 7.37332916720468e-03f;
        q = x2 * q - 1.42647390514189e-02f;
        return x * p / q;
    }

    /**
     * erf in double by W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; the
     * netlib CALERF coefficients), accurate to about 1e-16 relative. Beyond |x| = 4, where
     * {@code 1 - erf(x) < 1.6e-8}, it returns ±1: float32 results round there anyway.
     */
    static double erf(double x) {
        double y = Math.abs(x);
        if (y > 4) {
            return Math.copySign(1.0, x);
        }
        if (y <= 0.46875) {
            double z = y * y;
            double num = (((1.85777706184603153e-1 * z + 3.16112374387056560e00) * z + 1.13864154151050156e02) * z
                    + 3.77485237685302021e02) * z + 3.20937758913846947e03;
            double den = (((z + 2.36012909523441209e01) * z + 2.44024637934444173e02) * z
                    + 1.28261652607737228e03) * z + 2.84423683343917062e03;
            return x * num / den;
        }
        double num = (((((((2.15311535474403846e-8 * y + 5.64188496988670089e-1) * y + 8.88314979438837594e00) * y
                + 6.61191906371416295e01) * y + 2.98635138197400131e02) * y + 8.81952221241769090e02) * y
                + 1.71204761263407058e03) * y + 2.05107837782607147e03) * y + 1.23033935479799725e03;
        double den = (((((((y + 1.57449261107098347e01) * y + 1.17693950891312499e02) * y
                + 5.37181101862009858e02) * y + 1.62138957456669019e03) * y + 3.29079923573345963e03) * y
                + 4.36261909014324716e03) * y + 3.43936767414372164e03) * y + 1.23033935480374942e03;
        // exp(-y^2) split as Cody does, so that the rounding of y^2 does not cost accuracy.
        double head = Math.floor(16 * y) / 16;
        double tail = (y - head) * (y + head);
        double erfc = Math.exp(-head * head - tail) * num / den;
        return Math.copySign(1 - erfc, x);
    }

    /** One thread's staging chunks. */
    private static final class Chunks {
        final float[] float0 = new float[CpuBackend.RUN];
        final float[] float1 = new float[CpuBackend.RUN];
        final long[] long0 = new long[CpuBackend.RUN];
        final long[] long1 = new long[CpuBackend.RUN];
        final long[] long2 = new long[CpuBackend.RUN];
    }
}
