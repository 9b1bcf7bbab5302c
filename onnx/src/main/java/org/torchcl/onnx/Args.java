package org.torchcl.onnx;

import java.util.ArrayList;
import java.util.List;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;

/**
 * The inputs of one node as one run sees them. {@link #tensor} uploads a host value when a device
 * op needs it (the upload is closed with the step); {@link #host} downloads a device value when
 * the op needs its numbers on the host (shape arguments computed on the device, say).
 */
final class Args implements AutoCloseable {

    private final Device device;
    private final Value[] values;
    private final List<Tensor> uploads = new ArrayList<>();
    /** Bytes an op may allocate from nothing (a shape it was given), or -1 for no limit. */
    private final long allocationLimit;

    /**
     * Thrown when an op would make more bytes from a shape than a load-time evaluation may: the
     * node then runs at run time instead, so a hostile file cannot make loading allocate more than
     * its own size.
     */
    static final class TooLargeToFold extends RuntimeException {
        TooLargeToFold() {
            super(null, null, false, false);
        }
    }

    Args(Device device, Value[] values) {
        this(device, values, -1);
    }

    Args(Device device, Value[] values, long allocationLimit) {
        this.device = device;
        this.values = values;
        this.allocationLimit = allocationLimit;
    }

    /** Called by ops that allocate a tensor sized by their inputs' values, before allocating it. */
    void reserve(long elements, int bytesPerElement) {
        if (allocationLimit >= 0 && elements * bytesPerElement > allocationLimit) {
            throw new TooLargeToFold();
        }
    }

    Device device() {
        return device;
    }

    int count() {
        return values.length;
    }

    /** Whether optional input {@code i} was given. */
    boolean has(int i) {
        return i < values.length && values[i] != null;
    }

    Value value(int i) {
        if (!has(i)) {
            throw new IllegalArgumentException("input " + i + " is missing");
        }
        return values[i];
    }

    DType dtype(int i) {
        return value(i).dtype();
    }

    int[] shape(int i) {
        return value(i).shape();
    }

    boolean onHost(int i) {
        return value(i).onHost();
    }

    /** Whether every given input is on the host, so a host implementation can run. */
    boolean allOnHost() {
        for (Value v : values) {
            if (v != null && !v.onHost()) {
                return false;
            }
        }
        return true;
    }

    /** Input {@code i} as a device tensor; valid until the step ends. */
    Tensor tensor(int i) {
        Value v = value(i);
        if (v.tensor() != null) {
            return v.tensor();
        }
        Tensor uploaded = v.host().upload(device);
        uploads.add(uploaded);
        return uploaded;
    }

    /** Input {@code i} on the host; it must be an integer or bool tensor. */
    HostTensor host(int i) {
        Value v = value(i);
        if (v.host() != null) {
            return v.host();
        }
        DType dtype = v.tensor().dtype();
        if (!dtype.isInteger() && dtype != DType.BOOL) {
            throw new IllegalArgumentException("input " + i + " must be an integer tensor, got " + dtype);
        }
        return HostTensor.read(v.tensor());
    }

    /** Input {@code i}'s elements as longs (shape arguments). */
    long[] longs(int i) {
        return host(i).values();
    }

    /** Input {@code i}, a one-element tensor of any numeric dtype, as a double. */
    double scalar(int i) {
        Value v = value(i);
        if (v.host() != null) {
            requireOne(i, v.host().numel());
            return v.host().values()[0];
        }
        requireOne(i, v.tensor().numel());
        return v.tensor().dtype().isFloatingPoint() ? v.tensor().toArray()[0] : HostTensor.read(v.tensor()).values()[0];
    }

    private static void requireOne(int i, long numel) {
        if (numel != 1) {
            throw new IllegalArgumentException("input " + i + " must hold one element, got " + numel);
        }
    }

    @Override
    public void close() {
        uploads.forEach(Tensor::close);
        uploads.clear();
    }
}
