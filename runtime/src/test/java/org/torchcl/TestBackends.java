package org.torchcl;

import org.torchcl.backend.Backend;

/**
 * The backend behind a device, for the backend tests that drive the SPI directly. {@code
 * Device.backend()} is package-private: users compute through tensors, whose ops check their
 * arguments; the SPI trusts its callers.
 */
public final class TestBackends {

    private TestBackends() {
    }

    public static Backend of(Device device) {
        return device.backend();
    }
}
