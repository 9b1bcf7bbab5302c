package org.torchcl.backend;

/** Reductions over the trailing dims of a {@link Strided} source. */
public enum ReduceOp {
    /** Float sums are accumulated accurately (in double on the CPU, compensated on OpenCL). */
    SUM,
    MEAN,
    /** NaN wins, as {@code torch.amax}. */
    AMAX,
    AMIN,
    PROD,
    /** Variance with Bessel's correction as a parameter (0 = population, 1 = sample). */
    VAR,
    /** The position of the first maximum within the reduced elements (NaN counts as the maximum), as int64. */
    ARGMAX,
    ARGMIN
}
