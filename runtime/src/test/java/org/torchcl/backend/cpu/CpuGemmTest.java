package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Reference;
import org.torchcl.backend.cpu.BlockedGemm.ConvolutionForm;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.GemmShape.Bias;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.UnaryOp;

/** Both CPU sgemm implementations, called directly, against the float64 reference. */
class CpuGemmTest {

    /** More workers than this machine may have cores, so the task splitting is exercised anyway. */
    private static final Parallel PARALLEL = new Parallel(3);

    static Stream<Arguments> cases() {
        List<GemmShape> shapes = List.of(
                GemmShape.of(1, 1, 1),
                GemmShape.of(127, 129, 65),
                GemmShape.of(513, 257, 1023),
                GemmShape.of(127, 129, 65).withTransA(true),
                GemmShape.of(127, 129, 65).withTransB(true),
                GemmShape.of(513, 257, 1023).withTransB(true),
                GemmShape.of(129, 97, 300).withTransA(true).withTransB(true),
                // One block of rows, several groups of columns, several blocks of depths: A packed whole first.
                GemmShape.of(100, 200, 1100),
                GemmShape.of(37, 300, 1500).withTransA(true).withTransB(true).withBias(Bias.PER_ROW),
                GemmShape.of(129, 97, 300).withBias(Bias.PER_COLUMN),
                GemmShape.of(65, 31, 19).withTransA(true).withBias(Bias.PER_ROW),
                // A short A against a Linear weight, with depths that are no multiple of the lanes.
                GemmShape.of(1, 4096, 257).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(5, 37, 1029).withTransB(true).withBias(Bias.PER_ROW),
                GemmShape.of(1, 37, 1029).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(3, 70, 300).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(16, 130, 255).withTransB(true),
                GemmShape.of(17, 130, 255).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(100, 67, 1031).withTransB(true).withBias(Bias.PER_ROW),
                // Batches: separate matrices; a shared A (stride 0), as Conv2d runs it; a shared weight
                // with gaps between the C matrices.
                GemmShape.of(33, 40, 27).withBatch(3, 33 * 27, 27 * 40, 33 * 40),
                GemmShape.of(16, 50, 27).withBias(Bias.PER_ROW).withBatch(3, 0, 27 * 50, 16 * 50),
                GemmShape.of(7, 50, 27).withTransB(true).withBias(Bias.PER_COLUMN).withBatch(4, 7 * 27, 0, 7 * 50 + 3),
                GemmShape.of(300, 70, 45).withTransA(true).withBatch(2, 300 * 45, 0, 300 * 70));
        return implementations().flatMap(gemm -> shapes.stream().map(s -> Arguments.of(gemm, s)));
    }

    static Stream<CpuGemm> implementations() {
        return Stream.of(CpuKernels.scalarGemm(PARALLEL, new ScalarMath()), VectorKernels.gemm(PARALLEL, new VectorMath()));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matchesFloat64Reference(CpuGemm gemm, GemmShape s) {
        int[] sizes = Reference.gemmSizes(s);
        float[] a = Reference.randomFloats(1, sizes[0]);
        float[] b = Reference.randomFloats(2, sizes[1]);
        float[] bias = Reference.randomFloats(3, Math.max(s.m(), s.n()));
        float[] c = new float[sizes[2]];
        // C is overwritten: whatever it held must not leak into the result.
        Arrays.fill(c, Float.NaN);
        gemm.run(s, CpuBuffer.of(a), CpuBuffer.of(b), bias, c);
        Reference.assertGemm(s, a, b, bias, c);
    }

    /** A weight used thrice is packed for keeps on its second use; a write (and its version bump) must end that. */
    @ParameterizedTest
    @MethodSource("implementations")
    void aKeptWeightIsPackedAgainAfterAWrite(CpuGemm gemm) {
        GemmShape s = GemmShape.of(40, 70, 130).withTransB(true).withBias(Bias.PER_COLUMN);
        float[] a = Reference.randomFloats(1, s.m() * s.k());
        float[] b = Reference.randomFloats(2, s.n() * s.k());
        float[] bias = Reference.randomFloats(3, s.n());
        CpuBuffer weight = CpuBuffer.of(b);
        for (int use = 0; use < 3; use++) {
            float[] c = new float[s.m() * s.n()];
            gemm.run(s, CpuBuffer.of(a), weight, bias, c);
            Reference.assertGemm(s, a, b, bias, c);
        }
        Arrays.fill(b, 0, 500, 0.5f);
        weight.written();
        float[] c = new float[s.m() * s.n()];
        gemm.run(s, CpuBuffer.of(a), weight, bias, c);
        Reference.assertGemm(s, a, b, bias, c);
    }

    static Stream<Arguments> convolutions() {
        // images, channels, size, out channels, kernel, stride, padding
        List<int[]> shapes = List.of(
                new int[] {1, 3, 9, 12, 3, 1, 1},
                new int[] {4, 5, 7, 20, 3, 1, 1},
                new int[] {3, 8, 11, 9, 3, 2, 1},
                new int[] {2, 16, 6, 130, 1, 1, 0},
                new int[] {2, 3, 13, 4, 5, 2, 2},
                // Outputs at least ImageColumns.RUN_WIDTH wide: copied in runs rather than gathered.
                new int[] {1, 3, 20, 10, 3, 1, 1},
                new int[] {2, 4, 35, 6, 3, 2, 1},
                // Few positions, many channels: computed as C^T, channels as the columns.
                new int[] {1, 8, 7, 96, 3, 1, 1},
                new int[] {2, 3, 5, 130, 3, 2, 1},
                // Depths in two blocks, columns in several panels and groups of tasks.
                new int[] {2, 64, 20, 16, 3, 1, 1});
        return implementations().flatMap(gemm -> shapes.stream().flatMap(shape -> Stream.of(ConvolutionForm.values())
                .flatMap(form -> Stream.of(Arguments.of(gemm, shape, form, true),
                        Arguments.of(gemm, shape, form, false)))));
    }

    /**
     * The im2col-free convolution in each of its forms (columns read from the images while packing,
     * or in place from a padded copy) against a direct float64 one.
     */
    @ParameterizedTest(name = "{0}: {1} as {2}, bias and ReLU {3}")
    @MethodSource("convolutions")
    void convolutionMatchesDirectFloat64(CpuGemm gemm, int[] shape, ConvolutionForm form, boolean withBias) {
        int images = shape[0];
        int channels = shape[1];
        int size = shape[2];
        int outChannels = shape[3];
        int kernel = shape[4];
        int stride = shape[5];
        int pad = shape[6];
        Im2colShape geometry = new Im2colShape(images, channels, size, size, kernel, kernel, stride, stride, pad, pad);
        float[] x = Reference.randomFloats(4, images * channels * size * size);
        float[] weight = Reference.randomFloats(5, outChannels * geometry.patchSize());
        float[] bias = withBias ? Reference.randomFloats(6, outChannels) : null;
        double[] expected = Reference.conv2d(x, images, channels, size, size, weight, outChannels, kernel, kernel, bias,
                stride, pad);
        // With a bias, also a ReLU applied to each finished tile.
        UnaryOp activation = withBias ? UnaryOp.RELU : null;
        if (withBias) {
            Arrays.setAll(expected, i -> Math.max(expected[i], 0));
        }
        CpuBuffer kept = CpuBuffer.of(weight);
        for (int use = 0; use < 3; use++) {
            float[] y = new float[images * outChannels * geometry.positions()];
            Arrays.fill(y, Float.NaN);
            ((BlockedGemm) gemm).conv2d(form, geometry, x, kept, bias, y, outChannels, activation);
            Reference.assertClose(expected, y, 1e-4 * Math.sqrt(geometry.patchSize()));
        }
    }

    /** The activation applied to each finished tile, and after the few-rows path, for both kernels. */
    @ParameterizedTest
    @MethodSource("implementations")
    void reluIsAppliedToEveryElement(CpuGemm gemm) {
        for (GemmShape plain : List.of(GemmShape.of(37, 101, 70).withBias(Bias.PER_COLUMN),
                GemmShape.of(5, 101, 70).withTransB(true).withBias(Bias.PER_COLUMN))) {
            float[] a = Reference.randomFloats(1, plain.m() * plain.k());
            float[] b = Reference.randomFloats(2, plain.n() * plain.k());
            float[] bias = Reference.randomFloats(3, plain.n());
            float[] expected = new float[plain.m() * plain.n()];
            gemm.run(plain, CpuBuffer.of(a), CpuBuffer.of(b), bias, expected);
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(expected[i], 0f);
            }
            float[] c = new float[expected.length];
            gemm.run(plain.withActivation(UnaryOp.RELU), CpuBuffer.of(a), CpuBuffer.of(b), bias, c);
            assertArrayEquals(expected, c, plain.toString());
        }
    }
}
