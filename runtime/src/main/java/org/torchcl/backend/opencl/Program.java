package org.torchcl.backend.opencl;

/** The kernel programs: source file and how it must be built. */
enum Program {
    SGEMM("sgemm.cl"),
    GEMM_SMALL_M("gemm_small_m.cl"),
    PHILOX("philox.cl"),
    COPY("copy.cl", true),
    UNARY("unary.cl", true),
    BINARY("binary.cl", true),
    WHERE("where.cl", true),
    REDUCE("reduce.cl", true),
    NORMALIZE("normalize.cl"),
    IM2COL("im2col.cl"),
    GATHER("gather.cl", true),
    CONV2D_GROUPED("conv2d_grouped.cl"),
    POOL2D("pool2d.cl");

    final String file;
    /** Whether the source starts with {@code common.h} (dtype macros, strided indexing). */
    final boolean common;

    Program(String file) {
        this(file, false);
    }

    Program(String file, boolean common) {
        this.file = file;
        this.common = common;
    }

    String source() {
        String own = KernelSources.load(file);
        return common ? KernelSources.load("common.h") + "\n" + own : own;
    }
}
