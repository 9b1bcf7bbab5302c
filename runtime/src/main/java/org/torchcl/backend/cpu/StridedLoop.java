package org.torchcl.backend.cpu;

import org.torchcl.backend.Layouts;

/**
 * Walks the elements of operands that share a merged shape, one innermost run at a time: the
 * CPU kernels work on runs (contiguous or evenly strided), so the per-element cost of index
 * arithmetic is paid once per run instead. Runs are split across cores by {@link Parallel}.
 */
final class StridedLoop {

    /** One run of {@code length} elements; operand {@code o} starts at {@code offsets[o]} and steps by {@code steps[o]}. */
    @FunctionalInterface
    interface Run {
        void run(long[] offsets, long[] steps, int length);
    }

    private StridedLoop() {
    }

    /**
     * Calls {@code body} for every run of {@code merged} (whose operands start at {@code bases}),
     * runs of at most {@code maxRun} elements, in parallel over ranges of runs.
     */
    static void forEachRun(Parallel parallel, Layouts.Merged merged, long[] bases, int maxRun, long grain, Run body) {
        int rank = merged.rank();
        int inner = merged.shape()[rank - 1];
        int pieces = (inner + maxRun - 1) / maxRun;
        long outerRuns = merged.numel() / inner * pieces;
        int operands = bases.length;
        long[] steps = new long[operands];
        for (int o = 0; o < operands; o++) {
            steps[o] = merged.strides()[o][rank - 1];
        }
        long runGrain = Math.max(1, grain / Math.min(inner, maxRun));
        parallel.forRange(outerRuns, runGrain, (first, end) -> {
            long[] offsets = new long[operands];
            for (long r = first; r < end; r++) {
                long outer = r / pieces;
                int piece = (int) (r % pieces);
                for (int o = 0; o < operands; o++) {
                    offsets[o] = bases[o];
                }
                long rest = outer;
                for (int d = rank - 2; d >= 0; d--) {
                    int size = merged.shape()[d];
                    long coordinate = rest % size;
                    rest /= size;
                    for (int o = 0; o < operands; o++) {
                        offsets[o] += coordinate * merged.strides()[o][d];
                    }
                }
                int start = piece * maxRun;
                for (int o = 0; o < operands; o++) {
                    offsets[o] += start * steps[o];
                }
                body.run(offsets, steps, Math.min(maxRun, inner - start));
            }
        });
    }
}
