package org.torchcl.backend.cpu;

import java.util.Arrays;
import org.torchcl.backend.Im2colShape;

/**
 * One NCHW image copied inside its zero border, so that a stride-1 convolution reads its im2col
 * columns where they lie instead of packing them. In the padded image, output position
 * {@code (oh, ow)} becomes column {@code oh * paddedWidth + ow}, and its input at depth {@code k}
 * (channel, tap) lies at that column plus {@link #starts()}{@code [k]}: each depth of a panel of
 * adjacent columns is a run of adjacent floats, as in a packed panel. The columns with
 * {@code ow >= outWidth} read across the border into the next row: they are computed and thrown
 * away, {@code paddedWidth - outWidth} per output row.
 *
 * <p>A packed panel is nine times larger than the image window it is copied from (for a 3x3
 * kernel), and copying costs as much as a fifth of the product at 64 output channels; reading in
 * place costs those thrown-away columns instead, a few percent on wide images.
 */
final class PaddedImage {

    private final Im2colShape s;
    private final int paddedHeight;
    private final int paddedWidth;
    private final int plane;
    private final int columns;
    private final int[] starts;

    /** For images of shape {@code s}, whose columns are handed out in panels of {@code width}. */
    PaddedImage(Im2colShape s, int width) {
        if (s.strideH() != 1 || s.strideW() != 1) {
            throw new IllegalArgumentException("only a stride-1 convolution reads its columns in place, got stride "
                    + s.strideH() + "x" + s.strideW());
        }
        this.s = s;
        this.paddedHeight = s.height() + 2 * s.padH();
        this.paddedWidth = s.width() + 2 * s.padW();
        this.plane = paddedHeight * paddedWidth;
        this.columns = BlockedGemm.ceilDiv(s.outHeight() * paddedWidth, width) * width;
        this.starts = new int[s.patchSize()];
        int taps = s.kernelH() * s.kernelW();
        for (int k = 0; k < starts.length; k++) {
            int tap = k % taps;
            starts[k] = k / taps * plane + tap / s.kernelW() * s.dilationH() * paddedWidth
                    + tap % s.kernelW() * s.dilationW();
        }
    }

    /** The fraction of the columns computed that are output positions. */
    static double usefulFraction(Im2colShape s, int width) {
        int paddedWidth = s.width() + 2 * s.padW();
        int columns = BlockedGemm.ceilDiv(s.outHeight() * paddedWidth, width) * width;
        return (double) s.positions() / columns;
    }

    /** Columns of the product per image: the output rows at the padded width, rounded up to whole panels. */
    int columns() {
        return columns;
    }

    /** Where each depth of column 0 lies in the padded image. */
    int[] starts() {
        return starts;
    }

    /** Floats a padded image takes, with room for the last panel's thrown-away columns to read past its end. */
    int length() {
        return Math.max(s.channels() * plane, columns + starts[starts.length - 1]);
    }

    /** Copies channels {@code [first, end)} of image {@code image} of the batch {@code src} into {@code padded}, zeroing the border. */
    void copy(float[] src, int image, int first, int end, float[] padded) {
        int width = s.width();
        int right = s.padW() + width;
        for (int channel = first; channel < end; channel++) {
            int from = (image * s.channels() + channel) * s.height() * width;
            int to = channel * plane;
            Arrays.fill(padded, to, to + s.padH() * paddedWidth, 0f);
            for (int h = 0; h < s.height(); h++) {
                int row = to + (s.padH() + h) * paddedWidth;
                Arrays.fill(padded, row, row + s.padW(), 0f);
                System.arraycopy(src, from + h * width, padded, row + s.padW(), width);
                Arrays.fill(padded, row + right, row + paddedWidth, 0f);
            }
            Arrays.fill(padded, to + (s.padH() + s.height()) * paddedWidth, to + plane, 0f);
        }
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
        for (int oh = j0 / paddedWidth; oh < outH && oh * paddedWidth < j0 + cols; oh++) {
            int first = Math.max(j0, oh * paddedWidth);
            int end = Math.min(j0 + cols, oh * paddedWidth + outW);
            if (first >= end) {
                continue;
            }
            int to = dstOff + oh * outW + first - oh * paddedWidth;
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, tile + r * ldc + first - j0, dst, to + (i0 + r) * positions, end - first);
            }
        }
    }
}
