package org.torchcl.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU backend's compute kernels, chosen once per JVM: Vector API ones when the JVM was started
 * with {@code --add-modules jdk.incubator.vector}, plain Java otherwise. The Vector API classes are
 * only named on the branch that runs when the module is there, so without it they are never
 * linked.
 */
final class CpuKernels {

    private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    final CpuGemm gemm;
    final CpuPhilox philox;
    final CpuMath math;

    private CpuKernels(CpuGemm gemm, CpuPhilox philox, CpuMath math) {
        this.gemm = gemm;
        this.philox = philox;
        this.math = math;
    }

    static CpuKernels select(Parallel parallel) {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            LOG.info("CPU kernels: Vector API ({}-bit vectors) for sgemm, Philox and float math, {} threads",
                    VectorMicroKernel.vectorBits(), parallel.threads());
            VectorMath math = new VectorMath();
            return new CpuKernels(vectorGemm(parallel, math), new VectorPhilox(), math);
        }
        LOG.info("CPU kernels: plain Java, {} threads; run the JVM with --add-modules {} for much faster CPU math"
                + " (sgemm, random numbers, exp and the like)", parallel.threads(), VECTOR_MODULE);
        ScalarMath math = new ScalarMath();
        return new CpuKernels(scalarGemm(parallel, math), new ScalarPhilox(), math);
    }

    /** sgemm on Vector API registers; a few rows times a Linear weight as row dot products. */
    static CpuGemm vectorGemm(Parallel parallel, CpuMath math) {
        return new BlockedGemm(parallel, new VectorMicroKernel(), new VectorRowDots(parallel)::run, math);
    }

    /** sgemm in plain Java loops that C2 vectorizes. */
    static CpuGemm scalarGemm(Parallel parallel, CpuMath math) {
        return new BlockedGemm(parallel, new ScalarMicroKernel(), null, math);
    }
}
