package org.torchcl;

import java.util.concurrent.atomic.AtomicInteger;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;

/**
 * A backend buffer shared by a tensor and its views, reference-counted: the buffer goes back to
 * the device when the last tensor over it is closed (or collected).
 */
final class Storage {

    final Backend backend;
    final Buffer buffer;
    private final AtomicInteger references = new AtomicInteger(1);

    private Storage(Backend backend, Buffer buffer) {
        this.backend = backend;
        this.buffer = buffer;
    }

    /** A new buffer with one reference, owned by the caller. */
    static Storage allocate(Device device, DType dtype, long elements) {
        Backend backend = device.backend();
        return new Storage(backend, backend.allocate(dtype, elements));
    }

    /** Adds a reference for a new view; fails if the buffer is already gone. */
    Storage retain() {
        int count;
        do {
            count = references.get();
            if (count == 0) {
                throw new IllegalStateException("the tensor's storage was already freed");
            }
        } while (!references.compareAndSet(count, count + 1));
        return this;
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            backend.free(buffer);
        }
    }
}
