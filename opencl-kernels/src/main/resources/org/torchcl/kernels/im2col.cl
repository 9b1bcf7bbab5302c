// im2col for a batch: src [N, C, H, W] -> cols [N, C * KH * KW, OH * OW], so that a convolution is
// one batched gemm  weight [OC, C * KH * KW] x cols[n]  ->  out[n] [OC, OH * OW]  (NCHW directly).
// One work-item per element of cols; taps that fall into the zero padding read as 0.
__kernel void im2col(__global const float* restrict src, __global float* restrict cols,
                     const ulong count,
                     const int channels, const int height, const int width,
                     const int kernel_h, const int kernel_w,
                     const int stride_h, const int stride_w,
                     const int pad_h, const int pad_w,
                     const int dilation_h, const int dilation_w,
                     const int out_h, const int out_w) {
    const ulong i = get_global_id(0);
    if (i >= count) {
        return;
    }
    const ulong positions = (ulong) out_h * out_w;
    const ulong rows = (ulong) channels * kernel_h * kernel_w;
    const int ow = (int) (i % out_w);
    const int oh = (int) ((i / out_w) % out_h);
    const ulong row = (i / positions) % rows;
    const ulong n = i / (positions * rows);
    const int kw = (int) (row % kernel_w);
    const int kh = (int) ((row / kernel_w) % kernel_h);
    const int c = (int) (row / ((ulong) kernel_w * kernel_h));
    const int h = oh * stride_h - pad_h + kh * dilation_h;
    const int w = ow * stride_w - pad_w + kw * dilation_w;
    float v = 0.0f;
    if (h >= 0 && h < height && w >= 0 && w < width) {
        v = src[((n * channels + c) * height + h) * width + w];
    }
    cols[i] = v;
}
