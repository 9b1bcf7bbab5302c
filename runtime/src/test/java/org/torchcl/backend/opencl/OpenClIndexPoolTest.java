package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.torchcl.ops.OpsReference.toDoubles;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.TestBackends;
import org.torchcl.TestDevices;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.PoolShape;
import org.torchcl.backend.PoolShape.Mode;
import org.torchcl.backend.Strided;
import org.torchcl.ops.OpsReference;

/**
 * The OpenCL backend's gather, grouped convolution and pooling kernels, driven through the backend
 * directly and compared with float64 references computed here.
 */
class OpenClIndexPoolTest {

    private final SplittableRandom random = new SplittableRandom(7);
    private final List<Buffer> allocated = new ArrayList<>();

    /** Runs {@code check} on every OpenCL backend, freeing its buffers; skips where there is none outside CI. */
    private void onEachOpenCl(Consumer<Backend> check) {
        List<Device> devices = TestDevices.openCl();
        assumeFalse(devices.isEmpty(), TestDevices::whyNoOpenCl);
        for (Device device : devices) {
            Backend backend = TestBackends.of(device);
            try {
                check.accept(backend);
            } finally {
                allocated.forEach(backend::free);
                allocated.clear();
            }
        }
    }

    // ---------------------------------------------------------------- gather

    @Test
    void gatherAlongEachDimOfATransposedSource() {
        onEachOpenCl(backend -> {
            // src is the transpose of a contiguous [4, 3, 5] buffer: logical shape [5, 3, 4].
            int[] stored = {4, 3, 5};
            float[] values = randomFloats(60);
            Buffer srcBuffer = floats(backend, values);
            Strided src = new Strided(srcBuffer, DType.FLOAT32, new int[] {5, 3, 4}, new long[] {1, 5, 15}, 0);
            for (int dim = 0; dim < 3; dim++) {
                int[] outShape = {5, 3, 4};
                outShape[dim] = 2 + dim;  // gather may take fewer or more entries than src has along dim
                int count = outShape[0] * outShape[1] * outShape[2];
                long[] ids = new long[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = random.nextInt(src.shape()[dim]);
                }
                Strided index = Strided.contiguous(longs(backend, ids), DType.INT64, outShape);
                Strided out = Strided.contiguous(alloc(backend, DType.FLOAT32, count), DType.FLOAT32, outShape);
                assertEquals(-1, backend.gather(src, dim, index, out));
                float[] expected = new float[count];
                for (int i = 0; i < count; i++) {
                    int[] at = coordinates(i, outShape);
                    at[dim] = (int) ids[i];
                    // src[a, b, c] = stored[c, b, a]
                    expected[i] = values[(at[2] * stored[1] + at[1]) * stored[2] + at[0]];
                }
                assertArrayEquals(expected, readFloats(backend, out.buffer(), count), "dim " + dim);
            }
        });
    }

    @Test
    void indexSelectIsAGatherWithAnExpandedInt32Index() {
        onEachOpenCl(backend -> {
            float[] values = randomFloats(12);
            Strided src = Strided.contiguous(floats(backend, values), DType.FLOAT32, 3, 4);
            int[] ids = {3, 0, 3};
            Buffer idBuffer = alloc(backend, DType.INT32, ids.length);
            backend.write(IntBuffer.wrap(ids), idBuffer);
            // index_select(src, 1, ids): the 1-D index expanded over rows, stride 0 along dim 0.
            Strided index = new Strided(idBuffer, DType.INT32, new int[] {3, 3}, new long[] {0, 1}, 0);
            Strided out = Strided.contiguous(alloc(backend, DType.FLOAT32, 9), DType.FLOAT32, 3, 3);
            assertEquals(-1, backend.gather(src, 1, index, out));
            float[] expected = new float[9];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    expected[r * 3 + c] = values[r * 4 + ids[c]];
                }
            }
            assertArrayEquals(expected, readFloats(backend, out.buffer(), 9));
        });
    }

    @Test
    void anOutOfRangeIndexIsReportedAndWritesZero() {
        onEachOpenCl(backend -> {
            float[] values = {1, 2, 3, 4, 5, 6};
            Strided src = Strided.contiguous(floats(backend, values), DType.FLOAT32, 2, 3);
            for (long bad : new long[] {3, -1, Long.MIN_VALUE, 1L << 40}) {
                long[] ids = {2, 0, 1, 1, bad, 0};
                Strided index = Strided.contiguous(longs(backend, ids), DType.INT64, 2, 3);
                Strided out = Strided.contiguous(alloc(backend, DType.FLOAT32, 6), DType.FLOAT32, 2, 3);
                assertEquals(4, backend.gather(src, 1, index, out), "index " + bad);
                assertArrayEquals(new float[] {3, 1, 2, 5, 0, 4}, readFloats(backend, out.buffer(), 6), "index " + bad);
            }
            // Several bad indices: the first position is reported.
            long[] ids = {0, 7, 1, -2, 0, 9};
            Strided index = Strided.contiguous(longs(backend, ids), DType.INT64, 2, 3);
            Strided out = Strided.contiguous(alloc(backend, DType.FLOAT32, 6), DType.FLOAT32, 2, 3);
            assertEquals(1, backend.gather(src, 0, index, out));
            assertArrayEquals(new float[] {1, 0, 6, 0, 2, 0}, readFloats(backend, out.buffer(), 6));
        });
    }

    @Test
    void aZeroDimensionalGatherReadsItsOneElement() {
        onEachOpenCl(backend -> {
            // A 0-d view of the second element; its only valid index is 0.
            Strided src = new Strided(floats(backend, new float[] {7, 42}), DType.FLOAT32, new int[0], new long[0], 1);
            Strided out = Strided.contiguous(alloc(backend, DType.FLOAT32, 1), DType.FLOAT32);
            Strided zero = Strided.contiguous(longs(backend, new long[] {0}), DType.INT64);
            assertEquals(-1, backend.gather(src, 0, zero, out));
            assertArrayEquals(new float[] {42}, readFloats(backend, out.buffer(), 1));
            Strided one = Strided.contiguous(longs(backend, new long[] {1}), DType.INT64);
            assertEquals(0, backend.gather(src, 0, one, out));
            assertArrayEquals(new float[] {0}, readFloats(backend, out.buffer(), 1));
        });
    }

    @Test
    void gatherMovesInt64AndBoolValuesUnchanged() {
        onEachOpenCl(backend -> {
            long[] payload = {Long.MAX_VALUE, -5, 1L << 53 | 1, Long.MIN_VALUE};
            Strided src = Strided.contiguous(longs(backend, payload), DType.INT64, 4);
            Strided index = Strided.contiguous(longs(backend, new long[] {3, 2, 0, 1, 2}), DType.INT64, 5);
            Buffer outBuffer = alloc(backend, DType.INT64, 5);
            assertEquals(-1, backend.gather(src, 0, index, Strided.contiguous(outBuffer, DType.INT64, 5)));
            long[] got = new long[5];
            backend.read(outBuffer, got, 5);
            assertArrayEquals(new long[] {Long.MIN_VALUE, 1L << 53 | 1, Long.MAX_VALUE, -5, 1L << 53 | 1}, got);

            Buffer flags = alloc(backend, DType.BOOL, 4);
            backend.write(ByteBuffer.wrap(new byte[] {1, 0, 0, 1}), flags);
            Strided boolSrc = Strided.contiguous(flags, DType.BOOL, 2, 2);
            Strided boolIndex = Strided.contiguous(longs(backend, new long[] {1, 0, 5, 1}), DType.INT64, 2, 2);
            Buffer boolOut = alloc(backend, DType.BOOL, 4);
            assertEquals(2, backend.gather(boolSrc, 1, boolIndex, Strided.contiguous(boolOut, DType.BOOL, 2, 2)));
            byte[] bools = new byte[4];
            backend.read(boolOut, bools, 4);
            assertArrayEquals(new byte[] {0, 1, 0, 1}, bools);
        });
    }

    // ---------------------------------------------------------------- grouped convolution

    @Test
    void groupedConvolutionMatchesTheDirectSum() {
        onEachOpenCl(backend -> {
            // batch, channels, H, W, OC, groups, kernel, stride, padding, dilation, bias
            conv(backend, 2, 3, 7, 6, 4, 1, 3, 1, 0, 1, true);
            conv(backend, 1, 4, 8, 9, 6, 2, 3, 1, 1, 1, false);
            conv(backend, 2, 6, 9, 9, 6, 6, 3, 1, 1, 1, true);     // depthwise
            conv(backend, 1, 4, 10, 11, 8, 4, 3, 2, 1, 1, false);  // depthwise, channel multiplier 2, stride 2
            conv(backend, 1, 6, 11, 10, 4, 2, 3, 2, 2, 2, true);   // dilation 2
            conv(backend, 3, 2, 5, 5, 2, 2, 1, 1, 0, 1, false);    // 1x1
        });
    }

    private void conv(Backend backend, int batch, int channels, int height, int width, int outChannels, int groups,
                      int kernel, int stride, int padding, int dilation, boolean withBias) {
        Im2colShape s = new Im2colShape(batch, channels, height, width, kernel, kernel, stride, stride,
                padding, padding, dilation, dilation);
        int groupChannels = channels / groups;
        float[] x = randomFloats(batch * channels * height * width);
        float[] w = randomFloats(outChannels * groupChannels * kernel * kernel);
        float[] b = withBias ? randomFloats(outChannels) : null;
        int oh = s.outHeight();
        int ow = s.outWidth();
        int count = batch * outChannels * oh * ow;
        Buffer dst = alloc(backend, DType.FLOAT32, count);
        backend.conv2dGrouped(floats(backend, x), floats(backend, w), withBias ? floats(backend, b) : null, dst, s,
                outChannels, groups);
        float[] got = readFloats(backend, dst, count);
        double[] expected = OpsReference.conv2d(toDoubles(x), batch, channels, height, width, toDoubles(w),
                outChannels, kernel, kernel, withBias ? toDoubles(b) : null, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {dilation, dilation}, groups);
        for (int at = 0; at < count; at++) {
            assertEquals(expected[at], got[at], 1e-5 * (1 + Math.abs(expected[at])),
                    s + " groups " + groups + " at " + at);
        }
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void poolingInEveryModeWithAsymmetricPaddingDilationAndCeilModeSizes() {
        onEachOpenCl(backend -> {
            for (Mode mode : new Mode[] {Mode.MAX, Mode.AVG_INCLUDE_PAD, Mode.AVG_EXCLUDE_PAD}) {
                // planes, H, W, kernelH, kernelW, stride, padTop, padLeft, padBottom, padRight,
                // dilationH, dilationW, ceil mode
                pool(backend, mode, 3, 6, 6, 2, 2, 2, 0, 0, 0, 0, 1, 1, false);
                pool(backend, mode, 2, 7, 8, 3, 3, 2, 1, 1, 1, 1, 1, 1, true);   // the last windows hang over
                pool(backend, mode, 2, 5, 6, 3, 2, 2, 1, 0, 0, 1, 1, 1, false);  // asymmetric padding
                pool(backend, mode, 1, 9, 8, 3, 2, 2, 1, 1, 1, 1, 2, 1, true);   // dilation 2 along rows
                pool(backend, mode, 2, 6, 7, 3, 3, 1, 2, 1, 0, 2, 2, 2, true);   // dilation 2, asymmetric
                pool(backend, mode, 1, 5, 5, 2, 2, 2, 0, 0, 0, 0, 1, 1, true);   // ceil mode without padding
            }
        });
    }

    @Test
    void adaptiveAverageWindowsOverlapWhenTheSizesDoNotDivide() {
        onEachOpenCl(backend -> {
            adaptive(backend, 2, 7, 5, 3, 2);
            adaptive(backend, 1, 4, 4, 1, 1);
            adaptive(backend, 1, 3, 2, 5, 4);  // more outputs than inputs: windows repeat
        });
    }

    @Test
    void maxPoolingPropagatesNanAndGivesMinusInfinityWithoutTaps() {
        onEachOpenCl(backend -> {
            float[] x = {
                1, Float.NaN, 3, 4,
                5, 6, 7, 8,
                9, 10, 11, Float.NaN,
                13, 14, 15, 16,
            };
            // 2x2 windows with stride 2; the last row and column of windows lie wholly in the bottom
            // and right padding (a layout Torch never asks for, but the kernel must not read there).
            PoolShape s = new PoolShape(Mode.MAX, 1, 4, 4, 3, 3, 2, 2, 2, 2, 0, 0, 2, 2, 1, 1);
            Buffer dst = alloc(backend, DType.FLOAT32, 9);
            backend.pool2d(floats(backend, x), dst, s);
            float[] got = readFloats(backend, dst, 9);
            float ninf = Float.NEGATIVE_INFINITY;
            assertArrayEquals(new float[] {Float.NaN, 8, ninf, 14, Float.NaN, ninf, ninf, ninf, ninf}, got);
        });
    }

    private void pool(Backend backend, Mode mode, int planes, int height, int width, int kernelH, int kernelW,
                      int stride, int padTop, int padLeft, int padBottom, int padRight, int dilationH, int dilationW,
                      boolean ceil) {
        int outH = OpsReference.poolOut(height, kernelH, stride, padTop, padBottom, dilationH, ceil);
        int outW = OpsReference.poolOut(width, kernelW, stride, padLeft, padRight, dilationW, ceil);
        checkPool(backend, new PoolShape(mode, planes, height, width, outH, outW, kernelH, kernelW, stride, stride,
                padTop, padLeft, padBottom, padRight, dilationH, dilationW));
    }

    private void adaptive(Backend backend, int planes, int height, int width, int outH, int outW) {
        checkPool(backend, new PoolShape(Mode.ADAPTIVE_AVG, planes, height, width, outH, outW, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0));
    }

    private void checkPool(Backend backend, PoolShape s) {
        float[] x = randomFloats(s.planes() * s.height() * s.width());
        int count = (int) s.outputElements();
        Buffer dst = alloc(backend, DType.FLOAT32, count);
        backend.pool2d(floats(backend, x), dst, s);
        float[] got = readFloats(backend, dst, count);
        for (int p = 0; p < s.planes(); p++) {
            for (int oh = 0; oh < s.outHeight(); oh++) {
                for (int ow = 0; ow < s.outWidth(); ow++) {
                    double expected = OpsReference.pool(s, x, p, oh, ow);
                    int at = (p * s.outHeight() + oh) * s.outWidth() + ow;
                    assertEquals(expected, got[at], 1e-5 * (1 + Math.abs(expected)), s + " at " + at);
                }
            }
        }
    }

    @Test
    void averagePoolingCountsPaddingOnlyInsideThePaddedBounds() {
        onEachOpenCl(backend -> {
            // 3x3 input, kernel 3, stride 2, ceil mode: 2x2 outputs. The second window row covers
            // input rows 1..3: with padBottom 1 all three lie in the padded bounds [-1, 4) and count,
            // with padBottom 0 only rows 1 and 2 do (likewise for columns).
            float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            Buffer src = floats(backend, x);
            Buffer dst = alloc(backend, DType.FLOAT32, 4);
            backend.pool2d(src, dst, new PoolShape(Mode.AVG_INCLUDE_PAD, 1, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1));
            assertArrayEquals(new float[] {12f / 9, 16f / 9, 24f / 9, 28f / 9}, readFloats(backend, dst, 4), 1e-6f);
            backend.pool2d(src, dst, new PoolShape(Mode.AVG_INCLUDE_PAD, 1, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1));
            assertArrayEquals(new float[] {12f / 9, 16f / 6, 24f / 6, 28f / 4}, readFloats(backend, dst, 4), 1e-6f);
            backend.pool2d(src, dst, new PoolShape(Mode.AVG_EXCLUDE_PAD, 1, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1));
            assertArrayEquals(new float[] {12f / 4, 16f / 4, 24f / 4, 28f / 4}, readFloats(backend, dst, 4), 1e-6f);
        });
    }

    // ---------------------------------------------------------------- helpers

    private Buffer alloc(Backend backend, DType dtype, int count) {
        Buffer buffer = backend.allocate(dtype, count);
        allocated.add(buffer);
        return buffer;
    }

    private Buffer floats(Backend backend, float[] values) {
        Buffer buffer = alloc(backend, DType.FLOAT32, values.length);
        backend.write(FloatBuffer.wrap(values), buffer);
        return buffer;
    }

    private Buffer longs(Backend backend, long[] values) {
        Buffer buffer = alloc(backend, DType.INT64, values.length);
        backend.write(LongBuffer.wrap(values), buffer);
        return buffer;
    }

    private static float[] readFloats(Backend backend, Buffer buffer, int count) {
        float[] values = new float[count];
        backend.read(buffer, values, count);
        return values;
    }

    private float[] randomFloats(int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    private static int[] coordinates(int index, int[] shape) {
        int[] at = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = index % shape[d];
            index /= shape[d];
        }
        return at;
    }
}
