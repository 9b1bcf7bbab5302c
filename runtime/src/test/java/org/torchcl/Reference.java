package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;

/** float64 references and tolerant comparisons for the conformance tests. */
public final class Reference {

    private static final double FLOAT_EPS = Math.ulp(1.0f);

    private Reference() {
    }

    public static float[] randomFloats(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    /**
     * Checks {@code actual} against the float64 product, entry by entry, with the bound of a
     * float32 dot product of length k: {@code (k + 2) * eps * sum |a||b|} (the order of the sum is
     * the backend's business).
     */
    public static void assertGemm(GemmShape s, float[] a, float[] b, float[] bias, float[] actual) {
        for (int batch = 0; batch < s.batch(); batch++) {
            long offA = batch * s.strideA();
            long offB = batch * s.strideB();
            long offC = batch * s.strideC();
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int k = 0; k < s.k(); k++) {
                        double product = (double) a[(int) (offA + s.indexA(i, k))] * b[(int) (offB + s.indexB(k, j))];
                        sum += product;
                        magnitude += Math.abs(product);
                    }
                    if (s.bias() == GemmShape.Bias.PER_COLUMN) {
                        sum += bias[j];
                        magnitude += Math.abs(bias[j]);
                    } else if (s.bias() == GemmShape.Bias.PER_ROW) {
                        sum += bias[i];
                        magnitude += Math.abs(bias[i]);
                    }
                    double got = actual[(int) (offC + (long) i * s.n() + j)];
                    double tolerance = (s.k() + 2) * FLOAT_EPS * magnitude + Float.MIN_NORMAL;
                    if (Math.abs(got - sum) > tolerance) {
                        fail("C[" + batch + "][" + i + "][" + j + "] = " + got + ", expected " + sum + " +- " + tolerance
                                + " for " + s);
                    }
                }
            }
        }
    }

    /** Direct convolution in float64, NCHW. */
    public static double[] conv2d(float[] x, int n, int c, int h, int w, float[] weight, int oc, int kh, int kw,
                                  float[] bias, int stride, int pad) {
        int oh = (h + 2 * pad - kh) / stride + 1;
        int ow = (w + 2 * pad - kw) / stride + 1;
        double[] out = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                for (int y = 0; y < oh; y++) {
                    for (int xPos = 0; xPos < ow; xPos++) {
                        double sum = bias == null ? 0 : bias[o];
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int yy = y * stride - pad + i;
                                    int xx = xPos * stride - pad + j;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        sum += (double) x[((b * c + ch) * h + yy) * w + xx]
                                                * weight[((o * c + ch) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        out[((b * oc + o) * oh + y) * ow + xPos] = sum;
                    }
                }
            }
        }
        return out;
    }

    public static void assertClose(double[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "element count");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > tolerance) {
                fail("element " + i + ": got " + actual[i] + ", expected " + expected[i] + " +- " + tolerance);
            }
        }
    }

    /** One way of running a product on a backend: its plain gemm, or a timed variant. */
    @FunctionalInterface
    interface GemmCall {
        void run(Buffer a, Buffer b, Buffer bias, Buffer c);
    }

    /**
     * Uploads random operands (and a bias long enough for either mode) for {@code s}, runs
     * {@code call}, checks the result with {@link #assertGemm} and frees everything.
     */
    static void checkGemm(Backend backend, GemmShape s, long seed, GemmCall call) {
        int[] sizes = gemmSizes(s);
        int sizeA = sizes[0];
        int sizeB = sizes[1];
        int sizeC = sizes[2];
        float[] a = randomFloats(seed, sizeA);
        float[] b = randomFloats(seed + 1, sizeB);
        float[] bias = randomFloats(seed + 2, Math.max(s.m(), s.n()));
        List<Buffer> buffers = new ArrayList<>();
        try {
            Buffer ba = upload(backend, a, buffers);
            Buffer bb = upload(backend, b, buffers);
            Buffer bbias = upload(backend, bias, buffers);
            Buffer bc = backend.allocate(org.torchcl.DType.FLOAT32, sizeC);
            buffers.add(bc);
            call.run(ba, bb, bbias, bc);
            float[] c = new float[sizeC];
            backend.read(bc, c, sizeC);
            assertGemm(s, a, b, bias, c);
        } finally {
            buffers.forEach(backend::free);
        }
    }

    /** Elements of A, B and C that {@code s} reads and writes, batch strides included. */
    public static int[] gemmSizes(GemmShape s) {
        return new int[] {
            (int) (s.strideA() * (s.batch() - 1) + (long) s.m() * s.k()),
            (int) (s.strideB() * (s.batch() - 1) + (long) s.k() * s.n()),
            (int) (s.strideC() * (s.batch() - 1) + (long) s.m() * s.n())
        };
    }

    private static Buffer upload(Backend backend, float[] data, List<Buffer> buffers) {
        Buffer buffer = backend.allocate(org.torchcl.DType.FLOAT32, data.length);
        buffers.add(buffer);
        backend.write(FloatBuffer.wrap(data), buffer);
        return buffer;
    }
}
