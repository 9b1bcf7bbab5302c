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

    private final Parallel parallel;

    VectorRowDots(Parallel parallel) {
        this.parallel = parallel;
    }

    /** One batch entry of {@code s}, whose A, B and C start at the given offsets. */
    void run(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC) {
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

    /** Adds the depths past the last whole vector and the bias to a tile's sums, and stores them in C. */
    private static void finish(GemmShape s, float[] a, int offA, float[] b, int offB, float[] bias, float[] c, int offC,
                               int i0, int j0, float[] sums) {
        int k = s.k();
        for (int r = 0; r < A_ROWS && i0 + r < s.m(); r++) {
            for (int w = 0; w < B_ROWS && j0 + w < s.n(); w++) {
                float sum = sums[r * B_ROWS + w];
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
