package org.torchcl;

import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;

/** Opens the package-private {@link Reference} helpers to the backend test packages. */
public final class ReferenceAccess {

    private ReferenceAccess() {
    }

    /** {@link Reference#checkGemm} with {@code call} returning nothing the check needs. */
    public static void checkGemm(Backend backend, GemmShape s, long seed, GemmCall call) {
        Reference.checkGemm(backend, s, seed, call::run);
    }

    /** A product to check, run however the caller likes. */
    @FunctionalInterface
    public interface GemmCall {
        void run(Buffer a, Buffer b, Buffer bias, Buffer c);
    }
}
