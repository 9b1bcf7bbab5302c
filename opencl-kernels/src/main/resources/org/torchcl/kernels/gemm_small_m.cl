// C = A * B^T (+ bias) when A has only a few rows: a Linear layer at batch 1..MAX_M, where the tiled
// sgemm would leave most of each tile idle. A is [M, K], B is the layer's weight [N, K], C is [M, N].
//
// Memory-bound by design: every weight row is read exactly once. A work-group of ROWS x LANES
// work-items owns ROWS consecutive outputs n; the LANES work-items of one n walk its weight row
// together (neighbours read neighbouring floats, four at a time when K allows), each keeping M
// partial dot products, which are then summed through local memory.
//
// bias_mode: 0 none, 1 bias[n] per output column (Linear), 2 bias[m] per row.

#define LANES 32
#define ROWS 8
#ifndef MAX_M
#define MAX_M 16
#endif

__kernel __attribute__((reqd_work_group_size(LANES * ROWS, 1, 1)))
void gemm_small_m(const int M, const int N, const int K,
                  __global const float* restrict A, __global const float* restrict B,
                  __global float* restrict C, __global const float* restrict bias, const int bias_mode) {
    const int lane = get_local_id(0) % LANES;
    const int row = get_local_id(0) / LANES;
    const int n = get_group_id(0) * ROWS + row;

    float acc[MAX_M];
    for (int m = 0; m < MAX_M; m++) {
        acc[m] = 0.0f;
    }
    if (n < N) {
        __global const float* w = B + (long) n * K;
        int k = 0;
        if ((K & 3) == 0) {
            for (int k4 = lane; k4 < K / 4; k4 += LANES) {
                const float4 wv = vload4(k4, w);
                for (int m = 0; m < MAX_M; m++) {
                    if (m < M) {
                        const float4 xv = vload4(k4, A + (long) m * K);
                        acc[m] = fma(xv.s0, wv.s0, fma(xv.s1, wv.s1, fma(xv.s2, wv.s2, fma(xv.s3, wv.s3, acc[m]))));
                    }
                }
            }
            k = K;
        }
        for (k += lane; k < K; k += LANES) {
            const float wk = w[k];
            for (int m = 0; m < MAX_M; m++) {
                if (m < M) {
                    acc[m] = fma(A[(long) m * K + k], wk, acc[m]);
                }
            }
        }
    }

    __local float partial[ROWS][MAX_M][LANES + 1];
    for (int m = 0; m < MAX_M; m++) {
        partial[row][m][lane] = acc[m];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (n < N && lane < M) {
        float sum = 0.0f;
        for (int l = 0; l < LANES; l++) {
            sum += partial[row][lane][l];
        }
        if (bias_mode == 1) {
            sum += bias[n];
        } else if (bias_mode == 2) {
            sum += bias[lane];
        }
        C[(long) lane * N + n] = sum;
    }
}
