package org.torchcl.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.torchcl.backend.GemmShape;

/**
 * {@code C = A * B^T} for a few rows of A, B stored {@code [n, k]} (a Linear weight): every entry of
 * C is a dot product of two contiguous rows, so B streams once from the caller's array, split by
 * rows across the cores, instead of being packed for a product too small to repay the copy. This
 * is memory bound; a tile of 4 A rows x 4 B rows keeps 16 sums in registers and loads each B
 * vector once for all of A's rows.
 */
final class VectorRowDots {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of A per tile; a short last tile repeats its last row and drops those sums. */
    private static final int A_ROWS = 4;
    /** Rows of B per tile, likewise. */
    private static final int B_ROWS = 4;
    /** Rows of B per tile for a single row of A. */
    private static final int ONE_ROW_B_ROWS = 8;

    private final Parallel parallel;

    VectorRowDots(Parallel parallel) {
        this.parallel = parallel;
    }

    /** One batch entry of {@code s}, whose A, B and C start at the given offsets. */
    void run(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC) {
        if (s.m() == 1) {
            oneRow(s, a, offA, b, offB, bias, c, offC);
            return;
        }
        int tilesAcross = BlockedGemm.ceilDiv(s.n(), B_ROWS);
        parallel.forRange(tilesAcross, 1, (first, end) -> {
            float[] sums = new float[A_ROWS * B_ROWS];
            for (int j0 = (int) first * B_ROWS; j0 < end * B_ROWS; j0 += B_ROWS) {
                for (int i0 = 0; i0 < s.m(); i0 += A_ROWS) {
                    vectorDots(s, a, offA, b, offB, i0, j0, sums);
                    finish(s, a, offA, b, offB, bias, c, offC, i0, j0, sums);
                }
            }
        });
    }

    /**
     * One row of A: the 4 x 4 tile would repeat it four times, and the multiply-adds for the copies
     * compete with the loads of B for the core; a row against 8 rows of B at a time keeps 8 streams
     * of B in flight instead.
     */
    private void oneRow(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC) {
        int k = s.k();
        int vectorEnd = SPECIES.loopBound(k);
        int tilesAcross = BlockedGemm.ceilDiv(s.n(), ONE_ROW_B_ROWS);
        parallel.forRange(tilesAcross, 1, (first, end) -> {
            float[] sums = new float[ONE_ROW_B_ROWS];
            for (int j0 = (int) first * ONE_ROW_B_ROWS; j0 < end * ONE_ROW_B_ROWS; j0 += ONE_ROW_B_ROWS) {
                int last = s.n() - 1;
                int b0 = offB + Math.min(j0, last) * k;
                int b1 = offB + Math.min(j0 + 1, last) * k;
                int b2 = offB + Math.min(j0 + 2, last) * k;
                int b3 = offB + Math.min(j0 + 3, last) * k;
                int b4 = offB + Math.min(j0 + 4, last) * k;
                int b5 = offB + Math.min(j0 + 5, last) * k;
                int b6 = offB + Math.min(j0 + 6, last) * k;
                int b7 = offB + Math.min(j0 + 7, last) * k;
                FloatVector zero = FloatVector.zero(SPECIES);
                FloatVector s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero;
                for (int d = 0; d < vectorEnd; d += LANES) {
                    FloatVector x = FloatVector.fromArray(SPECIES, a, offA + d);
                    s0 = x.fma(FloatVector.fromArray(SPECIES, b, b0 + d), s0);
                    s1 = x.fma(FloatVector.fromArray(SPECIES, b, b1 + d), s1);
                    s2 = x.fma(FloatVector.fromArray(SPECIES, b, b2 + d), s2);
                    s3 = x.fma(FloatVector.fromArray(SPECIES, b, b3 + d), s3);
                    s4 = x.fma(FloatVector.fromArray(SPECIES, b, b4 + d), s4);
                    s5 = x.fma(FloatVector.fromArray(SPECIES, b, b5 + d), s5);
                    s6 = x.fma(FloatVector.fromArray(SPECIES, b, b6 + d), s6);
                    s7 = x.fma(FloatVector.fromArray(SPECIES, b, b7 + d), s7);
                }
                sums[0] = s0.reduceLanes(VectorOperators.ADD);
                sums[1] = s1.reduceLanes(VectorOperators.ADD);
                sums[2] = s2.reduceLanes(VectorOperators.ADD);
                sums[3] = s3.reduceLanes(VectorOperators.ADD);
                sums[4] = s4.reduceLanes(VectorOperators.ADD);
                sums[5] = s5.reduceLanes(VectorOperators.ADD);
                sums[6] = s6.reduceLanes(VectorOperators.ADD);
                sums[7] = s7.reduceLanes(VectorOperators.ADD);
                finish(s, a, offA, b, offB, bias, c, offC, 0, j0, 1, ONE_ROW_B_ROWS, sums);
            }
        });
    }

    /**
     * {@code sums[r * B_ROWS + w]} = row {@code i0 + r} of A dot row {@code j0 + w} of B over the
     * depths that fill whole vectors.
     */
    private static void vectorDots(GemmShape s, float[] a, int offA, float[] b, int offB, int i0, int j0,
                                   float[] sums) {
        int k = s.k();
        int a0 = offA + Math.min(i0, s.m() - 1) * k;
        int a1 = offA + Math.min(i0 + 1, s.m() - 1) * k;
        int a2 = offA + Math.min(i0 + 2, s.m() - 1) * k;
        int a3 = offA + Math.min(i0 + 3, s.m() - 1) * k;
        int b0 = offB + Math.min(j0, s.n() - 1) * k;
        int b1 = offB + Math.min(j0 + 1, s.n() - 1) * k;
        int b2 = offB + Math.min(j0 + 2, s.n() - 1) * k;
        int b3 = offB + Math.min(j0 + 3, s.n() - 1) * k;
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector s00 = zero, s01 = zero, s02 = zero, s03 = zero;
        FloatVector s10 = zero, s11 = zero, s12 = zero, s13 = zero;
        FloatVector s20 = zero, s21 = zero, s22 = zero, s23 = zero;
        FloatVector s30 = zero, s31 = zero, s32 = zero, s33 = zero;
        int vectorEnd = SPECIES.loopBound(k);
        for (int d = 0; d < vectorEnd; d += LANES) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, b, b0 + d);
            FloatVector w1 = FloatVector.fromArray(SPECIES, b, b1 + d);
            FloatVector w2 = FloatVector.fromArray(SPECIES, b, b2 + d);
            FloatVector w3 = FloatVector.fromArray(SPECIES, b, b3 + d);
            FloatVector x;
            x = FloatVector.fromArray(SPECIES, a, a0 + d);
            s00 = x.fma(w0, s00); s01 = x.fma(w1, s01); s02 = x.fma(w2, s02); s03 = x.fma(w3, s03);
            x = FloatVector.fromArray(SPECIES, a, a1 + d);
            s10 = x.fma(w0, s10); s11 = x.fma(w1, s11); s12 = x.fma(w2, s12); s13 = x.fma(w3, s13);
            x = FloatVector.fromArray(SPECIES, a, a2 + d);
            s20 = x.fma(w0, s20); s21 = x.fma(w1, s21); s22 = x.fma(w2, s22); s23 = x.fma(w3, s23);
            x = FloatVector.fromArray(SPECIES, a, a3 + d);
            s30 = x.fma(w0, s30); s31 = x.fma(w1, s31); s32 = x.fma(w2, s32); s33 = x.fma(w3, s33);
        }
        sums[0] = s00.reduceLanes(VectorOperators.ADD);
        sums[1] = s01.reduceLanes(VectorOperators.ADD);
        sums[2] = s02.reduceLanes(VectorOperators.ADD);
        sums[3] = s03.reduceLanes(VectorOperators.ADD);
        sums[4] = s10.reduceLanes(VectorOperators.ADD);
        sums[5] = s11.reduceLanes(VectorOperators.ADD);
        sums[6] = s12.reduceLanes(VectorOperators.ADD);
        sums[7] = s13.reduceLanes(VectorOperators.ADD);
        sums[8] = s20.reduceLanes(VectorOperators.ADD);
        sums[9] = s21.reduceLanes(VectorOperators.ADD);
        sums[10] = s22.reduceLanes(VectorOperators.ADD);
        sums[11] = s23.reduceLanes(VectorOperators.ADD);
        sums[12] = s30.reduceLanes(VectorOperators.ADD);
        sums[13] = s31.reduceLanes(VectorOperators.ADD);
        sums[14] = s32.reduceLanes(VectorOperators.ADD);
        sums[15] = s33.reduceLanes(VectorOperators.ADD);
    }

    /** Adds the depths past the last whole vector and the bias to a 4 x 4 tile's sums, and stores them in C. */
    private static void finish(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC,
                               int i0, int j0, float[] sums) {
        finish(s, a, offA, b, offB, bias, c, offC, i0, j0, A_ROWS, B_ROWS, sums);
    }

    /** Adds the depths past the last whole vector and the bias to an {@code aRows x bRows} tile's sums, and stores them in C. */
    private static void finish(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC,
                               int i0, int j0, int aRows, int bRows, float[] sums) {
        int k = s.k();
        for (int r = 0; r < aRows && i0 + r < s.m(); r++) {
            for (int w = 0; w < bRows && j0 + w < s.n(); w++) {
                float sum = sums[r * bRows + w];
                for (int d = SPECIES.loopBound(k); d < k; d++) {
                    sum += a[offA + (i0 + r) * k + d] * b[offB + (j0 + w) * k + d];
                }
                if (s.bias() == GemmShape.Bias.PER_COLUMN) {
                    sum += bias[j0 + w];
                } else if (s.bias() == GemmShape.Bias.PER_ROW) {
                    sum += bias[i0 + r];
                }
                c[offC + (i0 + r) * s.n() + j0 + w] = sum;
            }
        }
    }
}
