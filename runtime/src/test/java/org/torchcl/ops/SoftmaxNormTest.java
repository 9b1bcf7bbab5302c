package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.ops.OpsReference.Layout;

/** softmax, logSoftmax, layerNorm and batchNorm (inference) against float64. */
class SoftmaxNormTest {

    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void softmaxAndLogSoftmaxAlongEveryDimOfEveryLayout(Device device) {
        int[] shape = {3, 4, 5};
        double[] data = OpsReference.randn(31, 60);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (data[i] * 5);
        }
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, shape);
                for (int dim : new int[] {0, 1, 2, -1}) {
                    Tensor s = Torch.softmax(x, dim);
                    assertEquals(DType.FLOAT32, s.dtype());
                    assertShape(shape, s);
                    assertClose("softmax dim " + dim + " " + layout, OpsReference.softmax(data, shape, dim, false), s,
                            1e-5, 1e-7);
                    Tensor ls = x.logSoftmax(dim);
                    assertClose("logSoftmax dim " + dim + " " + layout, OpsReference.softmax(data, shape, dim, true), ls,
                            1e-5, 1e-6);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void softmaxIsStableAndHandlesInfinities(Device device) {
        double[] data = {1000, 1001, 1002, -1000, -INF, 0, -INF, -INF, -INF, INF, 1, 2};
        int[] shape = {4, 3};
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, data, shape);
            double[] s = values(Torch.softmax(x, 1));
            double[] expected = OpsReference.softmax(new double[] {1000, 1001, 1002, -1000, -INF, 0}, new int[] {2, 3}, 1,
                    false);
            double[] first = java.util.Arrays.copyOf(s, 6);
            assertClose("large and -inf logits", expected, first, 1e-5, 1e-30);
            assertClose("an all -inf row is NaN, as PyTorch", new double[] {NAN, NAN, NAN},
                    java.util.Arrays.copyOfRange(s, 6, 9), 0, 0);
            assertClose("+inf logit", new double[] {NAN, NAN, NAN}, java.util.Arrays.copyOfRange(s, 9, 12), 0, 0);
            double[] ls = values(Torch.logSoftmax(x, 1));
            assertClose("logSoftmax large logits", new double[] {-2.40760596, -1.40760596, -0.40760596},
                    java.util.Arrays.copyOf(ls, 3), 1e-6, 1e-6);
            assertClose("logSoftmax of -inf", new double[] {-1000, -INF, 0}, java.util.Arrays.copyOfRange(ls, 3, 6), 1e-6, 0);
            // NaN in a row makes that row NaN
            Tensor n = OpsReference.tensor(device, new double[] {1, NAN, 2, 1, 2, 3}, 2, 3);
            double[] ns = values(n.softmax(1));
            assertClose("NaN row", new double[] {NAN, NAN, NAN}, java.util.Arrays.copyOf(ns, 3), 0, 0);
            assertClose("clean row", OpsReference.softmax(new double[] {1, 2, 3}, new int[] {3}, 0, false),
                    java.util.Arrays.copyOfRange(ns, 3, 6), 1e-6, 0);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void softmaxDtypesAndEmptyShapes(Device device) {
        double[] data = OpsReference.randn(32, 24);
        try (TensorScope scope = TensorScope.open()) {
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] stored = OpsReference.roundedTo(type, data);
                Tensor y = Torch.softmax(Layout.TRANSPOSED.make(device, type, stored, 4, 6), 0);
                assertEquals(type, y.dtype(), "softmax keeps " + type);
                assertClose("softmax " + type, OpsReference.roundedTo(type, OpsReference.softmax(stored, new int[] {4, 6}, 0,
                        false)), y, 2 * OpsReference.storageRtol(type), 1e-4);
            }
            Tensor ints = Torch.tensor(device, new long[] {1, 2, 3}, 3);
            Tensor fi = Torch.softmax(ints, 0);
            assertEquals(DType.FLOAT32, fi.dtype(), "integer softmax gives float32");
            assertClose("int softmax", OpsReference.softmax(new double[] {1, 2, 3}, new int[] {3}, 0, false), fi, 1e-6, 0);
            assertShape(new int[] {0, 4}, Torch.softmax(Torch.zeros(device, 0, 4), 1));
            assertShape(new int[] {3, 0}, Torch.softmax(Torch.zeros(device, 3, 0), 1));
            assertShape(new int[] {3, 0}, Torch.logSoftmax(Torch.zeros(device, 3, 0), 0));
            Tensor scalar = Torch.softmax(Torch.full(device, DType.FLOAT32, 3, new int[0]), 0);
            assertShape(new int[0], scalar);
            assertClose("0-d softmax", new double[] {1}, scalar, 0, 0);
        }
    }

    static double[] layerNorm(double[] x, int rows, int cols, double[] w, double[] b, double eps) {
        double[] out = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double[] row = java.util.Arrays.copyOfRange(x, r * cols, (r + 1) * cols);
            double m = OpsReference.mean(row);
            double v = OpsReference.var(row, 0);
            for (int c = 0; c < cols; c++) {
                double y = (row[c] - m) / Math.sqrt(v + eps);
                out[r * cols + c] = y * (w == null ? 1 : w[c]) + (b == null ? 0 : b[c]);
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void layerNormOverTrailingDims(Device device) {
        int[] shape = {2, 3, 8};
        double[] data = OpsReference.randn(41, 48);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (data[i] * 3 + 10);
        }
        double[] w8 = OpsReference.randn(42, 8);
        double[] b8 = OpsReference.randn(43, 8);
        double[] w24 = OpsReference.randn(44, 24);
        double[] b24 = OpsReference.randn(45, 24);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, shape);
                Tensor y = Torch.layerNorm(x, new int[] {8}, OpsReference.tensor(device, w8, 8),
                        OpsReference.tensor(device, b8, 8), 1e-5);
                assertShape(shape, y);
                assertClose("layerNorm [8] " + layout, layerNorm(data, 6, 8, w8, b8, 1e-5), y, 1e-4, 2e-5);
                Tensor y2 = Torch.layerNorm(x, new int[] {3, 8}, Layout.TRANSPOSED.make(device, w24, 3, 8),
                        Layout.NARROWED.make(device, b24, 3, 8), 1e-3);
                assertClose("layerNorm [3, 8] " + layout, layerNorm(data, 2, 24, w24, b24, 1e-3), y2, 1e-4, 2e-5);
                Tensor y3 = Torch.layerNorm(x, new int[] {8}, null, null, 0.5);
                assertClose("layerNorm no affine " + layout, layerNorm(data, 6, 8, null, null, 0.5), y3, 1e-4, 2e-5);
            }
            // a constant row normalizes to the bias
            Tensor c = Torch.full(device, 7f, 2, 4);
            assertClose("constant rows", new double[] {0, 0, 0, 0, 0, 0, 0, 0},
                    Torch.layerNorm(c, new int[] {4}, null, null, 1e-5), 0, 1e-6);
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] stored = OpsReference.roundedTo(type, OpsReference.randn(46, 16));
                Tensor h = OpsReference.tensor(device, type, stored, 2, 8);
                Tensor y = Torch.layerNorm(h, new int[] {8}, null, null, 1e-5);
                assertEquals(type, y.dtype(), "layerNorm keeps " + type);
                assertClose("layerNorm " + type, OpsReference.roundedTo(type, layerNorm(stored, 2, 8, null, null, 1e-5)), y,
                        2 * OpsReference.storageRtol(type), 2e-3);
            }
            assertShape(new int[] {0, 8}, Torch.layerNorm(Torch.zeros(device, 0, 8), new int[] {8}, null, null, 1e-5));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void batchNormInferenceForm(Device device) {
        int n = 2;
        int c = 3;
        int hw = 4;
        double[] x = OpsReference.randn(51, n * c * hw);
        double[] mean = {0.5, -1, 2};
        double[] var = {1, 0.25, 4};
        double[] w = {1.5, -0.5, 2};
        double[] b = {0, 1, -1};
        double eps = 1e-5;
        double[] expected = new double[x.length];
        double[] plain = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / hw) % c;
            double norm = (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps);
            expected[i] = norm * w[ch] + b[ch];
            plain[i] = norm;
        }
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor t = layout.make(device, x, n, c, 2, 2);
                Tensor y = Torch.batchNorm(t, OpsReference.tensor(device, mean, c), Layout.TRANSPOSED.make(device, var, c),
                        OpsReference.tensor(device, w, c), Layout.NARROWED.make(device, b, c), eps);
                assertShape(new int[] {n, c, 2, 2}, y);
                assertClose("batchNorm " + layout, expected, y, 1e-5, 1e-6);
                Tensor yp = Torch.batchNorm(t, OpsReference.tensor(device, mean, c), OpsReference.tensor(device, var, c),
                        null, null, eps);
                assertClose("batchNorm no affine " + layout, plain, yp, 1e-5, 1e-6);
            }
            // [N, C]
            double[] x2 = {1, 2, 3, 4, 5, 6};
            Tensor y2 = Torch.batchNorm(OpsReference.tensor(device, x2, 2, 3), OpsReference.tensor(device, mean, c),
                    OpsReference.tensor(device, var, c), OpsReference.tensor(device, w, c), OpsReference.tensor(device, b, c),
                    eps);
            double[] e2 = new double[6];
            for (int i = 0; i < 6; i++) {
                int ch = i % 3;
                e2[i] = (x2[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * w[ch] + b[ch];
            }
            assertClose("batchNorm [N, C]", e2, y2, 1e-5, 1e-6);
        }
    }
}
