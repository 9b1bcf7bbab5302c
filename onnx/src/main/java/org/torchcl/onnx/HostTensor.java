package org.torchcl.onnx;

import java.util.Arrays;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * A small integer or bool tensor held on the host: the shape arithmetic of exported graphs
 * (Shape → Gather → Concat → Reshape) runs on these without a device round trip per op.
 * Immutable; bools are 0/1.
 */
record HostTensor(DType dtype, int[] shape, long[] values) {

    /** Host values stay at most this many elements; larger results go to the device. */
    static final int MAX_ELEMENTS = 1024;

    static HostTensor of(DType dtype, int[] shape, long[] values) {
        return new HostTensor(dtype, shape, values);
    }

    static HostTensor vector(long... values) {
        return new HostTensor(DType.INT64, new int[] {values.length}, values);
    }

    static HostTensor scalar(long value) {
        return new HostTensor(DType.INT64, new int[0], new long[] {value});
    }

    static boolean hostable(DType dtype, long numel) {
        return (dtype.isInteger() || dtype == DType.BOOL) && numel <= MAX_ELEMENTS;
    }

    /** A copy of {@code tensor}'s values, which must be integer or bool. */
    static HostTensor read(Tensor tensor) {
        long[] values;
        if (tensor.dtype() == DType.BOOL) {
            boolean[] flags = tensor.toBooleanArray();
            values = new long[flags.length];
            for (int i = 0; i < flags.length; i++) {
                values[i] = flags[i] ? 1 : 0;
            }
        } else {
            values = tensor.toLongArray();
        }
        return new HostTensor(tensor.dtype(), tensor.shape(), values);
    }

    int numel() {
        return values.length;
    }

    Tensor upload(Device device) {
        return switch (dtype) {
            case INT64 -> {
                try (Tensor flat = Torch.tensor(device, values, values.length)) {
                    yield flat.reshape(shape);
                }
            }
            case INT32 -> {
                int[] ints = new int[values.length];
                for (int i = 0; i < ints.length; i++) {
                    ints[i] = (int) values[i];
                }
                try (Tensor flat = Torch.tensor(device, ints, values.length)) {
                    yield flat.reshape(shape);
                }
            }
            case BOOL -> {
                boolean[] flags = new boolean[values.length];
                for (int i = 0; i < flags.length; i++) {
                    flags[i] = values[i] != 0;
                }
                try (Tensor flat = Torch.tensor(device, flags, values.length)) {
                    yield flat.reshape(shape);
                }
            }
            default -> throw new IllegalStateException("host tensors hold integers and bools, not " + dtype);
        };
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + "=" + Arrays.toString(values);
    }
}
