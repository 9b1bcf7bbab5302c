// Elementwise kernels: one work-item per element; the host launches exactly `count` items
// (rounded up to the work-group size), so each kernel checks its index.

// NaN stays NaN, as in PyTorch (fmax would turn it into 0).
__kernel void relu(__global const float* restrict src, __global float* restrict dst, const ulong count) {
    const ulong i = get_global_id(0);
    if (i < count) {
        const float x = src[i];
        dst[i] = x < 0.0f ? 0.0f : x;
    }
}

// out = x + y, with y repeated along x: y's shape is a suffix of x's (a bias over the last dims).
__kernel void add_broadcast(__global const float* restrict x, __global const float* restrict y,
                            __global float* restrict out, const ulong count, const ulong y_count) {
    const ulong i = get_global_id(0);
    if (i < count) {
        out[i] = x[i] + y[i % y_count];
    }
}
