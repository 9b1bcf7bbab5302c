package org.torchcl.backend.opencl;

import org.jocl.cl_mem;
import org.torchcl.DType;
import org.torchcl.backend.Buffer;

/** An OpenCL backend buffer: one {@code cl_mem} in the device's context. */
final class OpenClBuffer implements Buffer {

    final cl_mem mem;
    private final DType dtype;
    private final long elements;

    OpenClBuffer(cl_mem mem, DType dtype, long elements) {
        this.mem = mem;
        this.dtype = dtype;
        this.elements = elements;
    }

    /** The {@code cl_mem} of a buffer of the OpenCL backend. */
    static cl_mem mem(Buffer buffer) {
        return ((OpenClBuffer) buffer).mem;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elements() {
        return elements;
    }
}
