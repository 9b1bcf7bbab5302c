package org.torchcl.backend.cpu;

import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.PoolShape;

/**
 * Direct grouped convolution and 2-D pooling over contiguous float32 NCHW tensors. Grouped and
 * depthwise convolutions have too little work per output channel for im2col + gemm to pay off,
 * so they slide each weight tap over the whole output plane instead.
 */
final class CpuConvolution {

    private CpuConvolution() {
    }

    static void conv2dGrouped(Parallel parallel, float[] src, float[] weight, float[] bias, float[] dst,
                              Im2colShape s, int outChannels, int groups) {
        int channelsPerGroup = s.channels() / groups;
        int outPerGroup = outChannels / groups;
        int outH = s.outHeight();
        int outW = s.outWidth();
        int plane = outH * outW;
        long work = (long) plane * channelsPerGroup * s.kernelH() * s.kernelW();
        parallel.forRange((long) s.batch() * outChannels, Math.max(1, CpuBackend.ELEMENTWISE_GRAIN / work),
                (first, end) -> {
                    for (long p = first; p < end; p++) {
                        int n = (int) (p / outChannels);
                        int oc = (int) (p % outChannels);
                        int out = (int) p * plane;
                        float b = bias == null ? 0f : bias[oc];
                        for (int i = 0; i < plane; i++) {
                            dst[out + i] = b;
                        }
                        int firstChannel = oc / outPerGroup * channelsPerGroup;
                        for (int ic = 0; ic < channelsPerGroup; ic++) {
                            int in = (n * s.channels() + firstChannel + ic) * s.height() * s.width();
                            int taps = (oc * channelsPerGroup + ic) * s.kernelH() * s.kernelW();
                            for (int kh = 0; kh < s.kernelH(); kh++) {
                                for (int kw = 0; kw < s.kernelW(); kw++) {
                                    accumulateTap(src, in, weight[taps + kh * s.kernelW() + kw], dst, out, s,
                                            kh, kw);
                                }
                            }
                        }
                    }
                });
    }

    /**
     * Adds {@code w} times the input plane at {@code in}, shifted to weight tap {@code (kh, kw)},
     * to the output plane at {@code out}. The output columns whose tap lands inside the input are
     * worked out once, so the inner loop has no bounds tests (and vectorizes for stride 1).
     */
    private static void accumulateTap(float[] src, int in, float w, float[] dst, int out, Im2colShape s,
                                      int kh, int kw) {
        int outH = s.outHeight();
        int outW = s.outWidth();
        int stride = s.strideW();
        // Input column of output column ow: ow * stride + shift.
        int shift = kw * s.dilationW() - s.padW();
        int from = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        int to = shift > s.width() - 1 ? 0 : Math.min(outW, (s.width() - 1 - shift) / stride + 1);
        for (int oh = 0; oh < outH; oh++) {
            int h = oh * s.strideH() - s.padH() + kh * s.dilationH();
            if (h < 0 || h >= s.height()) {
                continue;
            }
            int row = in + h * s.width() + shift;
            int o = out + oh * outW;
            if (stride == 1) {
                for (int ow = from; ow < to; ow++) {
                    dst[o + ow] += w * src[row + ow];
                }
            } else {
                for (int ow = from; ow < to; ow++) {
                    dst[o + ow] += w * src[row + ow * stride];
                }
            }
        }
    }

    static void pool2d(Parallel parallel, float[] src, float[] dst, PoolShape s) {
        long window = s.mode() == PoolShape.Mode.ADAPTIVE_AVG
                ? (long) (s.height() / s.outHeight() + 2) * (s.width() / s.outWidth() + 2)
                : (long) s.kernelH() * s.kernelW();
        long work = (long) s.outHeight() * s.outWidth() * window;
        parallel.forRange(s.planes(), Math.max(1, CpuBackend.ELEMENTWISE_GRAIN / work), (first, end) -> {
            for (long p = first; p < end; p++) {
                int in = (int) p * s.height() * s.width();
                int out = (int) p * s.outHeight() * s.outWidth();
                for (int oh = 0; oh < s.outHeight(); oh++) {
                    for (int ow = 0; ow < s.outWidth(); ow++) {
                        dst[out + oh * s.outWidth() + ow] = s.mode() == PoolShape.Mode.ADAPTIVE_AVG
                                ? adaptiveCell(src, in, s, oh, ow)
                                : windowCell(src, in, s, oh, ow);
                    }
                }
            }
        });
    }

    /** One output cell of MAX or AVG pooling. */
    private static float windowCell(float[] src, int in, PoolShape s, int oh, int ow) {
        int top = oh * s.strideH() - s.padTop();
        int left = ow * s.strideW() - s.padLeft();
        boolean max = s.mode() == PoolShape.Mode.MAX;
        float best = Float.NEGATIVE_INFINITY;
        double sum = 0;
        int rowsInside = 0;
        int rowsPadded = 0;
        for (int i = 0; i < s.kernelH(); i++) {
            int h = top + i * s.dilationH();
            if (h >= -s.padTop() && h < s.height() + s.padBottom()) {
                rowsPadded++;
            }
            if (h < 0 || h >= s.height()) {
                continue;
            }
            rowsInside++;
            for (int j = 0; j < s.kernelW(); j++) {
                int w = left + j * s.dilationW();
                if (w < 0 || w >= s.width()) {
                    continue;
                }
                float v = src[in + h * s.width() + w];
                // A NaN tap wins and stays: nothing compares greater than NaN.
                if (v > best || v != v) {
                    best = v;
                }
                sum += v;
            }
        }
        if (max) {
            return best;
        }
        int colsInside = 0;
        int colsPadded = 0;
        for (int j = 0; j < s.kernelW(); j++) {
            int w = left + j * s.dilationW();
            if (w >= -s.padLeft() && w < s.width() + s.padRight()) {
                colsPadded++;
            }
            if (w >= 0 && w < s.width()) {
                colsInside++;
            }
        }
        int count = s.mode() == PoolShape.Mode.AVG_INCLUDE_PAD ? rowsPadded * colsPadded : rowsInside * colsInside;
        return count == 0 ? 0f : (float) (sum / count);
    }

    /** One output cell of adaptive average pooling: rows {@code [floor(oh H / OH), ceil((oh + 1) H / OH))}, likewise columns. */
    private static float adaptiveCell(float[] src, int in, PoolShape s, int oh, int ow) {
        int top = (int) ((long) oh * s.height() / s.outHeight());
        int bottom = (int) (((long) (oh + 1) * s.height() + s.outHeight() - 1) / s.outHeight());
        int left = (int) ((long) ow * s.width() / s.outWidth());
        int right = (int) (((long) (ow + 1) * s.width() + s.outWidth() - 1) / s.outWidth());
        double sum = 0;
        for (int h = top; h < bottom; h++) {
            int row = in + h * s.width();
            for (int w = left; w < right; w++) {
                sum += src[row + w];
            }
        }
        return (float) (sum / ((bottom - top) * (right - left)));
    }
}
