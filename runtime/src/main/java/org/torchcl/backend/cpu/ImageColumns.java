package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.Im2colShape;

/**
 * The columns im2col would write for a batch of NCHW images, read straight from the images while
 * packing: line {@code x = n * positions + oh * outW + ow} is output position {@code (oh, ow)} of
 * image {@code n}, depth {@code k = (c * kernelH + kh) * kernelW + kw} its input tap. A convolution
 * then never materializes the columns (kernel area times the input's size), and all images form one
 * product, so small images fill whole register tiles.
 *
 * <p>Wide images are copied in runs along their rows. Narrow ones (under {@link #RUN_WIDTH} output
 * columns) have runs too short for that: a panel's input positions for each kernel tap are worked
 * out once per call, and every channel is then gathered through that table.
 */
final class ImageColumns implements PanelSource {

    /** Output widths from which copying runs along the rows beats gathering through a table. */
    static final int RUN_WIDTH = 16;

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
        if (outW < RUN_WIDTH) {
            gather(x0, width, k0, kc, dst, dstOff);
        } else {
            copyRuns(x0, width, k0, kc, dst, dstOff);
        }
    }

    /** {@link #pack} through a table, per kernel tap, of each line's input offset (from channel 0), or -1 in the padding. */
    private void gather(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
        int lines = Math.min(width, extent() - x0);
        int taps = s.kernelH() * s.kernelW();
        int plane = s.height() * s.width();
        int[] offsets = new int[taps * lines];
        for (int x = 0; x < lines; x++) {
            int line = x0 + x;
            int image = line / (outH * outW);
            int oh = line / outW % outH;
            int ow = line % outW;
            for (int tap = 0; tap < taps; tap++) {
                int h = oh * s.strideH() - s.padH() + tap / s.kernelW() * s.dilationH();
                int w = ow * s.strideW() - s.padW() + tap % s.kernelW() * s.dilationW();
                boolean inside = h >= 0 && h < s.height() && w >= 0 && w < s.width();
                offsets[tap * lines + x] = inside ? image * s.channels() * plane + h * s.width() + w : -1;
            }
        }
        for (int d = 0; d < kc; d++) {
            int k = k0 + d;
            int base = k / taps * plane;
            int table = k % taps * lines;
            int out = dstOff + d * width;
            for (int x = 0; x < lines; x++) {
                int at = offsets[table + x];
                dst[out + x] = at < 0 ? 0f : src[base + at];
            }
            Arrays.fill(dst, out + lines, out + width, 0f);
        }
    }

    /**
     * {@link #pack} by runs of adjacent output columns, contiguous in the input for stride 1. The
     * runs (one per output row the panel touches) are the same at every depth: found once, then
     * each depth only shifts them by its tap, whose indices advance without divisions.
     */
    private void copyRuns(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
        int lines = Math.min(width, extent() - x0);
        int runs = (x0 % outW + lines + outW - 1) / outW;
        int[] runStart = new int[runs];
        int[] runLength = new int[runs];
        int[] runColumn = new int[runs];
        int[] runTop = new int[runs];
        int[] runImage = new int[runs];
        int outputRow = x0 / outW;
        int ow = x0 % outW;
        for (int r = 0, x = 0; x < lines; r++, outputRow++, ow = 0) {
            runStart[r] = x;
            runLength[r] = Math.min(lines - x, outW - ow);
            runColumn[r] = ow;
            runTop[r] = outputRow % outH * s.strideH() - s.padH();
            runImage[r] = outputRow / outH * s.channels();
            x += runLength[r];
        }
        int taps = s.kernelH() * s.kernelW();
        int stride = s.strideW();
        int channel = k0 / taps;
        int kh = k0 % taps / s.kernelW();
        int kw = k0 % s.kernelW();
        for (int d = 0; d < kc; d++) {
            int out = dstOff + d * width;
            int shift = kw * s.dilationW() - s.padW();
            int from = CpuConvolution.firstInside(shift, stride);
            int to = CpuConvolution.endInside(shift, stride, s.width(), outW);
            for (int r = 0; r < runs; r++) {
                int run = runLength[r];
                int column = runColumn[r];
                int o = out + runStart[r];
                int h = runTop[r] + kh * s.dilationH();
                if (h < 0 || h >= s.height()) {
                    Arrays.fill(dst, o, o + run, 0f);
                    continue;
                }
                int row = ((runImage[r] + channel) * s.height() + h) * s.width() + shift;
                int first = Math.max(column, Math.min(from, column + run));
                int end = Math.max(first, Math.min(to, column + run));
                if (first > column) {
                    Arrays.fill(dst, o, o + first - column, 0f);
                }
                if (stride == 1) {
                    System.arraycopy(src, row + first, dst, o + first - column, end - first);
                } else {
                    for (int c = first; c < end; c++) {
                        dst[o + c - column] = src[row + c * stride];
                    }
                }
                if (end < column + run) {
                    Arrays.fill(dst, o + end - column, o + run, 0f);
                }
            }
            if (lines < width) {
                Arrays.fill(dst, out + lines, out + width, 0f);
            }
            if (++kw == s.kernelW()) {
                kw = 0;
                if (++kh == s.kernelH()) {
                    kh = 0;
                    channel++;
                }
            }
        }
    }
}
