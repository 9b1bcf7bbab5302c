package org.torchcl.nn;

import org.torchcl.Tensor;

/** The input check the parameter-free elementwise modules share. */
final class Activations {

    private Activations() {
    }

    /** {@code input}, once it is known to be non-null and open; the message names {@code layer}. */
    static Tensor checked(String layer, Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException(layer + ".forward: input must not be null");
        }
        if (input.isClosed()) {
            throw new IllegalStateException(layer + ".forward: input " + input + " is closed");
        }
        return input;
    }
}
