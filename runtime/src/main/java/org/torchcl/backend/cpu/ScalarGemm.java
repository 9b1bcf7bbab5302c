package org.torchcl.backend.cpu;

import org.torchcl.backend.GemmShape;

/**
 * The plain-Java sgemm, for JVMs without {@code jdk.incubator.vector}. C is cut into tiles, one
 * task each; a task copies a slice of op(B) into a contiguous k-major panel (this is where the
 * transposed-B layout of a Linear weight is absorbed) and then streams rows of A against it with
 * an inner loop the JIT vectorizes.
 */
final class ScalarGemm implements CpuGemm {

    private static final int TILE_M = 64;
    private static final int TILE_N = 512;
    private static final int TILE_K = 256;

    private final Parallel parallel;

    ScalarGemm(Parallel parallel) {
        this.parallel = parallel;
    }

    @Override
    public void run(GemmShape s, float[] a, float[] b, float[] bias, float[] c) {
        int tilesM = (s.m() + TILE_M - 1) / TILE_M;
        int tilesN = (s.n() + TILE_N - 1) / TILE_N;
        int tilesPerBatch = tilesM * tilesN;
        parallel.forTasks(s.batch() * tilesPerBatch, task -> {
            int batch = task / tilesPerBatch;
            int tile = task % tilesPerBatch;
            int m0 = (tile / tilesN) * TILE_M;
            int n0 = (tile % tilesN) * TILE_N;
            tile(s, a, batch * s.strideA(), b, batch * s.strideB(), bias, c, batch * s.strideC(),
                    m0, Math.min(s.m(), m0 + TILE_M), n0, Math.min(s.n(), n0 + TILE_N));
        });
    }

    private static void tile(GemmShape s, float[] a, long offA, float[] b, long offB, float[] bias,
                             float[] c, long offC, int m0, int m1, int n0, int n1) {
        int width = n1 - n0;
        int n = s.n();
        for (int i = m0; i < m1; i++) {
            java.util.Arrays.fill(c, (int) (offC + (long) i * n + n0), (int) (offC + (long) i * n + n1), 0f);
        }
        float[] panel = new float[Math.min(TILE_K, s.k()) * width];
        for (int k0 = 0; k0 < s.k(); k0 += TILE_K) {
            int depth = Math.min(TILE_K, s.k() - k0);
            for (int kk = 0; kk < depth; kk++) {
                for (int j = 0; j < width; j++) {
                    panel[kk * width + j] = b[(int) (offB + s.indexB(k0 + kk, n0 + j))];
                }
            }
            for (int i = m0; i < m1; i++) {
                int row = (int) (offC + (long) i * n + n0);
                for (int kk = 0; kk < depth; kk++) {
                    float aik = a[(int) (offA + s.indexA(i, k0 + kk))];
                    int p = kk * width;
                    for (int j = 0; j < width; j++) {
                        c[row + j] += aik * panel[p + j];
                    }
                }
            }
        }
        if (s.bias() == GemmShape.Bias.PER_COLUMN) {
            for (int i = m0; i < m1; i++) {
                int row = (int) (offC + (long) i * n);
                for (int j = n0; j < n1; j++) {
                    c[row + j] += bias[j];
                }
            }
        } else if (s.bias() == GemmShape.Bias.PER_ROW) {
            for (int i = m0; i < m1; i++) {
                int row = (int) (offC + (long) i * n);
                float add = bias[i];
                for (int j = n0; j < n1; j++) {
                    c[row + j] += add;
                }
            }
        }
    }
}
