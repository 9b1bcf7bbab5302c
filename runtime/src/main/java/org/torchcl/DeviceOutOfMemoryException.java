package org.torchcl;

/**
 * A device could not provide a buffer. Carries what was asked for and what the device reports it
 * can give; the runtime stays usable afterwards.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {

    private final transient Device device;
    private final long requestedBytes;
    private final long availableBytes;

    public DeviceOutOfMemoryException(Device device, long requestedBytes, long availableBytes, String detail,
                                      Throwable cause) {
        super("out of memory on " + device + ": requested " + requestedBytes + " bytes, " + detail + " "
                + availableBytes + " bytes", cause);
        this.device = device;
        this.requestedBytes = requestedBytes;
        this.availableBytes = availableBytes;
    }

    public Device device() {
        return device;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    /** The limit the request ran into, as described in the message. */
    public long availableBytes() {
        return availableBytes;
    }
}
