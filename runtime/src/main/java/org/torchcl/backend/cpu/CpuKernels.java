package org.torchcl.backend.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * The CPU backend's compute kernels, chosen once per JVM: Vector API ones when the JVM was started
 * with {@code --add-modules jdk.incubator.vector}, plain Java otherwise. The Vector API classes are
 * reached by name ({@code VectorKernels}) and only when the module is there, so without it they are
 * never linked, and this class compiles without the module.
 */
final class CpuKernels {

    private static final Logger LOG = LoggerFactory.getLogger(CpuKernels.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_KERNELS = "org.torchcl.backend.cpu.VectorKernels";
    private static final AtomicBoolean HINTED_ON_STDERR = new AtomicBoolean();

    final CpuGemm gemm;
    final CpuPhilox philox;
    final CpuMath math;

    CpuKernels(CpuGemm gemm, CpuPhilox philox, CpuMath math) {
        this.gemm = gemm;
        this.philox = philox;
        this.math = math;
    }

    static CpuKernels select(Parallel parallel) {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            return vectorKernels(parallel);
        }
        String hint = "CPU kernels: plain Java, " + parallel.threads() + " threads; run the JVM with --add-modules "
                + VECTOR_MODULE + " for much faster CPU math (sgemm, random numbers, exp and the like)";
        LOG.info(hint);
        // Without an SLF4J provider the line above goes nowhere, and this hint is worth a several-fold speed-up.
        if (LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory && HINTED_ON_STDERR.compareAndSet(false, true)) {
            System.err.println("torchcl: " + hint);
        }
        ScalarMath math = new ScalarMath();
        return new CpuKernels(scalarGemm(parallel, math), new ScalarPhilox(), math);
    }

    /** sgemm in plain Java loops that C2 vectorizes. */
    static CpuGemm scalarGemm(Parallel parallel, CpuMath math) {
        return new BlockedGemm(parallel, new ScalarMicroKernel(), null, math);
    }

    private static CpuKernels vectorKernels(Parallel parallel) {
        try {
            return (CpuKernels) MethodHandles.lookup()
                    .findStatic(Class.forName(VECTOR_KERNELS), "create", MethodType.methodType(CpuKernels.class, Parallel.class))
                    .invoke(parallel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create the Vector API kernels (" + VECTOR_KERNELS + ")", e);
        }
    }
}
