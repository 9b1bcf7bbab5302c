package org.torchcl;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The devices every conformance test runs on: the CPU backend always, plus every OpenCL device
 * found. Under {@code CI=true} OpenCL is required (PoCL there): finding none fails the suite
 * instead of silently testing the CPU alone.
 */
public final class TestDevices {

    private TestDevices() {
    }

    /** Every available device; a {@code @MethodSource} for parameterized tests. */
    public static Stream<Device> all() {
        return Stream.concat(Stream.of(Device.cpu()), openCl().stream());
    }

    /** Every OpenCL device; empty outside CI when there is none. */
    public static List<Device> openCl() {
        List<Device> devices = Device.available().stream().filter(Device::isOpenCl).collect(Collectors.toList());
        if (devices.isEmpty() && isCi()) {
            throw new IllegalStateException("CI=true but no OpenCL device was found (" + DeviceRegistry.describeAvailable()
                    + "); install pocl-opencl-icd so the OpenCL tests run");
        }
        return devices;
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Why OpenCL tests would be skipped here, for assumption messages. */
    public static String whyNoOpenCl() {
        return "no OpenCL device here, OpenCL tests skipped: " + DeviceRegistry.describeAvailable();
    }
}
