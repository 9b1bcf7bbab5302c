package org.torchcl.examples.bench;

import java.util.Arrays;

/** The measuring protocol shared by the benchmarks: an untimed warm-up, then the median of repeated runs. */
final class Timing {

    /** One timed run of the operation, in seconds (wall clock around finished work, or a profiling event). */
    @FunctionalInterface
    interface Run {
        double seconds();
    }

    /** A median and the number of runs behind it. */
    record Result(double seconds, int runs) {
    }

    private Timing() {
    }

    /** Warm-up keeps running until this much time has passed: the JIT compiles the CPU kernels meanwhile. */
    static final double WARMUP_SECONDS = 0.5;

    /**
     * Warms up with at least {@code warmup} runs and {@value #WARMUP_SECONDS} s (a single run longer
     * than the budget ends it), then repeats until {@code maxRuns} runs or about
     * {@code budgetSeconds} of measured time, at least {@code minRuns} runs unless one run alone
     * takes longer than the budget.
     */
    static Result median(Run run, int warmup, int minRuns, int maxRuns, double budgetSeconds) {
        // Time, not a count of runs, bounds the warm-up: a product of a new shape makes C2 recompile
        // the kernels around it, and a short one needs thousands of runs until that is done.
        warmUp(run, warmup, WARMUP_SECONDS, budgetSeconds);
        double[] samples = new double[maxRuns];
        double spent = 0;
        int runs = 0;
        while (runs < maxRuns) {
            samples[runs] = run.seconds();
            spent += samples[runs];
            runs++;
            boolean enough = runs >= minRuns && spent >= budgetSeconds;
            boolean tooSlow = runs == 1 && samples[0] > budgetSeconds;
            if (enough || tooSlow) {
                break;
            }
        }
        double[] taken = Arrays.copyOf(samples, runs);
        Arrays.sort(taken);
        double median = runs % 2 == 1 ? taken[runs / 2] : (taken[runs / 2 - 1] + taken[runs / 2]) / 2;
        return new Result(median, runs);
    }

    /**
     * {@link #median}, after first running {@code run} for {@code warmUpSeconds} untimed: a whole
     * model's forward makes C2 compile and recompile dozens of kernels for its shapes, which takes
     * seconds, not the half second that settles a single product.
     */
    static Result medianAfterWarmUp(Run run, double warmUpSeconds, int minRuns, int maxRuns, double budgetSeconds) {
        warmUp(run, 0, warmUpSeconds, budgetSeconds);
        return median(run, 0, minRuns, maxRuns, budgetSeconds);
    }

    /** Untimed runs: at least {@code runs} of them and {@code seconds} in all, ended early by one longer than the budget. */
    private static void warmUp(Run run, int runs, double seconds, double budgetSeconds) {
        double warmed = 0;
        for (int i = 0; i < runs || warmed < seconds; i++) {
            double taken = run.seconds();
            warmed += taken;
            if (taken > budgetSeconds) {
                break;
            }
        }
    }

    /** Seconds since {@code startNanos} on the monotonic clock. */
    static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
