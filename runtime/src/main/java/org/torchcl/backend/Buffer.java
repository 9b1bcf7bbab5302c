package org.torchcl.backend;

/** A backend's allocation of {@link #elements()} floats. Only the backend that made it may use it. */
public interface Buffer {

    /** The number of floats this buffer holds. */
    long elements();
}
