package org.torchcl.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.stream.IntStream;

/** Splits loops over the CPU backend's own fork-join pool, one worker per core. */
final class Parallel {

    /** One contiguous part of a loop, {@code [start, end)}. */
    @FunctionalInterface
    interface Range {
        void run(long start, long end);
    }

    /** One task of a loop over task indices {@code [0, count)}. */
    @FunctionalInterface
    interface Task {
        void run(int index);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = new ForkJoinPool(threads, pool -> {
            ForkJoinWorkerThread worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            worker.setName("torchcl-cpu-" + worker.getPoolIndex());
            worker.setDaemon(true);
            return worker;
        }, null, false);
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, count)} in parts of at least {@code grain} elements. */
    void forRange(long count, long grain, Range body) {
        int parts = (int) Math.min(threads * 4L, Math.max(1, count / Math.max(1, grain)));
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        forTasks(parts, part -> body.run(count * part / parts, count * (part + 1) / parts));
    }

    /** Runs {@code count} independent tasks, in parallel when there are several. */
    void forTasks(int count, Task task) {
        if (count == 1 || threads == 1) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(task::run)).join();
    }
}
