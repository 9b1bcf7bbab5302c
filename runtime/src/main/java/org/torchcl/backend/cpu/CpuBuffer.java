package org.torchcl.backend.cpu;

import org.torchcl.backend.Buffer;

/** A CPU backend buffer: a Java float array on the heap. */
final class CpuBuffer implements Buffer {

    final float[] data;

    CpuBuffer(float[] data) {
        this.data = data;
    }

    @Override
    public long elements() {
        return data.length;
    }
}
