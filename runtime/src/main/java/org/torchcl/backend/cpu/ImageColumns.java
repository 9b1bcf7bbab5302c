package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.Im2colShape;

/**
 * The columns im2col would write for a batch of NCHW images, read straight from the images while
 * packing: line {@code x = n * positions + oh * outW + ow} is output position {@code (oh, ow)} of
 * image {@code n}, depth {@code k = (c * kernelH + kh) * kernelW + kw} its input tap. A convolution
 * then never materializes the columns (kernel area times the input's size), and all images form one
 * product, so small images fill whole register tiles.
 */
final class ImageColumns implements PanelSource {

    private final float[] src;
    private final Im2colShape s;
    private final int outH;
    private final int outW;

    ImageColumns(float[] src, Im2colShape s) {
        this.src = src;
        this.s = s;
        this.outH = s.outHeight();
        this.outW = s.outWidth();
    }

    @Override
    public int extent() {
        return s.batch() * outH * outW;
    }

    @Override
    public int depth() {
        return s.patchSize();
    }

    @Override
    public void pack(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
        int lines = Math.min(width, extent() - x0);
        int taps = s.kernelH() * s.kernelW();
        for (int d = 0; d < kc; d++) {
            int k = k0 + d;
            int channel = k / taps;
            int kh = k % taps / s.kernelW();
            int kw = k % s.kernelW();
            int out = dstOff + d * width;
            // Input column of output column ow: ow * strideW + shift; inside the image for ow in [from, to).
            int shift = kw * s.dilationW() - s.padW();
            int stride = s.strideW();
            int from = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
            int to = shift > s.width() - 1 ? 0 : Math.min(outW, (s.width() - 1 - shift) / stride + 1);
            int outputRow = x0 / outW;
            int ow = x0 % outW;
            for (int x = 0; x < lines; outputRow++, ow = 0) {
                int run = Math.min(lines - x, outW - ow);
                int image = outputRow / outH;
                int h = outputRow % outH * s.strideH() - s.padH() + kh * s.dilationH();
                int o = out + x;
                if (h < 0 || h >= s.height()) {
                    Arrays.fill(dst, o, o + run, 0f);
                } else {
                    int row = ((image * s.channels() + channel) * s.height() + h) * s.width() + shift;
                    int first = Math.max(ow, Math.min(from, ow + run));
                    int end = Math.max(first, Math.min(to, ow + run));
                    Arrays.fill(dst, o, o + first - ow, 0f);
                    if (stride == 1) {
                        System.arraycopy(src, row + first, dst, o + first - ow, end - first);
                    } else {
                        for (int c = first; c < end; c++) {
                            dst[o + c - ow] = src[row + c * stride];
                        }
                    }
                    Arrays.fill(dst, o + end - ow, o + run, 0f);
                }
                x += run;
            }
            Arrays.fill(dst, out + lines, out + width, 0f);
        }
    }
}
