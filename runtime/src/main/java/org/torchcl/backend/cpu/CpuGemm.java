package org.torchcl.backend.cpu;

import org.torchcl.backend.GemmShape;

/**
 * A single-precision matrix multiply on the CPU: {@code c = op(a) * op(b) (+ bias)} for every
 * batch entry of {@code s}, as {@link GemmShape} describes. {@code c} is overwritten, never
 * accumulated into. Implementations are thread-safe.
 */
interface CpuGemm {

    void run(GemmShape s, float[] a, float[] b, float[] bias, float[] c);
}
