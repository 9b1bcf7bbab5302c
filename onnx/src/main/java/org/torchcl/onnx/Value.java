package org.torchcl.onnx;

import org.torchcl.DType;
import org.torchcl.Tensor;

/**
 * A value flowing through the graph: a device tensor, a {@link HostTensor}, or both (constants
 * keep both when they are small integers, so shape arithmetic reads them without a download).
 */
record Value(Tensor tensor, HostTensor host) {

    static Value of(Tensor tensor) {
        return new Value(tensor, null);
    }

    static Value of(HostTensor host) {
        return new Value(null, host);
    }

    DType dtype() {
        return tensor != null ? tensor.dtype() : host.dtype();
    }

    int[] shape() {
        return tensor != null ? tensor.shape() : host.shape().clone();
    }

    boolean onHost() {
        return host != null;
    }

    /** Releases the device tensor, if any; host values need nothing. */
    void close() {
        if (tensor != null) {
            tensor.close();
        }
    }
}
