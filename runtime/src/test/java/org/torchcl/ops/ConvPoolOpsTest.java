package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.assertShape;
import static org.torchcl.ops.OpsReference.values;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.PoolOptions;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.TestDevices;
import org.torchcl.Torch;
import org.torchcl.ops.OpsReference.Layout;
import org.torchcl.ops.OpsReference.Pool;

/** conv2d (groups, depthwise, dilation, stride, padding) and max/avg/adaptive pooling against float64. */
class ConvPoolOpsTest {

    record Conv(String name, int n, int c, int h, int w, int oc, int kh, int kw, int[] stride, int[] pad, int[] dil,
                int groups, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Conv> CONVS = List.of(
            new Conv("plain 3x3", 2, 3, 8, 7, 4, 3, 3, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true),
            new Conv("stride 2 pad 1", 1, 2, 9, 9, 3, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, false),
            new Conv("dilation 2", 1, 2, 10, 9, 3, 3, 2, new int[] {1, 1}, new int[] {2, 1}, new int[] {2, 2}, 1, true),
            new Conv("groups 2", 2, 4, 6, 6, 6, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 2, true),
            new Conv("depthwise x2", 1, 3, 7, 8, 6, 3, 3, new int[] {1, 2}, new int[] {1, 0}, new int[] {1, 1}, 3, true),
            new Conv("depthwise dilated", 2, 4, 9, 9, 4, 3, 3, new int[] {1, 1}, new int[] {2, 2}, new int[] {2, 2}, 4, false),
            new Conv("groups 3 + dilation + stride", 1, 6, 11, 10, 9, 3, 3, new int[] {2, 1}, new int[] {1, 2},
                    new int[] {2, 3}, 3, true),
            new Conv("1x1", 2, 5, 3, 4, 2, 1, 1, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true));

    static Stream<Arguments> convCases() {
        return TestDevices.all().flatMap(d -> CONVS.stream().map(c -> Arguments.of(d, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("convCases")
    void conv2dMatchesFloat64(Device device, Conv c) {
        double[] x = OpsReference.randn(c.hashCode(), c.n() * c.c() * c.h() * c.w());
        double[] w = OpsReference.randn(7, c.oc() * (c.c() / c.groups()) * c.kh() * c.kw());
        double[] b = c.bias() ? OpsReference.randn(8, c.oc()) : null;
        double[] expected = OpsReference.conv2d(x, c.n(), c.c(), c.h(), c.w(), w, c.oc(), c.kh(), c.kw(), b, c.stride(),
                c.pad(), c.dil(), c.groups());
        int oh = (c.h() + 2 * c.pad()[0] - c.dil()[0] * (c.kh() - 1) - 1) / c.stride()[0] + 1;
        int ow = (c.w() + 2 * c.pad()[1] - c.dil()[1] * (c.kw() - 1) - 1) / c.stride()[1] + 1;
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor tx = layout.make(device, x, c.n(), c.c(), c.h(), c.w());
                Tensor tw = layout.make(device, w, c.oc(), c.c() / c.groups(), c.kh(), c.kw());
                Tensor tb = b == null ? null : layout.make(device, b, c.oc());
                Tensor y = Torch.conv2d(tx, tw, tb, c.stride(), c.pad(), c.dil(), c.groups());
                assertShape(new int[] {c.n(), c.oc(), oh, ow}, y);
                assertEquals(DType.FLOAT32, y.dtype());
                assertClose(c + " " + layout, expected, y, 1e-5, 1e-5);
            }
            if (c.n() == 1) {
                Tensor unbatched = Torch.conv2d(OpsReference.tensor(device, x, c.c(), c.h(), c.w()),
                        OpsReference.tensor(device, w, c.oc(), c.c() / c.groups(), c.kh(), c.kw()),
                        b == null ? null : OpsReference.tensor(device, b, c.oc()), c.stride(), c.pad(), c.dil(), c.groups());
                assertShape(new int[] {c.oc(), oh, ow}, unbatched);
                assertClose(c + " unbatched", expected, unbatched, 1e-5, 1e-5);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void conv2dSixteenBitAndLegacyOverloads(Device device) {
        double[] x = OpsReference.randn(61, 2 * 4 * 5 * 5);
        double[] w = OpsReference.randn(62, 4 * 2 * 3 * 3);
        try (TensorScope scope = TensorScope.open()) {
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                double[] sx = OpsReference.roundedTo(type, x);
                double[] sw = OpsReference.roundedTo(type, w);
                Tensor y = Torch.conv2d(OpsReference.tensor(device, type, sx, 2, 4, 5, 5),
                        OpsReference.tensor(device, type, sw, 4, 2, 3, 3), null, null, new int[] {1}, null, 2);
                assertEquals(type, y.dtype(), "conv2d keeps " + type);
                double[] e = OpsReference.conv2d(sx, 2, 4, 5, 5, sw, 4, 3, 3, null, new int[] {1, 1}, new int[] {1, 1},
                        new int[] {1, 1}, 2);
                assertClose("conv2d " + type, OpsReference.roundedTo(type, e), y, 2 * OpsReference.storageRtol(type), 2e-2);
            }
            double[] w1 = OpsReference.randn(63, 3 * 4 * 3 * 3);
            double[] e = OpsReference.conv2d(x, 2, 4, 5, 5, w1, 3, 3, 3, null, new int[] {2, 1}, new int[] {0, 1},
                    new int[] {1, 1}, 1);
            Tensor legacy = Torch.conv2d(OpsReference.tensor(device, x, 2, 4, 5, 5), OpsReference.tensor(device, w1, 3, 4, 3, 3),
                    null, 2, 1, 0, 1);
            assertClose("7-int conv2d", e, legacy, 1e-5, 1e-5);
        }
    }

    record PoolCase(String name, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dil, boolean ceil) {
        PoolOptions options() {
            return PoolOptions.of(kh, kw).withStride(sh, sw).withPadding(pt, pl, pb, pr).withDilation(dil).withCeilMode(ceil);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<PoolCase> POOLS = List.of(
            new PoolCase("2x2", 2, 2, 2, 2, 0, 0, 0, 0, 1, false),
            new PoolCase("3x3 s2 p1", 3, 3, 2, 2, 1, 1, 1, 1, 1, false),
            new PoolCase("3x3 s2 p1 ceil", 3, 3, 2, 2, 1, 1, 1, 1, 1, true),
            new PoolCase("2x2 s2 ceil (odd input)", 2, 2, 2, 2, 0, 0, 0, 0, 1, true),
            new PoolCase("3x2 s(1,2) asymmetric pad", 3, 2, 1, 2, 0, 1, 2, 0, 1, false),
            new PoolCase("3x3 s3 asymmetric pad ceil", 3, 3, 3, 3, 1, 0, 0, 2, 1, true),
            new PoolCase("2x2 dilation 2", 2, 2, 1, 1, 0, 0, 0, 0, 2, false),
            new PoolCase("3x3 s2 p1 dilation 2 ceil", 3, 3, 2, 2, 1, 1, 1, 1, 2, true));

    static Stream<Arguments> poolCases() {
        return TestDevices.all().flatMap(d -> POOLS.stream().map(p -> Arguments.of(d, p)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("poolCases")
    void poolingMatchesFloat64(Device device, PoolCase p) {
        int n = 2;
        int c = 3;
        int h = 9;
        int w = 8;
        double[] x = OpsReference.randn(p.name().hashCode(), n * c * h * w);
        int oh = OpsReference.poolOut(h, p.kh(), p.sh(), p.pt(), p.pb(), p.dil(), p.ceil());
        int ow = OpsReference.poolOut(w, p.kw(), p.sw(), p.pl(), p.pr(), p.dil(), p.ceil());
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor tx = layout.make(device, x, n, c, h, w);
                Tensor mx = Torch.maxPool2d(tx, p.options());
                assertShape(new int[] {n, c, oh, ow}, mx);
                assertClose("max " + p + " " + layout, ref(x, n * c, h, w, Pool.MAX, p), mx, 0, 0);
                if (p.dil() == 1) {
                    Tensor avgIn = Torch.avgPool2d(tx, p.options().withCountIncludePad(true));
                    assertShape(new int[] {n, c, oh, ow}, avgIn);
                    assertClose("avg count_include_pad " + p + " " + layout, ref(x, n * c, h, w, Pool.AVG_INCLUDE_PAD, p),
                            avgIn, 1e-5, 1e-6);
                    Tensor avgEx = Torch.avgPool2d(tx, p.options().withCountIncludePad(false));
                    assertClose("avg exclude pad " + p + " " + layout, ref(x, n * c, h, w, Pool.AVG_EXCLUDE_PAD, p),
                            avgEx, 1e-5, 1e-6);
                }
            }
            // unbatched [C, H, W]
            Tensor un = Torch.maxPool2d(OpsReference.tensor(device, java.util.Arrays.copyOf(x, c * h * w), c, h, w),
                    p.options());
            assertShape(new int[] {c, oh, ow}, un);
            assertClose("max unbatched " + p, ref(java.util.Arrays.copyOf(x, c * h * w), c, h, w, Pool.MAX, p), un, 0, 0);
        }
    }

    private static double[] ref(double[] x, int planes, int h, int w, Pool mode, PoolCase p) {
        return OpsReference.pool2d(x, planes, h, w, mode, p.kh(), p.kw(), p.sh(), p.sw(), p.pt(), p.pl(), p.pb(), p.pr(),
                p.dil(), p.dil(), p.ceil());
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void poolingSpecialsAndDtypes(Device device) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, new double[] {1, nan, 3, 4, -inf, -inf, -inf, -inf, 5, inf, 0, 0,
                    -1, -2, -3, -4}, 1, 1, 4, 4);
            assertClose("max with NaN/inf", new double[] {nan, 4, inf, 0}, values(Torch.maxPool2d(x, 2, 2, 0)), 0, 0);
            // padding never wins a max: all-negative input with padding
            Tensor neg = Torch.full(device, -5f, 1, 1, 2, 2);
            assertClose("max pad is -inf", new double[] {-5, -5, -5, -5, -5, -5, -5, -5, -5},
                    values(Torch.maxPool2d(neg, 2, 1, 1)), 0, 0);
            assertClose("avg pad counted", new double[] {-1.25, -2.5, -1.25, -2.5, -5, -2.5, -1.25, -2.5, -1.25},
                    values(Torch.avgPool2d(neg, 2, 1, 1)), 1e-6, 0);
            assertClose("avg pad not counted", new double[] {-5, -5, -5, -5, -5, -5, -5, -5, -5},
                    values(Torch.avgPool2d(neg, PoolOptions.of(2).withStride(1).withPadding(1).withCountIncludePad(false))),
                    1e-6, 0);
            for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                Tensor h = OpsReference.tensor(device, type, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3);
                Tensor m = Torch.maxPool2d(h, 2, 1, 0);
                assertEquals(type, m.dtype());
                assertClose("max " + type, new double[] {5, 6, 8, 9}, values(m), 0, 0);
                Tensor a = Torch.avgPool2d(h, 2, 1, 0);
                assertEquals(type, a.dtype());
                assertClose("avg " + type, new double[] {3, 4, 6, 7}, values(a), 0, 0);
                Tensor ad = Torch.adaptiveAvgPool2d(h, 1, 1);
                assertEquals(type, ad.dtype());
                assertClose("adaptive " + type, new double[] {5}, values(ad), 0, 0);
            }
            Tensor emptyBatch = Torch.maxPool2d(Torch.zeros(device, 0, 2, 4, 4), 2, 2, 0);
            assertShape(new int[] {0, 2, 2, 2}, emptyBatch);
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void adaptiveAveragePoolingWindows(Device device) {
        int[][] cases = {{7, 7, 3, 3}, {7, 5, 2, 4}, {5, 5, 5, 5}, {4, 6, 8, 9}, {6, 6, 1, 1}, {9, 4, 4, 3}};
        try (TensorScope scope = TensorScope.open()) {
            for (int[] k : cases) {
                int planes = 2 * 3;
                double[] x = OpsReference.randn(k[0] * 100 + k[1] * 10 + k[2], planes * k[0] * k[1]);
                for (Layout layout : Layout.values()) {
                    Tensor y = Torch.adaptiveAvgPool2d(layout.make(device, x, 2, 3, k[0], k[1]), k[2], k[3]);
                    assertShape(new int[] {2, 3, k[2], k[3]}, y);
                    assertClose("adaptive " + k[0] + "x" + k[1] + " -> " + k[2] + "x" + k[3] + " " + layout,
                            OpsReference.adaptiveAvg(x, planes, k[0], k[1], k[2], k[3]), y, 1e-5, 1e-6);
                }
            }
        }
    }
}
