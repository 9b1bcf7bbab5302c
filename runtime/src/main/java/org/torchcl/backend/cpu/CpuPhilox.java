package org.torchcl.backend.cpu;

import org.torchcl.backend.PhiloxStart;

/**
 * Writes a run of a Philox4x32-10 draw into a float array: words {@code [first, first + count)} of
 * the draw that begins at {@code start} go to {@code out[offset, offset + count)}. Word {@code e}
 * is word {@code e % 4} of block {@code e / 4}, as in {@code philox.cl}; {@code first} is a
 * multiple of 4. Implementations are stateless and bitwise identical.
 */
interface CpuPhilox {

    /** The words themselves, as float bit patterns. */
    void bits(PhiloxStart start, long first, int count, float[] out, int offset);

    /** {@code fma(u, scale, low)} with {@code u = (word & 0xFFFFFF) * 2^-24}. */
    void uniform(PhiloxStart start, long first, int count, float[] out, int offset, float low, float scale);
}
