package org.torchcl.backend.cpu;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Reference;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.GemmShape.Bias;

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
                GemmShape.of(129, 97, 300).withBias(Bias.PER_COLUMN),
                GemmShape.of(65, 31, 19).withTransA(true).withBias(Bias.PER_ROW),
                // A short A against a Linear weight, with depths that are no multiple of the lanes.
                GemmShape.of(1, 4096, 257).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(5, 37, 1029).withTransB(true).withBias(Bias.PER_ROW),
                GemmShape.of(16, 130, 255).withTransB(true),
                GemmShape.of(17, 130, 255).withTransB(true).withBias(Bias.PER_COLUMN),
                GemmShape.of(100, 67, 1031).withTransB(true).withBias(Bias.PER_ROW),
                // Batches: separate matrices; a shared A (stride 0), as Conv2d runs it; a shared weight
                // with gaps between the C matrices.
                GemmShape.of(33, 40, 27).withBatch(3, 33 * 27, 27 * 40, 33 * 40),
                GemmShape.of(16, 50, 27).withBias(Bias.PER_ROW).withBatch(3, 0, 27 * 50, 16 * 50),
                GemmShape.of(7, 50, 27).withTransB(true).withBias(Bias.PER_COLUMN).withBatch(4, 7 * 27, 0, 7 * 50 + 3),
                GemmShape.of(300, 70, 45).withTransA(true).withBatch(2, 300 * 45, 0, 300 * 70));
        List<CpuGemm> implementations = List.of(CpuKernels.scalarGemm(PARALLEL), CpuKernels.vectorGemm(PARALLEL));
        return implementations.stream().flatMap(gemm -> shapes.stream().map(s -> Arguments.of(gemm, s)));
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
}
