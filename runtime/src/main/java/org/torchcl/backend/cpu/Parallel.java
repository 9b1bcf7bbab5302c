package org.torchcl.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits loops over the CPU backend's own fork-join pool, one worker per core. The pool's threads
 * live as long as the backend, so a call costs a wake-up, not a thread start.
 */
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

    /** How long the caller busy-waits for the last tasks before it sleeps: a few microseconds. */
    private static final int SPINS_BEFORE_PARKING = 2000;
    /** A sleeping caller also wakes up on its own this often (the last task unparks it sooner). */
    private static final long PARK_NANOS = 200_000;

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

    /**
     * Runs {@code count} independent tasks, in parallel when there are several; returns once every
     * task has finished. A task that fails fails the call.
     */
    void forTasks(int count, Task task) {
        if (count == 1 || threads == 1) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            new Split(task, 0, count).invoke();
        } else {
            pool.invoke(new Split(task, 0, count));
        }
    }

    /**
     * Tasks {@code [from, to)}: halves are forked until one task is left, so each worker takes a
     * contiguous run of tasks and idle workers steal the largest halves left.
     */
    private static final class Split extends RecursiveAction {
        private final Task task;
        private final int from;
        private final int to;

        Split(Task task, int from, int to) {
            this.task = task;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                task.run(from);
                return;
            }
            int middle = (from + to) >>> 1;
            invokeAll(new Split(task, from, middle), new Split(task, middle, to));
        }
    }

    /**
     * {@link #forTasks}, with the calling thread taking tasks too, handed out one at a time from a
     * counter: cheaper for the many short tasks of a small product, where waking a worker and
     * waiting for it can cost as much as the work. Streaming loops are better off with
     * {@link #forTasks}, whose workers each take one contiguous run.
     */
    void forTasksSharingCaller(int count, Task task) {
        if (count == 1 || threads == 1) {
            for (int i = 0; i < count; i++) {
                task.run(i);
            }
            return;
        }
        // Tasks are handed out one at a time from a counter: cheaper than splitting a stream, and a
        // helper that wakes up late finds nothing left and returns at once.
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.currentThread();
        Runnable drain = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    task.run(i);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (done.incrementAndGet() == count) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        };
        for (int helper = Math.min(threads, count) - 1; helper > 0; helper--) {
            pool.execute(drain);
        }
        drain.run();
        for (int spins = 0; done.get() < count; spins++) {
            if (spins < SPINS_BEFORE_PARKING) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException e) {
            throw e;
        } else if (first instanceof Error e) {
            throw e;
        }
    }
}
