package org.torchcl.backend;

/**
 * Where a Philox4x32-10 draw starts: the 128-bit counter of its first block (two 64-bit halves,
 * low first) and the 64-bit key (the seed). Block {@code b} of the draw uses counter
 * {@code counter + b}.
 */
public record PhiloxStart(long counterLow, long counterHigh, long key) {

    /** Counter word {@code i} (0..3), least significant first, as the kernels see it. */
    public int counterWord(int i) {
        long half = i < 2 ? counterLow : counterHigh;
        return (int) (half >>> (32 * (i & 1)));
    }

    /** Key word {@code i} (0..1), least significant first. */
    public int keyWord(int i) {
        return (int) (key >>> (32 * i));
    }
}
