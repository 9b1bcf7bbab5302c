package org.torchcl.backend;

import org.torchcl.DType;

/** A backend's allocation of {@link #elements()} values of one {@link #dtype()}. Only the backend that made it may use it. */
public interface Buffer {

    /** The element type this buffer was allocated for. */
    DType dtype();

    /** The number of values this buffer holds. */
    long elements();

    /** Its size in bytes. */
    default long bytes() {
        return elements() * dtype().byteSize();
    }
}
