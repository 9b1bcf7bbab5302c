package org.torchcl.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of {@link BlockedGemm} on Vector API registers: an {@value #MR} x (3 vectors) block of C held in 24
 * vector registers while the packed panels stream past, one broadcast of A and three FMAs per row
 * and depth. With 16 lanes that is 24 accumulators, 3 B vectors and 1 broadcast: 28 of AVX-512's
 * 32 registers.
 *
 * <p>The tile is written out by hand: C2 keeps vectors in registers only for locals it can see,
 * and it stops inlining Vector API calls (then boxes every vector) once a method grows past its
 * node budget, so the tile must be plain locals in one compact method without helper calls.
 */
final class VectorMicroKernel implements MicroKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of a tile. */
    static final int MR = 8;
    /** Columns of a tile: three vectors. */
    static final int NR = 3 * LANES;

    @Override
    public int rows() {
        return MR;
    }

    @Override
    public int columns() {
        return NR;
    }

    /** The width of the vectors the kernel uses. */
    static int vectorBits() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public void multiply(int kc, float[] a, int aOff, float[] b, int bOff, int[] starts, int startsOff, float[] c,
                         int cOff, int ldc, boolean accumulate) {
        int row0 = cOff;
        int row1 = cOff + ldc;
        int row2 = cOff + 2 * ldc;
        int row3 = cOff + 3 * ldc;
        int row4 = cOff + 4 * ldc;
        int row5 = cOff + 5 * ldc;
        int row6 = cOff + 6 * ldc;
        int row7 = cOff + 7 * ldc;
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector c00 = accumulate ? FloatVector.fromArray(SPECIES, c, row0) : zero;
        FloatVector c01 = accumulate ? FloatVector.fromArray(SPECIES, c, row0 + LANES) : zero;
        FloatVector c02 = accumulate ? FloatVector.fromArray(SPECIES, c, row0 + 2 * LANES) : zero;
        FloatVector c10 = accumulate ? FloatVector.fromArray(SPECIES, c, row1) : zero;
        FloatVector c11 = accumulate ? FloatVector.fromArray(SPECIES, c, row1 + LANES) : zero;
        FloatVector c12 = accumulate ? FloatVector.fromArray(SPECIES, c, row1 + 2 * LANES) : zero;
        FloatVector c20 = accumulate ? FloatVector.fromArray(SPECIES, c, row2) : zero;
        FloatVector c21 = accumulate ? FloatVector.fromArray(SPECIES, c, row2 + LANES) : zero;
        FloatVector c22 = accumulate ? FloatVector.fromArray(SPECIES, c, row2 + 2 * LANES) : zero;
        FloatVector c30 = accumulate ? FloatVector.fromArray(SPECIES, c, row3) : zero;
        FloatVector c31 = accumulate ? FloatVector.fromArray(SPECIES, c, row3 + LANES) : zero;
        FloatVector c32 = accumulate ? FloatVector.fromArray(SPECIES, c, row3 + 2 * LANES) : zero;
        FloatVector c40 = accumulate ? FloatVector.fromArray(SPECIES, c, row4) : zero;
        FloatVector c41 = accumulate ? FloatVector.fromArray(SPECIES, c, row4 + LANES) : zero;
        FloatVector c42 = accumulate ? FloatVector.fromArray(SPECIES, c, row4 + 2 * LANES) : zero;
        FloatVector c50 = accumulate ? FloatVector.fromArray(SPECIES, c, row5) : zero;
        FloatVector c51 = accumulate ? FloatVector.fromArray(SPECIES, c, row5 + LANES) : zero;
        FloatVector c52 = accumulate ? FloatVector.fromArray(SPECIES, c, row5 + 2 * LANES) : zero;
        FloatVector c60 = accumulate ? FloatVector.fromArray(SPECIES, c, row6) : zero;
        FloatVector c61 = accumulate ? FloatVector.fromArray(SPECIES, c, row6 + LANES) : zero;
        FloatVector c62 = accumulate ? FloatVector.fromArray(SPECIES, c, row6 + 2 * LANES) : zero;
        FloatVector c70 = accumulate ? FloatVector.fromArray(SPECIES, c, row7) : zero;
        FloatVector c71 = accumulate ? FloatVector.fromArray(SPECIES, c, row7 + LANES) : zero;
        FloatVector c72 = accumulate ? FloatVector.fromArray(SPECIES, c, row7 + 2 * LANES) : zero;
        for (int d = 0; d < kc; d++) {
            int bd = bOff + starts[startsOff + d];
            int ad = aOff + d * MR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bd);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bd + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bd + 2 * LANES);
            FloatVector x;
            x = FloatVector.broadcast(SPECIES, a[ad]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(SPECIES, a[ad + 1]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(SPECIES, a[ad + 2]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(SPECIES, a[ad + 3]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32);
            x = FloatVector.broadcast(SPECIES, a[ad + 4]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42);
            x = FloatVector.broadcast(SPECIES, a[ad + 5]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52);
            x = FloatVector.broadcast(SPECIES, a[ad + 6]);
            c60 = b0.fma(x, c60); c61 = b1.fma(x, c61); c62 = b2.fma(x, c62);
            x = FloatVector.broadcast(SPECIES, a[ad + 7]);
            c70 = b0.fma(x, c70); c71 = b1.fma(x, c71); c72 = b2.fma(x, c72);
        }
        c00.intoArray(c, row0);
        c01.intoArray(c, row0 + LANES);
        c02.intoArray(c, row0 + 2 * LANES);
        c10.intoArray(c, row1);
        c11.intoArray(c, row1 + LANES);
        c12.intoArray(c, row1 + 2 * LANES);
        c20.intoArray(c, row2);
        c21.intoArray(c, row2 + LANES);
        c22.intoArray(c, row2 + 2 * LANES);
        c30.intoArray(c, row3);
        c31.intoArray(c, row3 + LANES);
        c32.intoArray(c, row3 + 2 * LANES);
        c40.intoArray(c, row4);
        c41.intoArray(c, row4 + LANES);
        c42.intoArray(c, row4 + 2 * LANES);
        c50.intoArray(c, row5);
        c51.intoArray(c, row5 + LANES);
        c52.intoArray(c, row5 + 2 * LANES);
        c60.intoArray(c, row6);
        c61.intoArray(c, row6 + LANES);
        c62.intoArray(c, row6 + 2 * LANES);
        c70.intoArray(c, row7);
        c71.intoArray(c, row7 + LANES);
        c72.intoArray(c, row7 + 2 * LANES);
    }
}
