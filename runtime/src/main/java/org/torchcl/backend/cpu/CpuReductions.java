package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.DType;
import org.torchcl.backend.Layouts;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;

/**
 * Reductions, softmax and layer norm on the CPU. A reduction walks each output row's elements in
 * row-major order, run by run, into an {@link Accumulator}: one class per op and computation type,
 * picked from one table ({@link #floatAccumulator}, {@link #longAccumulator}). Rows are reduced in
 * parallel; a few long rows are cut into ranges reduced in parallel and merged in order, so that
 * an arg-reduction reports the first of equal extremes however a row was split. A float32 sum over
 * leading dims, whose rows' elements are strided, instead adds whole source rows into bands of
 * double sums. The float math is {@link CpuMath}'s.
 */
final class CpuReductions {

    /** Rows fed together when their elements are strided: 16 floats share a 64-byte cache line. */
    private static final int ROW_BLOCK = 16;

    private final Parallel parallel;
    private final CpuMath math;

    CpuReductions(Parallel parallel, CpuMath math) {
        this.parallel = parallel;
        this.math = math;
    }

    // ---------------------------------------------------------------- the op table

    /** The accumulator of {@code op} computing in float32 values with double sums. */
    private Accumulator floatAccumulator(ReduceOp op, double correction) {
        return switch (op) {
            case SUM -> new FloatSum(math, false);
            case MEAN -> new FloatSum(math, true);
            case AMAX -> new FloatExtreme(true);
            case AMIN -> new FloatExtreme(false);
            case PROD -> new FloatProduct();
            case VAR -> new FloatVariance(math, correction);
            case ARGMAX -> new FloatArgExtreme(true);
            case ARGMIN -> new FloatArgExtreme(false);
        };
    }

    /** The accumulator of {@code op} computing in int64, or null when it has no integer form. */
    private static Accumulator longAccumulator(ReduceOp op) {
        return switch (op) {
            case SUM -> new LongSum();
            case AMAX -> new LongExtreme(true);
            case AMIN -> new LongExtreme(false);
            case PROD -> new LongProduct();
            case ARGMAX -> new LongArgExtreme(true);
            case ARGMIN -> new LongArgExtreme(false);
            case MEAN, VAR -> null;
        };
    }

    // ---------------------------------------------------------------- reduce

    void reduce(ReduceOp op, Strided src, Strided dst, int reducedDims, double correction) {
        int lead = src.rank() - reducedDims;
        int[] shape = src.shape();
        long[] strides = src.strides();
        Layouts.Merged rowLayout = Layouts.merge(Arrays.copyOf(shape, lead), Arrays.copyOf(strides, lead));
        Layouts.Merged elementLayout = Layouts.merge(Arrays.copyOfRange(shape, lead, shape.length),
                Arrays.copyOfRange(strides, lead, shape.length));
        long rows = rowLayout.numel();
        long count = elementLayout.numel();
        if (rows == 0) {
            return;
        }
        boolean integral = !src.dtype().isFloatingPoint() && longAccumulator(op) != null;
        CpuBuffer in = (CpuBuffer) src.buffer();
        CpuBuffer out = (CpuBuffer) dst.buffer();
        if ((op == ReduceOp.SUM || op == ReduceOp.MEAN) && src.dtype() == DType.FLOAT32
                && rowLayout.rank() == 1 && rowLayout.strides()[0][0] == 1
                && elementLayout.strides()[0][elementLayout.rank() - 1] != 1) {
            sumRows((float[]) in.array, src.offset(), (int) rows, elementLayout, op == ReduceOp.MEAN, out,
                    dst.offset());
            return;
        }
        Rows walker = new Rows(in, src.offset(), rowLayout, elementLayout);
        long grain = CpuBackend.ELEMENTWISE_GRAIN;
        int parts = rows >= parallel.threads() ? 1
                : (int) Math.max(1, Math.min(count / grain, (parallel.threads() * 4L + rows - 1) / rows));
        if (parts == 1) {
            // Rows whose elements are strided (a reduction over a leading dim) are fed in blocks,
            // run by run: neighbouring rows share cache lines, which one row at a time would
            // fetch again for every row.
            int block = elementLayout.strides()[0][elementLayout.rank() - 1] == 1 ? 1 : ROW_BLOCK;
            parallel.forRange(rows, Math.max(1, grain / Math.max(1, count)), (first, end) -> {
                Accumulator[] accumulators = new Accumulator[(int) Math.min(block, end - first)];
                for (int k = 0; k < accumulators.length; k++) {
                    accumulators[k] = integral ? longAccumulator(op) : floatAccumulator(op, correction);
                }
                for (long r = first; r < end; r += block) {
                    int size = (int) Math.min(block, end - r);
                    for (int k = 0; k < size; k++) {
                        accumulators[k].reset();
                    }
                    walker.feed(r, size, 0, count, accumulators);
                    for (int k = 0; k < size; k++) {
                        accumulators[k].store(out, dst.offset() + r + k, count);
                    }
                }
            });
            return;
        }
        Accumulator[] partials = new Accumulator[(int) (rows * parts)];
        parallel.forTasks(partials.length, task -> {
            long row = task / parts;
            int part = task % parts;
            Accumulator accumulator = integral ? longAccumulator(op) : floatAccumulator(op, correction);
            accumulator.reset();
            walker.feed(row, 1, count * part / parts, count * (part + 1) / parts, new Accumulator[] {accumulator});
            partials[task] = accumulator;
        });
        for (int r = 0; r < rows; r++) {
            Accumulator first = partials[r * parts];
            for (int part = 1; part < parts; part++) {
                first.merge(partials[r * parts + part]);
            }
            first.store(out, dst.offset() + r, count);
        }
    }

    /**
     * SUM or MEAN where the outputs are consecutive source elements and what each sums is strided
     * (a sum over dim 0 of a matrix): each task adds the source rows' elements for a band of
     * outputs into a double[] that stays in L1, one contiguous, vectorizable run per source row,
     * instead of walking every output's elements one cache line apart.
     */
    private void sumRows(float[] x, long offset, int outputs, Layouts.Merged elementLayout, boolean mean,
                         CpuBuffer out, long outOffset) {
        long count = elementLayout.numel();
        parallel.forRange(outputs, Math.max(16, CpuBackend.ELEMENTWISE_GRAIN / Math.max(1, count)), (first, end) -> {
            int width = (int) (end - first);
            double[] sums = new double[width];
            for (long p = 0; p < count; p++) {
                math.accumulate(sums, x, (int) (offset + first + Rows.offsetOf(elementLayout, p)), width);
            }
            float[] values = new float[width];
            for (int k = 0; k < width; k++) {
                // The mean of nothing is 0 / 0 = NaN, as in PyTorch.
                values[k] = (float) (mean ? sums[k] / count : sums[k]);
            }
            CpuArrays.storeFloats(values, width, out, outOffset + first, 1);
        });
    }

    /** Where the rows of a reduction's source are and how to walk their elements. */
    private record Rows(CpuBuffer src, long offset, Layouts.Merged rowLayout, Layouts.Merged elementLayout) {

        /**
         * Feeds the elements at row-major positions {@code [from, to)} of rows {@code firstRow}
         * on to {@code accumulators[0, rowCount)}, one run of every row after the other.
         */
        void feed(long firstRow, int rowCount, long from, long to, Accumulator[] accumulators) {
            long[] rowOffsets = new long[rowCount];
            for (int k = 0; k < rowCount; k++) {
                rowOffsets[k] = offset + offsetOf(rowLayout, firstRow + k);
            }
            int rank = elementLayout.rank();
            int inner = elementLayout.shape()[rank - 1];
            long step = elementLayout.strides()[0][rank - 1];
            long position = from;
            while (position < to) {
                int column = (int) (position % inner);
                int length = (int) Math.min(Math.min(inner - column, to - position), CpuBackend.RUN);
                long at = offsetOf(elementLayout, position - column) + column * step;
                for (int k = 0; k < rowCount; k++) {
                    accumulators[k].add(src, rowOffsets[k] + at, step, length, position);
                }
                position += length;
            }
        }

        /** The offset of row-major element {@code index} of a merged layout. */
        private static long offsetOf(Layouts.Merged layout, long index) {
            long offset = 0;
            long rest = index;
            for (int d = layout.rank() - 1; d >= 0 && rest != 0; d--) {
                int size = layout.shape()[d];
                offset += rest % size * layout.strides()[0][d];
                rest /= size;
            }
            return offset;
        }
    }

    // ---------------------------------------------------------------- softmax and layer norm

    void softmax(float[] src, float[] dst, long rows, int cols, boolean log) {
        parallel.forRange(rows, Math.max(1, CpuBackend.ELEMENTWISE_GRAIN / Math.max(1, cols)), (first, end) -> {
            for (long r = first; r < end; r++) {
                math.softmax(src, dst, (int) (r * cols), cols, log);
            }
        });
    }

    void layerNorm(float[] src, float[] weight, float[] bias, float[] dst, long rows, int cols, float eps) {
        parallel.forRange(rows, Math.max(1, CpuBackend.ELEMENTWISE_GRAIN / Math.max(1, cols)), (first, end) -> {
            for (long r = first; r < end; r++) {
                math.layerNorm(src, weight, bias, dst, (int) (r * cols), cols, eps);
            }
        });
    }

    // ---------------------------------------------------------------- accumulators

    /**
     * The running state of one reduction over consecutive elements of a row. Not thread-safe: one
     * per task, reset between rows.
     */
    private abstract static class Accumulator {

        /** Forgets everything fed so far. */
        abstract void reset();

        /**
         * Feeds {@code n} elements of {@code src} from {@code offset} on, {@code step} apart: those
         * at row-major positions {@code [position, position + n)} of the row.
         */
        abstract void add(CpuBuffer src, long offset, long step, int n, long position);

        /** Takes in {@code later}'s state, which covers the elements right after this one's. */
        abstract void merge(Accumulator later);

        /** Writes the result over a row of {@code count} elements to element {@code index} of {@code dst}. */
        abstract void store(CpuBuffer dst, long index, long count);

        static void storeFloat(CpuBuffer dst, long index, double value) {
            CpuArrays.storeFloats(new float[] {(float) value}, 1, dst, index, 1);
        }

        static void storeLong(CpuBuffer dst, long index, long value) {
            CpuArrays.storeLongs(new long[] {value}, 1, dst, index, 1);
        }
    }

    /** Accumulators of float32 values: float32 runs are read in place, others converted through a chunk. */
    private abstract static class FloatAccumulator extends Accumulator {
        private float[] chunk;

        @Override
        final void add(CpuBuffer src, long offset, long step, int n, long position) {
            if (src.dtype == DType.FLOAT32 && step == 1) {
                add((float[]) src.array, (int) offset, n, position);
                return;
            }
            if (chunk == null) {
                chunk = new float[CpuBackend.RUN];
            }
            CpuArrays.loadFloats(src, offset, step, n, chunk);
            add(chunk, 0, n, position);
        }

        /** Feeds {@code x[at, at + n)}, the elements at positions {@code [position, position + n)}. */
        abstract void add(float[] x, int at, int n, long position);
    }

    /** Accumulators of int64 values. */
    private abstract static class LongAccumulator extends Accumulator {
        private final long[] chunk = new long[CpuBackend.RUN];

        @Override
        final void add(CpuBuffer src, long offset, long step, int n, long position) {
            CpuArrays.loadLongs(src, offset, step, n, chunk);
            add(chunk, n, position);
        }

        /** Feeds {@code x[0, n)}, the elements at positions {@code [position, position + n)}. */
        abstract void add(long[] x, int n, long position);
    }

    /** SUM and MEAN in double: a float32 sum of 10^7 values keeps about 9 more digits than float would. */
    private static final class FloatSum extends FloatAccumulator {
        private final CpuMath math;
        private final boolean mean;
        private double sum;

        FloatSum(CpuMath math, boolean mean) {
            this.math = math;
            this.mean = mean;
        }

        @Override
        void reset() {
            sum = 0;
        }

        @Override
        void add(float[] x, int at, int n, long position) {
            sum += math.sum(x, at, n);
        }

        @Override
        void merge(Accumulator later) {
            sum += ((FloatSum) later).sum;
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            // The mean of nothing is 0 / 0 = NaN, as in PyTorch.
            storeFloat(dst, index, mean ? sum / count : sum);
        }
    }

    private static final class FloatProduct extends FloatAccumulator {
        private double product;

        @Override
        void reset() {
            product = 1;
        }

        @Override
        void add(float[] x, int at, int n, long position) {
            double p = product;
            for (int i = 0; i < n; i++) {
                p *= x[at + i];
            }
            product = p;
        }

        @Override
        void merge(Accumulator later) {
            product *= ((FloatProduct) later).product;
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeFloat(dst, index, product);
        }
    }

    /** AMAX and AMIN: Math.max/min keep a NaN once seen. */
    private static final class FloatExtreme extends FloatAccumulator {
        private final boolean max;
        private float value;

        FloatExtreme(boolean max) {
            this.max = max;
        }

        @Override
        void reset() {
            value = max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }

        @Override
        void add(float[] x, int at, int n, long position) {
            float v = value;
            if (max) {
                for (int i = 0; i < n; i++) {
                    v = Math.max(v, x[at + i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    v = Math.min(v, x[at + i]);
                }
            }
            value = v;
        }

        @Override
        void merge(Accumulator later) {
            float other = ((FloatExtreme) later).value;
            value = max ? Math.max(value, other) : Math.min(value, other);
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeFloat(dst, index, value);
        }
    }

    /**
     * VAR: each run's mean and sum of squared deviations in two passes (in double), combined with
     * the running ones by Chan et al.'s pairwise update, which neither loses digits to cancellation
     * nor needs the row twice.
     */
    private static final class FloatVariance extends FloatAccumulator {
        private final CpuMath math;
        private final double correction;
        private long n;
        private double mean;
        private double squares;

        FloatVariance(CpuMath math, double correction) {
            this.math = math;
            this.correction = correction;
        }

        @Override
        void reset() {
            n = 0;
            mean = 0;
            squares = 0;
        }

        @Override
        void add(float[] x, int at, int count, long position) {
            double runMean = math.sum(x, at, count) / count;
            combine(count, runMean, math.squaredDeviations(x, at, count, runMean));
        }

        private void combine(long otherN, double otherMean, double otherSquares) {
            if (otherN == 0) {
                return;
            }
            long total = n + otherN;
            double delta = otherMean - mean;
            mean += delta * otherN / total;
            squares += otherSquares + delta * delta * ((double) n * otherN / total);
            n = total;
        }

        @Override
        void merge(Accumulator later) {
            FloatVariance other = (FloatVariance) later;
            combine(other.n, other.mean, other.squares);
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            // PyTorch divides by max(0, N - correction): a divisor of 0 gives inf, or NaN for 0 / 0.
            storeFloat(dst, index, squares / Math.max(0, count - correction));
        }
    }

    /** ARGMAX and ARGMIN: the first extreme wins ties; the first NaN wins outright, for both. */
    private static final class FloatArgExtreme extends FloatAccumulator {
        private final boolean max;
        private float best;
        private long index;

        FloatArgExtreme(boolean max) {
            this.max = max;
        }

        @Override
        void reset() {
            index = -1;
        }

        private boolean foundNaN() {
            return index >= 0 && best != best;
        }

        @Override
        void add(float[] x, int at, int n, long position) {
            if (foundNaN()) {
                return;
            }
            for (int i = 0; i < n; i++) {
                float v = x[at + i];
                if (v != v) {
                    best = v;
                    index = position + i;
                    return;
                }
                if (index < 0 || (max ? v > best : v < best)) {
                    best = v;
                    index = position + i;
                }
            }
        }

        @Override
        void merge(Accumulator later) {
            FloatArgExtreme other = (FloatArgExtreme) later;
            if (other.index < 0 || foundNaN()) {
                return;
            }
            if (index < 0 || other.foundNaN() || (max ? other.best > best : other.best < best)) {
                best = other.best;
                index = other.index;
            }
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeLong(dst, index, this.index);
        }
    }

    /** SUM in int64, wrapping on overflow as PyTorch; bools sum to their count of trues. */
    private static final class LongSum extends LongAccumulator {
        private long sum;

        @Override
        void reset() {
            sum = 0;
        }

        @Override
        void add(long[] x, int n, long position) {
            long s = sum;
            for (int i = 0; i < n; i++) {
                s += x[i];
            }
            sum = s;
        }

        @Override
        void merge(Accumulator later) {
            sum += ((LongSum) later).sum;
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeLong(dst, index, sum);
        }
    }

    private static final class LongProduct extends LongAccumulator {
        private long product;

        @Override
        void reset() {
            product = 1;
        }

        @Override
        void add(long[] x, int n, long position) {
            long p = product;
            for (int i = 0; i < n; i++) {
                p *= x[i];
            }
            product = p;
        }

        @Override
        void merge(Accumulator later) {
            product *= ((LongProduct) later).product;
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeLong(dst, index, product);
        }
    }

    private static final class LongExtreme extends LongAccumulator {
        private final boolean max;
        private long value;

        LongExtreme(boolean max) {
            this.max = max;
        }

        @Override
        void reset() {
            value = max ? Long.MIN_VALUE : Long.MAX_VALUE;
        }

        @Override
        void add(long[] x, int n, long position) {
            long v = value;
            for (int i = 0; i < n; i++) {
                v = max ? Math.max(v, x[i]) : Math.min(v, x[i]);
            }
            value = v;
        }

        @Override
        void merge(Accumulator later) {
            long other = ((LongExtreme) later).value;
            value = max ? Math.max(value, other) : Math.min(value, other);
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeLong(dst, index, value);
        }
    }

    private static final class LongArgExtreme extends LongAccumulator {
        private final boolean max;
        private long best;
        private long index;

        LongArgExtreme(boolean max) {
            this.max = max;
        }

        @Override
        void reset() {
            index = -1;
        }

        @Override
        void add(long[] x, int n, long position) {
            for (int i = 0; i < n; i++) {
                long v = x[i];
                if (index < 0 || (max ? v > best : v < best)) {
                    best = v;
                    index = position + i;
                }
            }
        }

        @Override
        void merge(Accumulator later) {
            LongArgExtreme other = (LongArgExtreme) later;
            if (other.index >= 0 && (index < 0 || (max ? other.best > best : other.best < best))) {
                best = other.best;
                index = other.index;
            }
        }

        @Override
        void store(CpuBuffer dst, long index, long count) {
            storeLong(dst, index, this.index);
        }
    }
}
