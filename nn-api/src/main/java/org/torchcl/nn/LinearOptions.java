package org.torchcl.nn;

import org.torchcl.Device;

/**
 * Options of {@link Linear} and {@link LazyLinear}: whether to add a bias (default true) and the
 * device (default: the default device when the layer is made).
 */
public record LinearOptions(boolean bias, Device device) {

    public static LinearOptions defaults() {
        return new LinearOptions(true, null);
    }

    public LinearOptions withBias(boolean useBias) {
        return new LinearOptions(useBias, device);
    }

    public LinearOptions withDevice(Device target) {
        return new LinearOptions(bias, target);
    }
}
