package org.torchcl.backend.cpu;

import java.util.Arrays;
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
     * The first output column {@code ow} whose input column {@code ow * stride + shift} (a tap's
     * shift: its offset in the window minus the padding) is not left of the input.
     */
    static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /**
     * The end of the output columns (of {@code outWidth}) whose input column {@code ow * stride +
     * shift} lies inside an input {@code width} wide; with {@link #firstInside} the range of a tap.
     */
    static int endInside(int shift, int stride, int width, int outWidth) {
        return shift > width - 1 ? 0 : Math.min(outWidth, (width - 1 - shift) / stride + 1);
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
        int shift = kw * s.dilationW() - s.padW();
        int from = firstInside(shift, stride);
        int to = endInside(shift, stride, s.width(), outW);
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

    static void pool2d(Parallel parallel, CpuMath math, float[] src, float[] dst, PoolShape s) {
        if (s.mode() == PoolShape.Mode.MAX) {
            long work = (long) s.outHeight() * s.outWidth() * s.kernelH() * s.kernelW();
            int phaseWidth = (s.width() + s.strideW() - 1) / s.strideW();
            parallel.forRange(s.planes(), Math.max(1, CpuBackend.ELEMENTWISE_GRAIN / work), (first, end) -> {
                float[] phases = s.strideW() == 1 ? null : new float[s.strideW() * s.height() * phaseWidth];
                for (long p = first; p < end; p++) {
                    maxPlane(math, src, (int) p * s.height() * s.width(), dst, (int) p * s.outHeight() * s.outWidth(),
                            s, phases, phaseWidth);
                }
            });
            return;
        }
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
                                : averageCell(src, in, s, oh, ow);
                    }
                }
            }
        });
    }

    /**
     * Max pooling of one plane, a row of outputs at a time: each tap in turn is compared with the
     * whole row, over the output columns where it lies inside the input, taps in the window's
     * row-major order (of equal maxima the first stays, and a NaN wins and stays). For a stride
     * above 1 the plane is first split into {@code phases} (column {@code t * stride + q} of a row to
     * phase {@code q}, column {@code t}), so that every tap reads adjacent floats.
     */
    private static void maxPlane(CpuMath math, float[] src, int in, float[] dst, int out, PoolShape s,
                                 float[] phases, int phaseWidth) {
        int stride = s.strideW();
        int height = s.height();
        if (phases != null) {
            for (int phase = 0; phase < stride; phase++) {
                for (int h = 0; h < height; h++) {
                    int row = in + h * s.width() + phase;
                    int to = (phase * height + h) * phaseWidth;
                    for (int t = 0; phase + t * stride < s.width(); t++) {
                        phases[to + t] = src[row + t * stride];
                    }
                }
            }
        }
        int outW = s.outWidth();
        for (int oh = 0; oh < s.outHeight(); oh++) {
            int row = out + oh * outW;
            Arrays.fill(dst, row, row + outW, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < s.kernelH(); i++) {
                int h = oh * s.strideH() - s.padTop() + i * s.dilationH();
                if (h < 0 || h >= height) {
                    continue;
                }
                for (int j = 0; j < s.kernelW(); j++) {
                    int shift = j * s.dilationW() - s.padLeft();
                    int from = firstInside(shift, stride);
                    int to = endInside(shift, stride, s.width(), outW);
                    if (from >= to) {
                        continue;
                    }
                    if (phases == null) {
                        math.keepGreater(src, in + h * s.width() + from + shift, dst, row + from, to - from);
                    } else {
                        int phase = Math.floorMod(shift, stride);
                        int column = from + Math.floorDiv(shift, stride);
                        math.keepGreater(phases, (phase * height + h) * phaseWidth + column, dst, row + from, to - from);
                    }
                }
            }
        }
    }

    /** One output cell of AVG pooling. */
    private static float averageCell(float[] src, int in, PoolShape s, int oh, int ow) {
        int top = oh * s.strideH() - s.padTop();
        int left = ow * s.strideW() - s.padLeft();
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
                if (w >= 0 && w < s.width()) {
                    sum += src[in + h * s.width() + w];
                }
            }
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
