package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.torchcl.ops.OpsReference.allocated;
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

/** matmul's 1-D/2-D/batched/broadcast rules, bmm, linear and scaled dot-product attention. */
class MatmulOpsTest {

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void vectorAndMatrixCombinations(Device device) {
        double[] v5 = OpsReference.randn(1, 5);
        double[] u5 = OpsReference.randn(2, 5);
        double[] m53 = OpsReference.randn(3, 15);
        double[] m45 = OpsReference.randn(4, 20);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor v = layout.make(device, v5, 5);
                Tensor dot = v.matmul(layout.make(device, u5, 5));
                assertShape(new int[0], dot);
                assertClose("1-D x 1-D " + layout, OpsReference.matmul(v5, u5, 1, 1, 5, 1), dot, 1e-5, 1e-6);
                Tensor vm = Torch.matmul(v, layout.make(device, m53, 5, 3));
                assertShape(new int[] {3}, vm);
                assertClose("1-D x 2-D " + layout, OpsReference.matmul(v5, m53, 1, 1, 5, 3), vm, 1e-5, 1e-6);
                Tensor mv = layout.make(device, m45, 4, 5).matmul(v);
                assertShape(new int[] {4}, mv);
                assertClose("2-D x 1-D " + layout, OpsReference.matmul(m45, v5, 1, 4, 5, 1), mv, 1e-5, 1e-6);
                Tensor mm = layout.make(device, m45, 4, 5).matmul(layout.make(device, m53, 5, 3));
                assertShape(new int[] {4, 3}, mm);
                assertClose("2-D x 2-D " + layout, OpsReference.matmul(m45, m53, 1, 4, 5, 3), mm, 1e-5, 1e-6);
            }
            // batched 1-D operands
            double[] b345 = OpsReference.randn(5, 60);
            Tensor bv = OpsReference.tensor(device, b345, 3, 4, 5).matmul(OpsReference.tensor(device, v5, 5));
            assertShape(new int[] {3, 4}, bv);
            assertClose("3-D x 1-D", OpsReference.matmul(b345, v5, 1, 12, 5, 1), bv, 1e-5, 1e-6);
            double[] b354 = OpsReference.randn(6, 60);
            Tensor vb = OpsReference.tensor(device, v5, 5).matmul(OpsReference.tensor(device, b354, 3, 5, 4));
            assertShape(new int[] {3, 4}, vb);
            double[] vbe = new double[12];
            for (int b = 0; b < 3; b++) {
                double[] one = OpsReference.matmul(v5, java.util.Arrays.copyOfRange(b354, 20 * b, 20 * b + 20), 1, 1, 5, 4);
                System.arraycopy(one, 0, vbe, 4 * b, 4);
            }
            assertClose("1-D x 3-D", vbe, vb, 1e-5, 1e-6);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void batchedBroadcastAndBmm(Device device) {
        double[] a = OpsReference.randn(11, 2 * 1 * 4 * 6);
        double[] b = OpsReference.randn(12, 3 * 6 * 5);
        // [2, 1, 4, 6] x [3, 6, 5] -> [2, 3, 4, 5]
        double[] expected = new double[2 * 3 * 4 * 5];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double[] one = OpsReference.matmul(java.util.Arrays.copyOfRange(a, 24 * i, 24 * i + 24),
                        java.util.Arrays.copyOfRange(b, 30 * j, 30 * j + 30), 1, 4, 6, 5);
                System.arraycopy(one, 0, expected, (i * 3 + j) * 20, 20);
            }
        }
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor y = Torch.matmul(layout.make(device, a, 2, 1, 4, 6), layout.make(device, b, 3, 6, 5));
                assertShape(new int[] {2, 3, 4, 5}, y);
                assertClose("broadcast batch " + layout, expected, y, 1e-5, 1e-6);
            }
            // a 2-D left operand against a batch, and an expanded batch
            double[] m = java.util.Arrays.copyOf(a, 24);
            Tensor y2 = OpsReference.tensor(device, m, 4, 6).matmul(OpsReference.tensor(device, b, 3, 6, 5));
            assertShape(new int[] {3, 4, 5}, y2);
            double[] e2 = new double[60];
            for (int j = 0; j < 3; j++) {
                System.arraycopy(OpsReference.matmul(m, java.util.Arrays.copyOfRange(b, 30 * j, 30 * j + 30), 1, 4, 6, 5), 0,
                        e2, 20 * j, 20);
            }
            assertClose("2-D x 3-D", e2, y2, 1e-5, 1e-6);
            Tensor expanded = OpsReference.tensor(device, m, 1, 4, 6).expand(3, 4, 6);
            assertClose("expanded x 3-D", e2, expanded.matmul(OpsReference.tensor(device, b, 3, 6, 5)), 1e-5, 1e-6);
            double[] bb = OpsReference.randn(13, 3 * 4 * 6);
            Tensor bmm = Torch.bmm(Layout.TRANSPOSED.make(device, bb, 3, 4, 6), OpsReference.tensor(device, b, 3, 6, 5));
            assertShape(new int[] {3, 4, 5}, bmm);
            double[] eb = new double[60];
            for (int j = 0; j < 3; j++) {
                System.arraycopy(OpsReference.matmul(java.util.Arrays.copyOfRange(bb, 24 * j, 24 * j + 24),
                        java.util.Arrays.copyOfRange(b, 30 * j, 30 * j + 30), 1, 4, 6, 5), 0, eb, 20 * j, 20);
            }
            assertClose("bmm", eb, bmm, 1e-5, 1e-6);
        }
    }

    /** {@code x.matmul(w.transpose(0, 1))} reads w in place: the peak grows by the output alone. */
    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void transposedOperandsAreReadInPlace(Device device) {
        int m = 33;
        int k = 70;
        int n = 45;
        double[] x = OpsReference.randn(21, m * k);
        double[] w = OpsReference.randn(22, n * k);
        try (TensorScope scope = TensorScope.open()) {
            Tensor tx = OpsReference.tensor(device, x, m, k);
            Tensor tw = OpsReference.tensor(device, w, n, k);
            Tensor wt = tw.transpose(0, 1);
            Tensor xt = OpsReference.tensor(device, OpsReference.transpose2d(x, m, k), k, m).transpose(0, 1);
            long before = allocated(device);
            device.resetPeakMemoryStats();
            Tensor y = tx.matmul(wt);
            long peak = device.memoryStats().peakBytes();
            assertEquals((long) m * n * 4, peak - before, "x.matmul(w.transpose(0, 1)) allocates only the output");
            device.resetPeakMemoryStats();
            long before2 = allocated(device);
            Tensor y2 = xt.matmul(wt);
            assertEquals((long) m * n * 4, device.memoryStats().peakBytes() - before2,
                    "both operands transposed: still only the output");
            double[] expected = OpsReference.matmul(x, OpsReference.transpose2d(w, n, k), 1, m, k, n);
            assertClose("x @ w^T", expected, y, 1e-5, 1e-5);
            assertClose("(x^T)^T @ w^T", expected, y2, 1e-5, 1e-5);
            Tensor lin = Torch.linear(tx, tw, null);
            assertClose("linear", expected, lin, 1e-5, 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void emptyDimsAndSixteenBitOperands(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor k0 = Torch.matmul(Torch.zeros(device, 3, 0), Torch.zeros(device, 0, 4));
            assertShape(new int[] {3, 4}, k0);
            OpsReference.assertExact("k = 0 gives zeros", new double[12], values(k0));
            assertShape(new int[] {0, 4}, Torch.matmul(Torch.zeros(device, 0, 5), Torch.ones(device, 5, 4)));
            assertShape(new int[] {2, 0, 4}, Torch.matmul(Torch.zeros(device, 2, 0, 5), Torch.ones(device, 5, 4)));
            double[] a = OpsReference.randn(31, 12);
            double[] b = OpsReference.randn(32, 12);
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] sa = OpsReference.roundedTo(type, a);
                double[] sb = OpsReference.roundedTo(type, b);
                Tensor y = OpsReference.tensor(device, type, sa, 3, 4).matmul(OpsReference.tensor(device, type, sb, 4, 3));
                assertEquals(type, y.dtype(), "matmul of two " + type + " tensors is " + type + ", as in PyTorch");
                assertClose("matmul " + type, OpsReference.roundedTo(type, OpsReference.matmul(sa, sb, 1, 3, 4, 3)), y,
                        2 * OpsReference.storageRtol(type), 1e-2);
                Tensor mixed = OpsReference.tensor(device, type, sa, 3, 4).matmul(OpsReference.tensor(device, sb, 4, 3));
                assertEquals(DType.FLOAT32, mixed.dtype(), type + " x float32 promotes to float32");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void linearWithBiasOnAnyLayout(Device device) {
        double[] x = OpsReference.randn(41, 2 * 3 * 7);
        double[] w = OpsReference.randn(42, 5 * 7);
        double[] b = OpsReference.randn(43, 5);
        double[] expected = OpsReference.matmul(x, OpsReference.transpose2d(w, 5, 7), 1, 6, 7, 5);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += b[i % 5];
        }
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor y = Torch.linear(layout.make(device, x, 2, 3, 7), layout.make(device, w, 5, 7), layout.make(device, b, 5));
                assertShape(new int[] {2, 3, 5}, y);
                assertClose("linear " + layout, expected, y, 1e-5, 1e-5);
            }
            Tensor one = Torch.linear(OpsReference.tensor(device, java.util.Arrays.copyOf(x, 7), 7),
                    OpsReference.tensor(device, w, 5, 7), OpsReference.tensor(device, b, 5));
            assertShape(new int[] {5}, one);
            assertClose("linear 1-D", java.util.Arrays.copyOf(expected, 5), one, 1e-5, 1e-5);
            Tensor empty = Torch.linear(Torch.zeros(device, 0, 7), OpsReference.tensor(device, w, 5, 7),
                    OpsReference.tensor(device, b, 5));
            assertShape(new int[] {0, 5}, empty);
        }
    }

    static double[] attention(double[] q, double[] k, double[] v, int batch, int l, int s, int e, int ev,
                              boolean[] allowed, double[] additive) {
        double[] out = new double[batch * l * ev];
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < l; i++) {
                double[] scores = new double[s];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double d = 0;
                    for (int c = 0; c < e; c++) {
                        d += q[(bi * l + i) * e + c] * k[(bi * s + j) * e + c];
                    }
                    d /= Math.sqrt(e);
                    if (allowed != null && !allowed[i * s + j]) {
                        d = Double.NEGATIVE_INFINITY;
                    }
                    if (additive != null) {
                        d += additive[i * s + j];
                    }
                    scores[j] = d;
                    max = Math.max(max, d);
                }
                double sum = 0;
                for (int j = 0; j < s; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int c = 0; c < ev; c++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += scores[j] / sum * v[(bi * s + j) * ev + c];
                    }
                    out[(bi * l + i) * ev + c] = acc;
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void scaledDotProductAttentionMasks(Device device) {
        int batch = 2;
        int l = 4;
        int s = 5;
        int e = 8;
        int ev = 3;
        double[] q = OpsReference.randn(51, batch * l * e);
        double[] k = OpsReference.randn(52, batch * s * e);
        double[] v = OpsReference.randn(53, batch * s * ev);
        boolean[] allowed = new boolean[l * s];
        double[] allowedD = new double[l * s];
        double[] additive = OpsReference.uniform(54, l * s, -2, 2);
        boolean[] causal = new boolean[l * s];
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < s; j++) {
                allowed[i * s + j] = (i + 2 * j) % 3 != 1 || j == 0;
                allowedD[i * s + j] = allowed[i * s + j] ? 1 : 0;
                causal[i * s + j] = j <= i;
            }
        }
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor tq = layout.make(device, q, batch, l, e);
                Tensor tk = layout.make(device, k, batch, s, e);
                Tensor tv = layout.make(device, v, batch, s, ev);
                Tensor plain = Torch.scaledDotProductAttention(tq, tk, tv, null, false);
                assertShape(new int[] {batch, l, ev}, plain);
                assertClose("sdpa " + layout, attention(q, k, v, batch, l, s, e, ev, null, null), plain, 1e-5, 1e-5);
                Tensor boolMask = layout.make(device, DType.BOOL, allowedD, l, s);
                assertClose("sdpa bool mask " + layout, attention(q, k, v, batch, l, s, e, ev, allowed, null),
                        Torch.scaledDotProductAttention(tq, tk, tv, boolMask, false), 1e-5, 1e-5);
                Tensor floatMask = layout.make(device, additive, l, s);
                assertClose("sdpa float mask " + layout, attention(q, k, v, batch, l, s, e, ev, null, additive),
                        Torch.scaledDotProductAttention(tq, tk, tv, floatMask, false), 1e-5, 1e-5);
                assertClose("sdpa causal " + layout, attention(q, k, v, batch, l, s, e, ev, causal, null),
                        Torch.scaledDotProductAttention(tq, tk, tv, null, true), 1e-5, 1e-5);
            }
        }
    }
}
