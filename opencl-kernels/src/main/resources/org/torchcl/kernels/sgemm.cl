// C[b] = op(A[b]) * op(B[b]) (+ bias), row-major, for any M, N, K and batch count.
//
// A work-group computes a TILE_M x TILE_N block of C; each work-item owns WPT_M x WPT_N of its
// elements. K is walked in TILE_K slices staged in local memory; loads past the matrix edges read
// as zero and stores past them are skipped, so no size needs padding.
//
// Work-item (tn, tm) owns rows  g * THREADS_M * VEC + tm * VEC + v  (g < WPT_M / VEC, v < VEC) and
// the columns built the same way from tn: with VEC = 4 every local-memory read is a float4 and
// neighbouring work-items store neighbouring 16-byte runs of C; VEC = 1 gives the plain strided
// layout. Tile sizes and VEC come in as -D options chosen per device (GemmConfig, the tuner).
//
// op(A) is A [M, K] (lda = K) or, with transA, the transpose of a stored [K, M] (lda = M);
// op(B) is B [K, N] (ldb = N) or, with transB, the transpose of a stored [N, K] (ldb = K) --
// the x * W^T of a Linear layer, read in place. Each tile is loaded in the order that is
// contiguous in global memory for the layout at hand.
//
// bias_mode: 0 none, 1 bias[n] added to every row (Linear), 2 bias[m] added to every column
// (Conv2d's per-output-channel bias over an im2col product).

#ifndef TILE_M
#define TILE_M 64
#endif
#ifndef TILE_N
#define TILE_N 64
#endif
#ifndef TILE_K
#define TILE_K 16
#endif
#ifndef WPT_M
#define WPT_M 4
#endif
#ifndef WPT_N
#define WPT_N 4
#endif
#ifndef VEC
#define VEC 1
#endif

#define THREADS_M (TILE_M / WPT_M)
#define THREADS_N (TILE_N / WPT_N)
#define THREADS (THREADS_M * THREADS_N)
// Padding keeps the k-contiguous tile stores off a single bank; a multiple of VEC keeps rows aligned.
#define PAD VEC

#if VEC == 4
#define floatV float4
#define LOAD_V(p) vload4(0, p)
#define LANE(x, v) ((v) == 0 ? (x).s0 : (v) == 1 ? (x).s1 : (v) == 2 ? (x).s2 : (x).s3)
#else
#define floatV float
#define LOAD_V(p) (*(p))
#define LANE(x, v) (x)
#endif

__kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))
void sgemm(const int M, const int N, const int K,
           __global const float* restrict A, const long strideA, const int transA,
           __global const float* restrict B, const long strideB, const int transB,
           __global float* restrict C, const long strideC,
           __global const float* restrict bias, const int bias_mode) {
    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int lid = tm * THREADS_N + tn;
    const int n0 = get_group_id(0) * TILE_N;
    const int m0 = get_group_id(1) * TILE_M;
    const long batch = get_global_id(2);
    A += batch * strideA;
    B += batch * strideB;
    C += batch * strideC;
    const int lda = transA ? M : K;
    const int ldb = transB ? K : N;

    __local float As[TILE_K][TILE_M + PAD];
    __local float Bs[TILE_K][TILE_N + PAD];

    float acc[WPT_M][WPT_N];
    for (int i = 0; i < WPT_M; i++) {
        for (int j = 0; j < WPT_N; j++) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int e = lid; e < TILE_M * TILE_K; e += THREADS) {
            const int mm = transA ? e % TILE_M : e / TILE_K;
            const int kk = transA ? e / TILE_M : e % TILE_K;
            const int gm = m0 + mm;
            const int gk = k0 + kk;
            float v = 0.0f;
            if (gm < M && gk < K) {
                v = A[transA ? (long) gk * lda + gm : (long) gm * lda + gk];
            }
            As[kk][mm] = v;
        }
        for (int e = lid; e < TILE_N * TILE_K; e += THREADS) {
            const int nn = transB ? e / TILE_K : e % TILE_N;
            const int kk = transB ? e % TILE_K : e / TILE_N;
            const int gn = n0 + nn;
            const int gk = k0 + kk;
            float v = 0.0f;
            if (gn < N && gk < K) {
                v = B[transB ? (long) gn * ldb + gk : (long) gk * ldb + gn];
            }
            Bs[kk][nn] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

#pragma unroll
        for (int k = 0; k < TILE_K; k++) {
            floatV a[WPT_M / VEC];
            floatV b[WPT_N / VEC];
            for (int g = 0; g < WPT_M / VEC; g++) {
                a[g] = LOAD_V(&As[k][g * THREADS_M * VEC + tm * VEC]);
            }
            for (int g = 0; g < WPT_N / VEC; g++) {
                b[g] = LOAD_V(&Bs[k][g * THREADS_N * VEC + tn * VEC]);
            }
            for (int i = 0; i < WPT_M; i++) {
                const float ai = LANE(a[i / VEC], i % VEC);
                for (int j = 0; j < WPT_N; j++) {
                    acc[i][j] = fma(ai, LANE(b[j / VEC], j % VEC), acc[i][j]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < WPT_M; i++) {
        const int m = m0 + (i / VEC) * THREADS_M * VEC + tm * VEC + i % VEC;
        if (m >= M) {
            continue;
        }
        for (int j = 0; j < WPT_N; j++) {
            const int n = n0 + (j / VEC) * THREADS_N * VEC + tn * VEC + j % VEC;
            if (n < N) {
                float v = acc[i][j];
                if (bias_mode == 1) {
                    v += bias[n];
                } else if (bias_mode == 2) {
                    v += bias[m];
                }
                C[(long) m * N + n] = v;
            }
        }
    }
}
