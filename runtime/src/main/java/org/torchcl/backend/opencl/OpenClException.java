package org.torchcl.backend.opencl;

import java.util.Optional;
import org.jocl.CL;
import org.torchcl.Device;

/**
 * An OpenCL call failed. Carries the {@code CL_*} status, the call, the device and, for program
 * builds, the compiler's full log; the message holds all of them so a stack trace alone explains
 * the failure.
 */
public final class OpenClException extends RuntimeException {

    private final int status;
    private final String call;
    private final transient Device device;
    private final String buildLog;

    OpenClException(String call, int status, Device device, String buildLog) {
        super(message(call, status, device, buildLog));
        this.status = status;
        this.call = call;
        this.device = device;
        this.buildLog = buildLog;
    }

    private static String message(String call, int status, Device device, String buildLog) {
        String text = call + " failed with " + statusName(status) + " (" + status + ") on "
                + (device == null ? "OpenCL" : device.toString());
        return buildLog == null ? text : text + "; build log:\n" + buildLog;
    }

    static String statusName(int status) {
        return CL.stringFor_errorCode(status);
    }

    /** The raw {@code CL_*} status code. */
    public int status() {
        return status;
    }

    /** The status as its {@code CL_*} name, e.g. {@code CL_BUILD_PROGRAM_FAILURE}. */
    public String statusName() {
        return statusName(status);
    }

    /** The OpenCL function that failed, with what it was doing. */
    public String call() {
        return call;
    }

    /** The device the call was made for; null only during platform discovery. */
    public Device device() {
        return device;
    }

    /** The compiler's output, for failed program builds. */
    public Optional<String> buildLog() {
        return Optional.ofNullable(buildLog);
    }
}
