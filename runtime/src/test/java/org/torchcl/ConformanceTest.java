package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.PhiloxStart;

/** Every backend op on every available device, against float64 references and known answers. */
class ConformanceTest {

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    static Stream<Arguments> gemmCases() {
        List<GemmShape> shapes = List.of(
                GemmShape.of(1, 1, 1),
                GemmShape.of(127, 129, 65),
                GemmShape.of(513, 257, 1023),
                GemmShape.of(127, 129, 65).withTransB(true),
                GemmShape.of(513, 257, 1023).withTransB(true),
                GemmShape.of(33, 7, 300).withTransA(true),
                GemmShape.of(70, 90, 17).withTransA(true).withTransB(true),
                GemmShape.of(1, 4096, 257).withTransB(true).withBias(GemmShape.Bias.PER_COLUMN),
                // Few rows times a Linear weight: the small-batch path where a device has one.
                GemmShape.of(8, 300, 130).withTransB(true),
                GemmShape.of(3, 1000, 512).withTransB(true).withBias(GemmShape.Bias.PER_COLUMN),
                GemmShape.of(16, 64, 4096).withTransB(true).withBias(GemmShape.Bias.PER_ROW),
                GemmShape.of(65, 31, 19).withBias(GemmShape.Bias.PER_ROW),
                // A shared weight against three column matrices, as Conv2d runs it.
                GemmShape.of(16, 50, 27).withBias(GemmShape.Bias.PER_ROW).withBatch(3, 0, 27 * 50, 16 * 50));
        return devices().flatMap(d -> shapes.stream().map(s -> Arguments.of(d, s)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("gemmCases")
    void gemmMatchesFloat64Reference(Device device, GemmShape s) {
        Backend backend = device.backend();
        Reference.checkGemm(backend, s, 1, (a, b, bias, c) -> backend.gemm(s, a, b, bias, c));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void matmulKeepsBatchDimsAndHandlesVectors(Device device) {
        float[] a = Reference.randomFloats(4, 2 * 3 * 5);
        float[] b = Reference.randomFloats(5, 5 * 4);
        try (Tensor ta = Torch.tensor(device, a, 2, 3, 5);
             Tensor tb = Torch.tensor(device, b, 5, 4);
             Tensor out = Torch.matmul(ta, tb);
             Tensor vector = Torch.tensor(device, new float[] {1, 2, 3, 4, 5});
             Tensor vectorTimesMatrix = vector.matmul(tb);
             Tensor matrixTimesVector = ta.matmul(vector)) {
            assertArrayEquals(new int[] {2, 3, 4}, out.shape());
            Reference.assertGemm(GemmShape.of(6, 4, 5), a, b, null, out.toArray());
            assertArrayEquals(new int[] {4}, vectorTimesMatrix.shape());
            Reference.assertGemm(GemmShape.of(1, 4, 5), new float[] {1, 2, 3, 4, 5}, b, null, vectorTimesMatrix.toArray());
            assertArrayEquals(new int[] {2, 3}, matrixTimesVector.shape());
            Reference.assertGemm(GemmShape.of(6, 1, 5), a, new float[] {1, 2, 3, 4, 5}, null,
                    matrixTimesVector.toArray());
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void linearIsXTimesWeightTransposedPlusBias(Device device) {
        float[] x = Reference.randomFloats(6, 2 * 3 * 7);
        float[] w = Reference.randomFloats(7, 5 * 7);
        float[] bias = Reference.randomFloats(8, 5);
        try (Tensor tx = Torch.tensor(device, x, 2, 3, 7);
             Tensor tw = Torch.tensor(device, w, 5, 7);
             Tensor tb = Torch.tensor(device, bias, 5);
             Tensor y = Torch.linear(tx, tw, tb);
             Tensor noBias = Torch.linear(tx, tw, null)) {
            assertArrayEquals(new int[] {2, 3, 5}, y.shape());
            GemmShape s = GemmShape.of(6, 5, 7).withTransB(true);
            Reference.assertGemm(s.withBias(GemmShape.Bias.PER_COLUMN), x, w, bias, y.toArray());
            Reference.assertGemm(s, x, w, null, noBias.toArray());
        }
    }

    // ---------------------------------------------------------------- random numbers

    /** Random123's known answers for Philox4x32-10 (kat_vectors). */
    static Stream<Arguments> philoxKnownAnswers() {
        int[][][] cases = {
            {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
            {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
            {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
                {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
        };
        return devices().flatMap(d -> Stream.of(cases).map(c -> Arguments.of(d, c[0], c[1], c[2])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("philoxKnownAnswers")
    void philoxMatchesRandom123KnownAnswers(Device device, int[] counter, int[] key, int[] expected) {
        PhiloxStart start = new PhiloxStart(
                (counter[0] & 0xFFFFFFFFL) | ((long) counter[1] << 32),
                (counter[2] & 0xFFFFFFFFL) | ((long) counter[3] << 32),
                (key[0] & 0xFFFFFFFFL) | ((long) key[1] << 32));
        Backend backend = device.backend();
        Buffer buffer = backend.allocate(org.torchcl.DType.FLOAT32, 4);
        try {
            backend.randomBits(buffer, 4, start);
            float[] words = new float[4];
            backend.read(buffer, words, 4);
            for (int i = 0; i < 4; i++) {
                assertEquals(Integer.toHexString(expected[i]), Integer.toHexString(Float.floatToRawIntBits(words[i])),
                        "word " + i);
            }
        } finally {
            backend.free(buffer);
        }
    }

    @Test
    void randIsBitwiseEqualOnCpuAndEveryOpenClDevice() {
        List<Device> openCl = TestDevices.openCl();
        assumeFalse(openCl.isEmpty(), TestDevices::whyNoOpenCl);
        int[] sizes = {1, 3, 4, 1001, 65536 + 7};
        for (Device device : openCl) {
            for (long seed : new long[] {0, 42, Generator.DEFAULT_SEED, -1}) {
                Generator onCpu = new Generator(seed);
                Generator onDevice = new Generator(seed);
                for (int size : sizes) {
                    float low = -0.0625f;
                    float high = 0.03125f * size;
                    try (Tensor expected = Torch.empty(Device.cpu(), size).fillUniform(low, high, onCpu);
                         Tensor actual = Torch.empty(device, size).fillUniform(low, high, onDevice)) {
                        assertBitwiseEqual(expected.toArray(), actual.toArray(),
                                device + ", seed " + seed + ", size " + size);
                    }
                }
                assertEquals(onCpu.offset(), onDevice.offset());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void fillRandomBitsGivesThePhiloxWordsOfTheGeneratorsBlocks(Device device) {
        Generator generator = new Generator(99);
        generator.reserve(8);
        try (Tensor t = Torch.empty(device, 6).fillRandomBits(generator)) {
            float[] words = t.toArray();
            int[] expected = new int[4];
            for (int i = 0; i < 6; i++) {
                org.torchcl.backend.cpu.Philox.block(2 + i / 4, 0, 0, 0, 99, 0, expected);
                assertEquals(expected[i % 4], Float.floatToRawIntBits(words[i]), "word " + i + " on " + device);
            }
        }
        assertEquals(4, generator.offset(), "two blocks for the first draw, two for these six words");
    }

    @Test
    void torchRandWithTheSameSeedIsBitwiseEqualAcrossDevices() {
        List<Device> openCl = TestDevices.openCl();
        assumeFalse(openCl.isEmpty(), TestDevices::whyNoOpenCl);
        Torch.manualSeed(1234);
        float[] expected;
        try (Tensor t = Torch.rand(Device.cpu(), 17, 33)) {
            expected = t.toArray();
        }
        for (Device device : openCl) {
            Torch.manualSeed(1234);
            try (Tensor t = Torch.rand(device, 17, 33)) {
                assertBitwiseEqual(expected, t.toArray(), device.toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void uniformStaysInRangeAndLooksUniform(Device device) {
        int n = 1 << 20;
        try (Tensor t = Torch.empty(device, n).fillUniform(-2f, 3f, new Generator(7))) {
            float[] v = t.toArray();
            double sum = 0;
            int[] histogram = new int[10];
            for (float x : v) {
                assertTrue(x >= -2f && x < 3f, "out of range: " + x);
                sum += x;
                histogram[(int) ((x + 2f) / 5f * 10)]++;
            }
            assertEquals(0.5, sum / n, 5 * 5 / Math.sqrt(12.0 * n));
            for (int count : histogram) {
                assertEquals(n / 10.0, count, 5 * Math.sqrt(n * 0.1 * 0.9));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void normalHasTheRightMoments(Device device) {
        int n = 1 << 20;
        float mean = 1.5f;
        float std = 2f;
        try (Tensor t = Torch.empty(device, n).fillNormal(mean, std, new Generator(11))) {
            float[] v = t.toArray();
            double m1 = 0;
            for (float x : v) {
                assertTrue(Float.isFinite(x), "not finite: " + x);
                m1 += x;
            }
            m1 /= n;
            double m2 = 0;
            double m3 = 0;
            double m4 = 0;
            for (float x : v) {
                double d = (x - m1) / std;
                m2 += d * d;
                m3 += d * d * d;
                m4 += d * d * d * d;
            }
            m2 /= n;
            m3 /= n;
            m4 /= n;
            // Standard errors for n samples: mean std/sqrt(n), variance sqrt(2/n), skew sqrt(6/n), kurtosis sqrt(24/n).
            assertEquals(mean, m1, 5 * std / Math.sqrt(n), "mean");
            assertEquals(1.0, m2, 5 * Math.sqrt(2.0 / n), "variance / std^2");
            assertEquals(0.0, m3, 5 * Math.sqrt(6.0 / n), "skewness");
            assertEquals(3.0, m4, 5 * Math.sqrt(24.0 / n), "kurtosis");
        }
    }

    @Test
    void normalAgreesAcrossBackendsToAFewUlp() {
        List<Device> openCl = TestDevices.openCl();
        assumeFalse(openCl.isEmpty(), TestDevices::whyNoOpenCl);
        float[] expected;
        try (Tensor t = Torch.empty(Device.cpu(), 4099).fillNormal(0f, 1f, new Generator(5))) {
            expected = t.toArray();
        }
        for (Device device : openCl) {
            try (Tensor t = Torch.empty(device, 4099).fillNormal(0f, 1f, new Generator(5))) {
                float[] actual = t.toArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-5f * Math.max(1f, Math.abs(expected[i])),
                            device + " element " + i);
                }
            }
        }
    }

    // ---------------------------------------------------------------- elementwise and layout

    @ParameterizedTest
    @MethodSource("devices")
    void reluZeroesNegativesAndKeepsNaN(Device device) {
        float[] x = {-1f, 0f, -0f, 2.5f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e-30f, 1e-30f};
        try (Tensor t = Torch.tensor(device, x); Tensor y = Torch.relu(t)) {
            float[] out = y.toArray();
            float[] expected = {0f, 0f, -0f, 2.5f, Float.NaN, 0f, Float.POSITIVE_INFINITY, 0f, 1e-30f};
            assertBitwiseEqual(expected, out, "relu");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void reluOnALargeTensor(Device device) {
        float[] x = Reference.randomFloats(9, 300_001);
        try (Tensor t = Torch.tensor(device, x, 300_001); Tensor y = t.relu()) {
            float[] out = y.toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.max(x[i], 0f), out[i], "element " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void addBroadcastsABiasOverRows(Device device) {
        float[] x = Reference.randomFloats(10, 4 * 3 * 5);
        float[] bias = Reference.randomFloats(11, 5);
        float[] same = Reference.randomFloats(12, 4 * 3 * 5);
        try (Tensor tx = Torch.tensor(device, x, 4, 3, 5);
             Tensor tb = Torch.tensor(device, bias, 5);
             Tensor ts = Torch.tensor(device, same, 4, 3, 5);
             Tensor y = tx.add(tb);
             Tensor z = tx.add(ts)) {
            float[] out = y.toArray();
            float[] sum = z.toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i] + bias[i % 5], out[i], "broadcast element " + i);
                assertEquals(x[i] + same[i], sum[i], "elementwise element " + i);
            }
        }
    }

    static Stream<Arguments> convCases() {
        // n, c, h, w, oc, k, stride, pad, bias
        int[][] cases = {
            {1, 1, 5, 5, 1, 3, 1, 0, 0},
            {2, 3, 9, 7, 4, 3, 2, 1, 1},
            {4, 3, 32, 32, 8, 5, 1, 0, 1},
            {1, 2, 6, 6, 3, 1, 1, 0, 1},
            {3, 5, 11, 13, 6, 4, 3, 2, 0},
        };
        return devices().flatMap(d -> Stream.of(cases).map(c -> Arguments.of(d, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("convCases")
    void conv2dMatchesADirectFloat64Convolution(Device device, int[] p) {
        int n = p[0], c = p[1], h = p[2], w = p[3], oc = p[4], k = p[5], stride = p[6], pad = p[7];
        float[] x = Reference.randomFloats(13, n * c * h * w);
        float[] weight = Reference.randomFloats(14, oc * c * k * k);
        float[] bias = p[8] == 1 ? Reference.randomFloats(15, oc) : null;
        double[] expected = Reference.conv2d(x, n, c, h, w, weight, oc, k, k, bias, stride, pad);
        try (Tensor tx = Torch.tensor(device, x, n, c, h, w);
             Tensor tw = Torch.tensor(device, weight, oc, c, k, k);
             Tensor tb = bias == null ? null : Torch.tensor(device, bias, oc);
             Tensor y = Torch.conv2d(tx, tw, tb, stride, pad)) {
            int oh = (h + 2 * pad - k) / stride + 1;
            int ow = (w + 2 * pad - k) / stride + 1;
            assertArrayEquals(new int[] {n, oc, oh, ow}, y.shape());
            Reference.assertClose(expected, y.toArray(), 1e-5 * c * k * k);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void im2colUnfoldsPatchesWithZeroPadding(Device device) {
        // One 1x3x3 image, 2x2 kernel, stride 1, padding 1: 16 positions of 4 taps.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Im2colShape s = new Im2colShape(1, 1, 3, 3, 2, 2, 1, 1, 1, 1);
        Backend backend = device.backend();
        Buffer src = upload(backend, x);
        Buffer cols = backend.allocate(org.torchcl.DType.FLOAT32, s.colsElements());
        try {
            backend.im2col(src, cols, s);
            float[] out = new float[(int) s.colsElements()];
            backend.read(cols, out, out.length);
            float[] expected = new float[out.length];
            for (int kh = 0; kh < 2; kh++) {
                for (int kw = 0; kw < 2; kw++) {
                    for (int oh = 0; oh < 4; oh++) {
                        for (int ow = 0; ow < 4; ow++) {
                            int hh = oh - 1 + kh;
                            int ww = ow - 1 + kw;
                            boolean inside = hh >= 0 && hh < 3 && ww >= 0 && ww < 3;
                            expected[(kh * 2 + kw) * 16 + oh * 4 + ow] = inside ? x[hh * 3 + ww] : 0f;
                        }
                    }
                }
            }
            assertArrayEquals(expected, out);
        } finally {
            backend.free(src);
            backend.free(cols);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void fillCopyAndTransfersRoundTrip(Device device) {
        float[] data = Reference.randomFloats(16, 1000);
        try (Tensor filled = Torch.full(device, 2.5f, 10, 100);
             Tensor zeros = Torch.zeros(device, 7);
             Tensor ones = Torch.ones(device, 3, 3);
             Tensor t = Torch.tensor(device, data, 10, 100);
             Tensor copy = t.copy();
             Tensor onCpu = t.to(Device.cpu());
             Tensor back = onCpu.to(device)) {
            for (float v : filled.toArray()) {
                assertEquals(2.5f, v);
            }
            assertArrayEquals(new float[7], zeros.toArray());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, ones.toArray());
            assertArrayEquals(data, copy.toArray());
            assertArrayEquals(data, onCpu.toArray());
            assertArrayEquals(data, back.toArray());
            filled.copyFrom(t);
            assertArrayEquals(data, filled.toArray());
            filled.copyFrom(onCpu.fill(3f));
            assertEquals(3f, filled.toArray()[999]);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void floatBuffersOfEveryKindUploadFromTheirPosition(Device device) {
        float[] data = Reference.randomFloats(17, 100);
        float[] expected = java.util.Arrays.copyOfRange(data, 10, 70);
        FloatBuffer heap = FloatBuffer.wrap(data, 10, 60).slice();
        FloatBuffer heapAtPosition = FloatBuffer.wrap(data).position(10).limit(70);
        ByteBuffer bytes = ByteBuffer.allocateDirect(400).order(ByteOrder.nativeOrder());
        bytes.asFloatBuffer().put(data);
        FloatBuffer direct = bytes.asFloatBuffer().position(10).limit(70);
        ByteBuffer swapped = ByteBuffer.allocateDirect(400)
                .order(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        swapped.asFloatBuffer().put(data);
        FloatBuffer foreign = swapped.asFloatBuffer().position(10).limit(70);
        for (FloatBuffer source : List.of(heap, heapAtPosition, direct, foreign)) {
            int position = source.position();
            try (Tensor t = Torch.tensor(device, source, 6, 10)) {
                assertArrayEquals(expected, t.toArray(), source.toString());
            }
            assertEquals(position, source.position(), "the source's position does not move");
        }
        try (Tensor flat = Torch.tensor(device, FloatBuffer.wrap(data))) {
            assertArrayEquals(new int[] {100}, flat.shape(), "no shape: 1-D, as for a float[]");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void reshapeViewsShareStorage(Device device) {
        try (Tensor t = Torch.zeros(device, 2, 3, 4); Tensor view = t.reshape(6, -1); Tensor flat = t.flatten(1)) {
            assertArrayEquals(new int[] {6, 4}, view.shape());
            assertArrayEquals(new int[] {2, 12}, flat.shape());
            view.fill(7f);
            assertEquals(7f, t.toArray()[23]);
            assertEquals(7f, flat.toArray()[0]);
        }
    }

    static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[i])) + "), expected " + expected[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ")");
            }
        }
    }

    private static Buffer upload(Backend backend, float[] data) {
        Buffer buffer = backend.allocate(org.torchcl.DType.FLOAT32, data.length);
        backend.write(FloatBuffer.wrap(data), buffer);
        return buffer;
    }
}
