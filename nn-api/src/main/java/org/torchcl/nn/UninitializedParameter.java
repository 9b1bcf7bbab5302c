package org.torchcl.nn;

import org.torchcl.Tensor;

/**
 * The placeholder a lazy module holds before it knows its input size: it has no shape and no
 * memory. Reading its data is an error that says how to materialize it.
 */
public final class UninitializedParameter extends Parameter {

    private final String owner;

    /** @param owner what the parameter belongs to, for messages, e.g. {@code LazyLinear.weight} */
    public UninitializedParameter(String owner) {
        this.owner = owner;
    }

    /** @throws IllegalStateException always: there is no data until the module is materialized */
    @Override
    public Tensor data() {
        throw new IllegalStateException(owner + " is an UninitializedParameter: run a forward pass, call "
                + "initialize(inputShape...), or load a state dict to materialize it");
    }

    @Override
    public boolean isInitialized() {
        return false;
    }

    @Override
    public String toString() {
        return "UninitializedParameter(" + owner + ")";
    }
}
