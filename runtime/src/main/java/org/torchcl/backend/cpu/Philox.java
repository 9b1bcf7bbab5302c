package org.torchcl.backend.cpu;

import org.torchcl.backend.PhiloxStart;

/**
 * Philox4x32-10 in Java, word for word what {@code philox.cl} computes, so the CPU backend draws
 * the same numbers as any OpenCL device.
 */
public final class Philox {

    static final long M0 = 0xD2511F53L;
    static final long M1 = 0xCD9E8D57L;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    static final float TWO_POW_MINUS_24 = 0x1p-24f;

    private Philox() {
    }

    /**
     * Encrypts the counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)} and writes the four
     * words to {@code out[0..3]}.
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = M0 * (c0 & 0xFFFFFFFFL);
            long p1 = M1 * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** The words of block {@code block} of a draw starting at {@code start}. */
    static void blockAt(PhiloxStart start, long block, int[] out) {
        long low = start.counterLow() + block;
        long high = start.counterHigh() + (Long.compareUnsigned(low, start.counterLow()) < 0 ? 1 : 0);
        block((int) low, (int) (low >>> 32), (int) high, (int) (high >>> 32), start.keyWord(0), start.keyWord(1),
                out);
    }

    /** [0, 1) from the low 24 bits: exact in float. */
    static float unitFloat(int word) {
        return (word & 0xFFFFFF) * TWO_POW_MINUS_24;
    }

    /** (0, 1]: never 0, so its log is finite. */
    static float unitFloatNonZero(int word) {
        return ((word & 0xFFFFFF) + 1) * TWO_POW_MINUS_24;
    }
}
