package org.torchcl;

import org.torchcl.backend.GemmShape;

/** Opens the package-private {@link Reference} helpers to the backend test packages. */
public final class ReferenceAccess {

    private ReferenceAccess() {
    }

    public static float[] randomFloats(long seed, int count) {
        return Reference.randomFloats(seed, count);
    }

    public static void assertGemm(GemmShape s, float[] a, float[] b, float[] bias, float[] actual) {
        Reference.assertGemm(s, a, b, bias, actual);
    }
}
