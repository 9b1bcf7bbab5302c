package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.Im2colShape;

/**
 * One NCHW image copied inside its zero border, so that a convolution reads its im2col columns
 * where they lie instead of packing them. For stride 1, output position {@code (oh, ow)} becomes
 * column {@code oh * paddedWidth + ow}, and its input at depth {@code k} (channel, tap) lies at that
 * column plus {@link #starts()}{@code [k]}: each depth of a panel of adjacent columns is a run of
 * adjacent floats, as in a packed panel. The columns with {@code ow >= outWidth} read across the
 * border into the next row: they are computed and thrown away, {@code paddedWidth - outWidth} per
 * output row.
 *
 * <p>A larger stride is reduced to stride 1: each padded channel is split into {@code strideH x
 * strideW} phases, padded row {@code y} and column {@code x} going to phase {@code (y % strideH,
 * x % strideW)} at {@code (y / strideH, x / strideW)}. Tap {@code (kh, kw)} of output {@code (oh,
 * ow)} then lies in one phase at {@code (oh + kh / strideH, ow + kw / strideW)} (with dilation,
 * {@code kh * dilationH} for {@code kh}), adjacent columns again adjacent floats; the row width is
 * the phase's.
 *
 * <p>A packed panel is nine times larger than the image window it is copied from (for a 3x3
 * kernel), and copying costs as much as a fifth of the product at 64 output channels; reading in
 * place costs those thrown-away columns instead, a few percent on wide images.
 */
final class PaddedImage {

    private final Im2colShape s;
    private final int paddedHeight;
    private final int paddedWidth;
    /** Rows and columns of one phase. */
    private final int phaseHeight;
    private final int phaseWidth;
    /** Floats of one channel: all its phases. */
    private final int channelSize;
    private final int columns;
    private final int[] starts;

    /** For images of shape {@code s}, whose columns are handed out in panels of {@code width}. */
    PaddedImage(Im2colShape s, int width) {
        this.s = s;
        this.paddedHeight = s.height() + 2 * s.padH();
        this.paddedWidth = s.width() + 2 * s.padW();
        this.phaseHeight = BlockedGemm.ceilDiv(paddedHeight, s.strideH());
        this.phaseWidth = BlockedGemm.ceilDiv(paddedWidth, s.strideW());
        this.channelSize = s.strideH() * s.strideW() * phaseHeight * phaseWidth;
        this.columns = columns(s, width);
        this.starts = new int[s.patchSize()];
        int taps = s.kernelH() * s.kernelW();
        for (int k = 0; k < starts.length; k++) {
            int y = k % taps / s.kernelW() * s.dilationH();
            int x = k % taps % s.kernelW() * s.dilationW();
            int phase = y % s.strideH() * s.strideW() + x % s.strideW();
            starts[k] = k / taps * channelSize + phase * phaseHeight * phaseWidth
                    + y / s.strideH() * phaseWidth + x / s.strideW();
        }
    }

    private static int columns(Im2colShape s, int width) {
        int phaseWidth = BlockedGemm.ceilDiv(s.width() + 2 * s.padW(), s.strideW());
        return BlockedGemm.ceilDiv(s.outHeight() * phaseWidth, width) * width;
    }

    /** The fraction of the columns computed that are output positions. */
    static double usefulFraction(Im2colShape s, int width) {
        return (double) s.positions() / columns(s, width);
    }

    /** Columns of the product per image: the output rows at the phase width, rounded up to whole panels. */
    int columns() {
        return columns;
    }

    /** Where each depth of column 0 lies in the padded image. */
    int[] starts() {
        return starts;
    }

    /** Floats a padded image takes, with room for the last panel's thrown-away columns to read past its end. */
    int length() {
        return Math.max(s.channels() * channelSize, columns + Arrays.stream(starts).max().orElse(0));
    }

    int channels() {
        return s.channels();
    }

    /** Floats of one input channel, unpadded. */
    int inputPlane() {
        return s.height() * s.width();
    }

    /** Floats of one padded image, with every channel's phases. */
    int imageSize() {
        return s.channels() * channelSize;
    }

    /**
     * Copies channels {@code [first, end)} of image {@code image} of the batch {@code src} into
     * {@code padded} from {@code at} on, zeroing the border.
     */
    void copy(float[] src, int image, int first, int end, float[] padded, int at) {
        int width = s.width();
        for (int channel = first; channel < end; channel++) {
            int from = (image * s.channels() + channel) * s.height() * width;
            int to = at + channel * channelSize;
            if (s.strideH() == 1 && s.strideW() == 1) {
                int right = s.padW() + width;
                Arrays.fill(padded, to, to + s.padH() * paddedWidth, 0f);
                for (int h = 0; h < s.height(); h++) {
                    int row = to + (s.padH() + h) * paddedWidth;
                    Arrays.fill(padded, row, row + s.padW(), 0f);
                    System.arraycopy(src, from + h * width, padded, row + s.padW(), width);
                    Arrays.fill(padded, row + right, row + paddedWidth, 0f);
                }
                Arrays.fill(padded, to + (s.padH() + s.height()) * paddedWidth, to + channelSize, 0f);
            } else {
                Arrays.fill(padded, to, to + channelSize, 0f);
                for (int h = 0; h < s.height(); h++) {
                    int y = s.padH() + h;
                    int row = to + (y % s.strideH() * s.strideW() * phaseHeight + y / s.strideH()) * phaseWidth;
                    for (int w = 0; w < width; w++) {
                        int x = s.padW() + w;
                        padded[row + x % s.strideW() * phaseHeight * phaseWidth + x / s.strideW()] = src[from
                                + h * width + w];
                    }
                }
            }
        }
    }

    /**
     * The columns of all images of the batch, every image padded into {@code padded} (each
     * {@link #imageSize()} after the previous, with room behind the last one for a panel to read
     * past it), as the rows of C^T: line {@code n * positions + oh * outWidth + ow}. Every depth of
     * a panel is then one load per line from a fixed offset, with no test for the border, which
     * the padding holds as zeros.
     */
    PanelSource positions(float[] padded) {
        int outW = s.outWidth();
        int positions = s.positions();
        return new PanelSource() {
            @Override
            public int extent() {
                return s.batch() * positions;
            }

            @Override
            public int depth() {
                return s.patchSize();
            }

            @Override
            public void pack(int x0, int width, int k0, int kc, float[] dst, int dstOff) {
                int lines = Math.min(width, extent() - x0);
                int[] at = new int[lines];
                for (int x = 0; x < lines; x++) {
                    int line = x0 + x;
                    int p = line % positions;
                    at[x] = line / positions * imageSize() + p / outW * phaseWidth + p % outW;
                }
                for (int d = 0; d < kc; d++) {
                    int start = starts[k0 + d];
                    int out = dstOff + d * width;
                    for (int x = 0; x < lines; x++) {
                        dst[out + x] = padded[start + at[x]];
                    }
                    Arrays.fill(dst, out + lines, out + width, 0f);
                }
            }
        };
    }

    /**
     * Copies the output positions among columns {@code [j0, j0 + cols)} of the {@code rows} rows of
     * the tile at {@code c[tile]} (row stride {@code ldc}, rows from output channel {@code i0}) to
     * {@code dst}, one image's {@code [channels, outHeight, outWidth]} output at {@code dstOff}.
     */
    void copyOut(float[] c, int tile, int ldc, int i0, int j0, int rows, int cols, float[] dst, int dstOff) {
        int outW = s.outWidth();
        int outH = s.outHeight();
        int positions = outH * outW;
        for (int oh = j0 / phaseWidth; oh < outH && oh * phaseWidth < j0 + cols; oh++) {
            int first = Math.max(j0, oh * phaseWidth);
            int end = Math.min(j0 + cols, oh * phaseWidth + outW);
            if (first >= end) {
                continue;
            }
            int to = dstOff + oh * outW + first - oh * phaseWidth;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, tile + r * ldc + first - j0, dst, to + (i0 + r) * positions, end - first);
            }
        }
    }
}
