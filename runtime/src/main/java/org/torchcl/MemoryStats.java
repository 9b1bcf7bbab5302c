package org.torchcl;

/**
 * A snapshot of a device's memory held by torchcl tensors, in bytes: what is allocated now and
 * the most that was allocated at once since start-up (or the last
 * {@link Device#resetPeakMemoryStats()}). Exact: every buffer's size is counted when it is made
 * and when it is freed.
 */
public record MemoryStats(long allocatedBytes, long peakBytes) {
}
