// A grouped convolution computed directly: src [N, C, H, W], weight [OC, C / groups, KH, KW],
// bias [OC] or null, dst [N, OC, OH, OW]. Its main users are depthwise convolutions (groups = C),
// where im2col + gemm would multiply matrices of one row. One work-item per output element;
// taps in the zero padding contribute nothing.
__kernel void conv2d_grouped(__global const float* restrict src, __global const float* restrict weight,
                             __global const float* restrict bias, __global float* restrict dst,
                             const ulong count,
                             const int channels, const int height, const int width,
                             const int out_channels, const int groups,
                             const int kernel_h, const int kernel_w,
                             const int stride_h, const int stride_w,
                             const int pad_h, const int pad_w,
                             const int dilation_h, const int dilation_w,
                             const int out_h, const int out_w) {
    const ulong i = get_global_id(0);
    if (i >= count) {
        return;
    }
    const int ow = (int) (i % out_w);
    const int oh = (int) ((i / out_w) % out_h);
    const int oc = (int) ((i / ((ulong) out_w * out_h)) % out_channels);
    const ulong n = i / ((ulong) out_w * out_h * out_channels);
    const int group_channels = channels / groups;
    const int first_channel = oc / (out_channels / groups) * group_channels;
    const int h0 = oh * stride_h - pad_h;
    const int w0 = ow * stride_w - pad_w;
    __global const float* w = weight + (ulong) oc * group_channels * kernel_h * kernel_w;
    float sum = bias ? bias[oc] : 0.0f;
    for (int c = 0; c < group_channels; c++) {
        __global const float* plane = src + (n * channels + first_channel + c) * height * width;
        for (int kh = 0; kh < kernel_h; kh++) {
            const int h = h0 + kh * dilation_h;
            if (h < 0 || h >= height) {
                continue;
            }
            for (int kw = 0; kw < kernel_w; kw++) {
                const int x = w0 + kw * dilation_w;
                if (x >= 0 && x < width) {
                    sum += plane[h * width + x] * w[(c * kernel_h + kh) * kernel_w + kw];
                }
            }
        }
    }
    dst[i] = sum;
}
