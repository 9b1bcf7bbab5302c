// 2-D pooling over [planes, H, W] -> [planes, OH, OW], one work-item per output element; the
// window is PoolShape's. -DMODE is PoolShape.Mode's ordinal, so each mode is its own program and
// its loop carries no mode branches.
#define MODE_MAX 0
#define MODE_AVG_INCLUDE_PAD 1
#define MODE_AVG_EXCLUDE_PAD 2
#define MODE_ADAPTIVE_AVG 3

__kernel void pool2d(__global const float* restrict src, __global float* restrict dst, const ulong count,
                     const int height, const int width, const int out_h, const int out_w,
                     const int kernel_h, const int kernel_w, const int stride_h, const int stride_w,
                     const int pad_top, const int pad_left, const int pad_bottom, const int pad_right,
                     const int dilation_h, const int dilation_w) {
    const ulong i = get_global_id(0);
    if (i >= count) {
        return;
    }
    const int ow = (int) (i % out_w);
    const int oh = (int) ((i / out_w) % out_h);
    __global const float* plane = src + i / ((ulong) out_w * out_h) * height * width;
#if MODE == MODE_ADAPTIVE_AVG
    // Rows [floor(oh * H / OH), ceil((oh + 1) * H / OH)); in long, as oh * H may pass 2^31.
    const int h_start = (int) ((long) oh * height / out_h);
    const int h_end = (int) (((long) (oh + 1) * height + out_h - 1) / out_h);
    const int w_start = (int) ((long) ow * width / out_w);
    const int w_end = (int) (((long) (ow + 1) * width + out_w - 1) / out_w);
    float sum = 0.0f;
    for (int h = h_start; h < h_end; h++) {
        for (int w = w_start; w < w_end; w++) {
            sum += plane[h * width + w];
        }
    }
    dst[i] = sum / (float) ((h_end - h_start) * (w_end - w_start));
#else
    const int h0 = oh * stride_h - pad_top;
    const int w0 = ow * stride_w - pad_left;
#if MODE == MODE_MAX
    // A NaN tap is kept once seen (nothing compares greater than NaN), as in PyTorch.
    float best = -INFINITY;
    for (int kh = 0; kh < kernel_h; kh++) {
        const int h = h0 + kh * dilation_h;
        if (h < 0 || h >= height) {
            continue;
        }
        for (int kw = 0; kw < kernel_w; kw++) {
            const int w = w0 + kw * dilation_w;
            if (w >= 0 && w < width) {
                const float v = plane[h * width + w];
                if (v > best || isnan(v)) {
                    best = v;
                }
            }
        }
    }
    dst[i] = best;
#else
    // Rows and columns are independent, so the window's tap counts are products of per-axis counts:
    // inside the real input (summed, and AVG_EXCLUDE_PAD's divisor) and inside the padded bounds
    // [-pad_top, H + pad_bottom) (AVG_INCLUDE_PAD's divisor, which ceil mode's extra windows clip).
    int real_rows = 0;
    int padded_rows = 0;
    for (int kh = 0; kh < kernel_h; kh++) {
        const int h = h0 + kh * dilation_h;
        real_rows += h >= 0 && h < height;
        padded_rows += h >= -pad_top && h < height + pad_bottom;
    }
    int real_cols = 0;
    int padded_cols = 0;
    for (int kw = 0; kw < kernel_w; kw++) {
        const int w = w0 + kw * dilation_w;
        real_cols += w >= 0 && w < width;
        padded_cols += w >= -pad_left && w < width + pad_right;
    }
    float sum = 0.0f;
    for (int kh = 0; kh < kernel_h; kh++) {
        const int h = h0 + kh * dilation_h;
        if (h < 0 || h >= height) {
            continue;
        }
        for (int kw = 0; kw < kernel_w; kw++) {
            const int w = w0 + kw * dilation_w;
            if (w >= 0 && w < width) {
                sum += plane[h * width + w];
            }
        }
    }
#if MODE == MODE_AVG_INCLUDE_PAD
    const int taps = padded_rows * padded_cols;
#else
    const int taps = real_rows * real_cols;
#endif
    // A window with no taps averages nothing: 0, not 0 / 0.
    dst[i] = taps > 0 ? sum / (float) taps : 0.0f;
#endif
#endif
}
