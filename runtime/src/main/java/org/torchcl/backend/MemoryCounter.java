package org.torchcl.backend;

import java.util.concurrent.atomic.AtomicLong;
import org.torchcl.MemoryStats;

/** Exact, lock-free bookkeeping of a backend's live bytes and their high-water mark. */
public final class MemoryCounter {

    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    public void allocated(long bytes) {
        long now = allocated.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    public void freed(long bytes) {
        allocated.addAndGet(-bytes);
    }

    public MemoryStats snapshot() {
        return new MemoryStats(allocated.get(), peak.get());
    }

    /** Starts a new high-water mark from the bytes allocated now. */
    public void resetPeak() {
        peak.set(allocated.get());
    }
}
