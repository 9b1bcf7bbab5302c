package org.torchcl.backend.cpu;

import java.util.Arrays;

/**
 * The register tile of {@link BlockedGemm} in plain Java, for JVMs without
 * {@code jdk.incubator.vector}: {@value #MR} rows of C, {@value #NR} floats each, updated by loops
 * over the columns that C2 turns into vector instructions, four depths per pass (a quarter of the
 * loads and stores of C).
 *
 * <p>JDK 17's C2 vectorizes such a loop well only when every array in it is indexed from 0: with a
 * variable offset (a row of C inside C, a depth inside a packed panel) it falls back to scalar
 * code (the previous kernel, written that way, ran at 6.7 GFLOP/s on two cores). So each depth of
 * the current panel of B is copied to an array of its own ({@link #usePanel}, once per panel, for
 * all of a task's rows), and the tile is summed in arrays of its own and copied to C at the end.
 */
final class ScalarMicroKernel implements MicroKernel {

    static final int MR = 8;
    static final int NR = 128;

    /** One thread's copy of the current panel, a row per depth, and its tile of sums. */
    private static final class Copies {
        final float[][] depths = new float[BlockedGemm.KC][NR];
        final float[][] tile = new float[MR][NR];
    }

    private final ThreadLocal<Copies> copies = ThreadLocal.withInitial(Copies::new);

    @Override
    public int rows() {
        return MR;
    }

    @Override
    public int columns() {
        return NR;
    }

    @Override
    public void usePanel(float[] b, int bOff, int[] starts, int startsOff, int kc) {
        float[][] depths = copies.get().depths;
        for (int d = 0; d < kc; d++) {
            System.arraycopy(b, bOff + starts[startsOff + d], depths[d], 0, NR);
        }
    }

    /** Multiplies by the panel given to {@link #usePanel} on this thread; {@code b} and its starts are not read. */
    @Override
    public void multiply(int kc, float[] a, int aOff, float[] b, int bOff, int[] starts, int startsOff, float[] c,
                         int cOff, int ldc, boolean accumulate) {
        Copies mine = copies.get();
        float[][] depths = mine.depths;
        float[][] tile = mine.tile;
        for (int r = 0; r < MR; r++) {
            if (accumulate) {
                System.arraycopy(c, cOff + r * ldc, tile[r], 0, NR);
            } else {
                Arrays.fill(tile[r], 0f);
            }
        }
        int d = 0;
        for (; d + 3 < kc; d += 4) {
            int ad = aOff + d * MR;
            for (int r = 0; r < MR; r++) {
                fourDepths(tile[r], a[ad + r], depths[d], a[ad + MR + r], depths[d + 1], a[ad + 2 * MR + r],
                        depths[d + 2], a[ad + 3 * MR + r], depths[d + 3]);
            }
        }
        for (; d < kc; d++) {
            int ad = aOff + d * MR;
            for (int r = 0; r < MR; r++) {
                oneDepth(tile[r], a[ad + r], depths[d]);
            }
        }
        for (int r = 0; r < MR; r++) {
            System.arraycopy(tile[r], 0, c, cOff + r * ldc, NR);
        }
    }

    private static void fourDepths(float[] sums, float x0, float[] b0, float x1, float[] b1, float x2, float[] b2,
                                   float x3, float[] b3) {
        for (int j = 0; j < sums.length; j++) {
            sums[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
        }
    }

    private static void oneDepth(float[] sums, float x, float[] b0) {
        for (int j = 0; j < sums.length; j++) {
            sums[j] += x * b0[j];
        }
    }
}
