package org.torchcl.backend.opencl;

import org.jocl.cl_mem;
import org.torchcl.backend.Buffer;

/** An OpenCL backend buffer: one {@code cl_mem} in the device's context. */
final class OpenClBuffer implements Buffer {

    final cl_mem mem;
    private final long elements;

    OpenClBuffer(cl_mem mem, long elements) {
        this.mem = mem;
        this.elements = elements;
    }

    @Override
    public long elements() {
        return elements;
    }
}
