package org.torchcl;

import org.torchcl.backend.PhiloxStart;

/**
 * A Philox4x32-10 random stream: state = (seed, offset). Each draw of {@code n} values takes the
 * next {@code ceil(n / 4)} counter blocks, so results depend only on the seed and on the sizes of
 * earlier draws, never on the device: a model initialized on a GPU equals one initialized on the
 * CPU. Thread-safe; concurrent draws get disjoint blocks.
 */
public final class Generator {

    /** PyTorch's default seed, so an unseeded program is reproducible, as in PyTorch. */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static final Generator DEFAULT = new Generator(DEFAULT_SEED);

    private long seed;
    private long offset;

    public Generator(long seed) {
        this.seed = seed;
    }

    /** The process-wide generator behind {@code Torch.rand}, {@code randn} and module init. */
    public static Generator defaultGenerator() {
        return DEFAULT;
    }

    /** Restarts the stream at {@code seed}, offset 0. */
    public synchronized Generator manualSeed(long newSeed) {
        this.seed = newSeed;
        this.offset = 0;
        return this;
    }

    public synchronized long seed() {
        return seed;
    }

    /** Counter blocks consumed since the last seeding. */
    public synchronized long offset() {
        return offset;
    }

    /** Claims the blocks for a draw of {@code count} values and says where it starts. */
    public synchronized PhiloxStart reserve(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        PhiloxStart start = new PhiloxStart(offset, 0, seed);
        offset += (count + 3) / 4;
        return start;
    }

    @Override
    public synchronized String toString() {
        return "Generator(seed=" + seed + ", offset=" + offset + ")";
    }
}
