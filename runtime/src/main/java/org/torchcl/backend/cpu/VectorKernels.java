package org.torchcl.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vector API kernels as one {@link CpuKernels}. The classes named {@code Vector*} are the only
 * ones compiled with {@code jdk.incubator.vector} (runtime's pom); {@link CpuKernels} reaches this
 * one by name, so nothing else in the backend links to the incubator module.
 */
final class VectorKernels {

    // The choice is CpuKernels' to report, whichever class makes the kernels.
    private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);

    private VectorKernels() {
    }

    static CpuKernels create(Parallel parallel) {
        LOG.info("CPU kernels: Vector API ({}-bit vectors) for sgemm, Philox and float math, {} threads",
                VectorMicroKernel.vectorBits(), parallel.threads());
        VectorMath math = new VectorMath();
        return new CpuKernels(gemm(parallel, math), new VectorPhilox(), math);
    }

    /** sgemm on Vector API registers; a few rows times a Linear weight as row dot products. */
    static CpuGemm gemm(Parallel parallel, CpuMath math) {
        return new BlockedGemm(parallel, new VectorMicroKernel(), new VectorRowDots(parallel)::run, math);
    }
}
