package org.torchcl;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports tensors that were never closed and were freed by the garbage collector instead, the way
 * Netty reports leaked buffers: one tensor in {@value #SAMPLE_INTERVAL} records where it was made
 * (a stack trace costs microseconds, so not every tensor pays), and a sampled leak is logged at WARN
 * with that place. {@code -Dtorchcl.leakDetection=all} records every tensor, {@code off} none.
 */
final class LeakDetection {

    enum Mode { OFF, SAMPLE, ALL }

    static final int SAMPLE_INTERVAL = 128;
    static final String PROPERTY = "torchcl.leakDetection";

    private static final Logger LOG = LoggerFactory.getLogger(LeakDetection.class);
    private static final AtomicLong CREATED = new AtomicLong();
    private static final AtomicLong LEAKED = new AtomicLong();
    private static final AtomicBoolean HINTED = new AtomicBoolean();
    private static volatile Mode mode = parse(System.getProperty(PROPERTY));

    private LeakDetection() {
    }

    static Mode parse(String value) {
        if (value == null || value.isBlank()) {
            return Mode.SAMPLE;
        }
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.warn("-D{}={} is not off, sample or all; sampling", PROPERTY, value);
            return Mode.SAMPLE;
        }
    }

    static void setMode(Mode newMode) {
        mode = newMode;
    }

    /** Where a new tensor is being made, when this one is recorded; else null. */
    static Throwable creationSite() {
        Mode current = mode;
        boolean record = current == Mode.ALL
                || (current == Mode.SAMPLE && CREATED.getAndIncrement() % SAMPLE_INTERVAL == 0);
        return record ? new Throwable("the leaked tensor was created here") : null;
    }

    /** Called by the cleaner for a tensor nobody closed. */
    static void leaked(String tensor, Throwable creationSite) {
        LEAKED.incrementAndGet();
        String message = "a tensor " + tensor + " was never closed and the garbage collector freed it; close tensors "
                + "(try-with-resources or a TensorScope) to give device memory back at once";
        if (creationSite != null) {
            LOG.warn(message, creationSite);
        } else if (HINTED.compareAndSet(false, true)) {
            LOG.warn(message + " (run with -D" + PROPERTY + "=all to see where leaked tensors are created)");
        } else {
            LOG.debug(message);
        }
    }

    /** Tensors the garbage collector had to free since start-up. */
    static long leakedCount() {
        return LEAKED.get();
    }
}
