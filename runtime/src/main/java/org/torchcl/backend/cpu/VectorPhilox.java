package org.torchcl.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.torchcl.backend.PhiloxStart;

/**
 * {@link CpuPhilox} on Vector API lanes, several blocks per vector, bit for bit what
 * {@link Philox} computes.
 *
 * <p>A block's four 32-bit words sit in two 64-bit lanes, {@code (c0 | c1 << 32, c2 | c3 << 32)},
 * which is also their order in memory, so a finished vector is stored as it is. One round then
 * needs only lane-wise operations: the low words times {@code (M0, M1)} are exact 64-bit products
 * {@code (hi0:lo0, hi1:lo1)}; reversing the four 32-bit halves of a block gives
 * {@code (lo1:hi1, lo0:hi0)}, and xor-ing in the old high words {@code (c1, c3)} and the key yields
 * the next {@code (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)}.
 */
final class VectorPhilox implements CpuPhilox {

    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** Words per vector. */
    private static final int WORDS = INTS.length();
    private static final int ROUNDS = 10;
    private static final long LOW_WORD = 0xFFFFFFFFL;
    private static final LongVector MULTIPLIERS = pairs(Philox.M0, Philox.M1);
    /** Advances every block's counter by the blocks one vector holds. */
    private static final LongVector NEXT_COUNTERS = pairs(WORDS / 4, 0);
    private static final VectorShuffle<Integer> REVERSE_BLOCK_WORDS =
            VectorShuffle.fromOp(INTS, i -> (i & ~3) + 3 - (i & 3));

    @Override
    public void bits(PhiloxStart start, long first, int count, float[] out, int offset) {
        fill(start, first, count, out, offset, false, 0f, 0f);
    }

    @Override
    public void uniform(PhiloxStart start, long first, int count, float[] out, int offset, float low, float scale) {
        fill(start, first, count, out, offset, true, low, scale);
    }

    private static void fill(PhiloxStart start, long first, int count, float[] out, int offset, boolean uniform,
                             float low, float scale) {
        long[] roundKeys = roundKeys(start);
        long firstBlock = first / 4;
        // The low counter half wraps at most once in a draw; past that block the high half is one
        // more, so the run is split there and each part has a constant high half.
        long wrapBlock = -start.counterLow();
        int before = wrapBlock > firstBlock && wrapBlock < firstBlock + (count + 3) / 4
                ? (int) (wrapBlock - firstBlock) * 4 : count;
        fillBlocks(start, roundKeys, firstBlock, before, out, offset, uniform, low, scale);
        if (before < count) {
            fillBlocks(start, roundKeys, wrapBlock, count - before, out, offset + before, uniform, low, scale);
        }
    }

    /** Writes {@code count} words from block {@code block} on, all under the same high counter half. */
    private static void fillBlocks(PhiloxStart start, long[] roundKeys, long block, int count, float[] out,
                                   int offset, boolean uniform, float low, float scale) {
        long counterLow = start.counterLow() + block;
        long counterHigh = start.counterHigh() + (Long.compareUnsigned(counterLow, start.counterLow()) < 0 ? 1 : 0);
        long[] firstCounters = new long[LONGS.length()];
        for (int lane = 0; lane < firstCounters.length; lane += 2) {
            firstCounters[lane] = counterLow + lane / 2;
            firstCounters[lane + 1] = counterHigh;
        }
        LongVector counters = LongVector.fromArray(LONGS, firstCounters, 0);
        for (int i = 0; i < count; i += WORDS) {
            LongVector x = counters;
            for (int round = 0; round < ROUNDS; round++) {
                LongVector products = x.and(LOW_WORD).mul(MULTIPLIERS);
                LongVector swapped = products.reinterpretAsInts().rearrange(REVERSE_BLOCK_WORDS).reinterpretAsLongs();
                x = swapped.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 32))
                        .lanewise(VectorOperators.XOR, LongVector.fromArray(LONGS, roundKeys, round * LONGS.length()));
            }
            IntVector words = x.reinterpretAsInts();
            FloatVector values = uniform
                    ? ((FloatVector) words.and(0xFFFFFF).convert(VectorOperators.I2F, 0))
                            .mul(Philox.TWO_POW_MINUS_24).fma(scale, low)
                    : words.reinterpretAsFloats();
            if (i + WORDS <= count) {
                values.intoArray(out, offset + i);
            } else {
                values.intoArray(out, offset + i, FLOATS.indexInRange(i, count));
            }
            counters = counters.add(NEXT_COUNTERS);
        }
    }

    /** Round r's key {@code (k0 + r * W0, k1 + r * W1)}, repeated across a vector, at {@code r * lanes}. */
    private static long[] roundKeys(PhiloxStart start) {
        int lanes = LONGS.length();
        long[] keys = new long[ROUNDS * lanes];
        int k0 = start.keyWord(0);
        int k1 = start.keyWord(1);
        for (int round = 0; round < ROUNDS; round++) {
            for (int lane = 0; lane < lanes; lane += 2) {
                keys[round * lanes + lane] = k0 & LOW_WORD;
                keys[round * lanes + lane + 1] = k1 & LOW_WORD;
            }
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
        return keys;
    }

    /** {@code (even, odd, even, odd, ...)}. */
    private static LongVector pairs(long even, long odd) {
        long[] lanes = new long[LONGS.length()];
        for (int lane = 0; lane < lanes.length; lane += 2) {
            lanes[lane] = even;
            lanes[lane + 1] = odd;
        }
        return LongVector.fromArray(LONGS, lanes, 0);
    }
}
