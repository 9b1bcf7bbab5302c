// Softmax, log-softmax and layer norm of contiguous float32 rows of cols values: one work-group of
// GROUP work-items per row (-DGROUP, a power of two). With -DROW_CAPACITY the *_local kernels exist:
// a row of at most that many values is read from global memory once into local memory and every
// later pass reads it there. The *_global kernels serve longer rows, reading global memory on each
// pass (a row is then too long for local memory but still sits in the caches for its later passes).
// Work-item t always handles values t, t + GROUP, ..., so it only ever reads back what it wrote itself.
//
// Softmax subtracts the row's max before exp; log-softmax is (x - max) - log(sum). Layer norm is the
// corrected two-pass algorithm: a first mean m, then the deviations d = x - m give the mean
// m + sum(d) / n and the biased variance sum(d^2) / n - (sum(d) / n)^2, so neither a large mean nor
// the rounding of the first sum costs precision.

inline float group_max(const float v, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = GROUP / 2; width > 0; width >>= 1) {
        if (lid < width) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + width]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);  // everyone has read it before scratch is reused
    return result;
}

inline float group_sum(const float v, __local float* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = GROUP / 2; width > 0; width >>= 1) {
        if (lid < width) {
            scratch[lid] += scratch[lid + width];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

inline float2 group_sum2(const float2 v, __local float2* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = GROUP / 2; width > 0; width >>= 1) {
        if (lid < width) {
            scratch[lid] += scratch[lid + width];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float2 result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

// Layer norm's mean and 1 / sqrt(variance + eps) from the sums of a row's deviations from the
// first mean estimate.
inline float2 mean_and_rstd(const float first_mean, const float2 deviation_sums, const int cols, const float eps) {
    const float shift = deviation_sums.x / (float) cols;
    const float variance = fmax(0.0f, deviation_sums.y / (float) cols - shift * shift);
    return (float2) (first_mean + shift, rsqrt(variance + eps));
}

// fmax skips a NaN, but exp(NaN - max) then makes the sum, and so the whole row, NaN as in PyTorch.
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void softmax_global(__global const float* src, __global float* dst, const int cols, const int log_softmax) {
    __local float scratch[GROUP];
    const int lid = get_local_id(0);
    const long start = (long) get_group_id(0) * cols;
    __global const float* x = src + start;
    __global float* y = dst + start;
    float m = -INFINITY;
    for (int j = lid; j < cols; j += GROUP) {
        m = fmax(m, x[j]);
    }
    m = group_max(m, scratch);
    float s = 0.0f;
    for (int j = lid; j < cols; j += GROUP) {
        s += exp(x[j] - m);
    }
    s = group_sum(s, scratch);
    if (log_softmax) {
        const float log_sum = log(s);
        for (int j = lid; j < cols; j += GROUP) {
            y[j] = (x[j] - m) - log_sum;
        }
    } else {
        for (int j = lid; j < cols; j += GROUP) {
            y[j] = exp(x[j] - m) / s;
        }
    }
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void layer_norm_global(__global const float* src, __global const float* weight, __global const float* bias,
                       __global float* dst, const int cols, const float eps) {
    __local float scratch[GROUP];
    __local float2 pairs[GROUP];
    const int lid = get_local_id(0);
    const long start = (long) get_group_id(0) * cols;
    __global const float* x = src + start;
    __global float* y = dst + start;
    float s = 0.0f;
    for (int j = lid; j < cols; j += GROUP) {
        s += x[j];
    }
    const float first_mean = group_sum(s, scratch) / (float) cols;
    float2 sums = (float2) (0.0f, 0.0f);
    for (int j = lid; j < cols; j += GROUP) {
        const float d = x[j] - first_mean;
        sums += (float2) (d, d * d);
    }
    const float2 stats = mean_and_rstd(first_mean, group_sum2(sums, pairs), cols, eps);
    for (int j = lid; j < cols; j += GROUP) {
        const float v = (x[j] - stats.x) * stats.y;
        y[j] = (weight ? v * weight[j] : v) + (bias ? bias[j] : 0.0f);
    }
}

#ifdef ROW_CAPACITY

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void softmax_local(__global const float* src, __global float* dst, const int cols, const int log_softmax) {
    __local float row[ROW_CAPACITY];
    __local float scratch[GROUP];
    const int lid = get_local_id(0);
    const long start = (long) get_group_id(0) * cols;
    __global float* y = dst + start;
    float m = -INFINITY;
    for (int j = lid; j < cols; j += GROUP) {
        row[j] = src[start + j];
        m = fmax(m, row[j]);
    }
    m = group_max(m, scratch);
    float s = 0.0f;
    for (int j = lid; j < cols; j += GROUP) {
        const float e = exp(row[j] - m);
        if (!log_softmax) {
            row[j] = e;
        }
        s += e;
    }
    s = group_sum(s, scratch);
    if (log_softmax) {
        const float log_sum = log(s);
        for (int j = lid; j < cols; j += GROUP) {
            y[j] = (row[j] - m) - log_sum;
        }
    } else {
        for (int j = lid; j < cols; j += GROUP) {
            y[j] = row[j] / s;
        }
    }
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void layer_norm_local(__global const float* src, __global const float* weight, __global const float* bias,
                      __global float* dst, const int cols, const float eps) {
    __local float row[ROW_CAPACITY];
    __local float scratch[GROUP];
    __local float2 pairs[GROUP];
    const int lid = get_local_id(0);
    const long start = (long) get_group_id(0) * cols;
    __global float* y = dst + start;
    float s = 0.0f;
    for (int j = lid; j < cols; j += GROUP) {
        row[j] = src[start + j];
        s += row[j];
    }
    const float first_mean = group_sum(s, scratch) / (float) cols;
    float2 sums = (float2) (0.0f, 0.0f);
    for (int j = lid; j < cols; j += GROUP) {
        const float d = row[j] - first_mean;
        sums += (float2) (d, d * d);
    }
    const float2 stats = mean_and_rstd(first_mean, group_sum2(sums, pairs), cols, eps);
    for (int j = lid; j < cols; j += GROUP) {
        const float v = (row[j] - stats.x) * stats.y;
        y[j] = (weight ? v * weight[j] : v) + (bias ? bias[j] : 0.0f);
    }
}

#endif
