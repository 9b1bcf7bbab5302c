package org.torchcl.backend.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * What discovery learned about one OpenCL device; the handles stay valid for the JVM's life.
 * {@code pciBusId} is {@code dddd:bb:dd.f} (lower-case hex) where the driver reports the device's PCI
 * address, else null.
 */
public record OpenClDeviceInfo(cl_platform_id platform, cl_device_id id, String name, String vendor,
                               String platformName, String driverVersion, String deviceVersion,
                               boolean isGpu, int computeUnits, long maxWorkGroupSize,
                               long localMemBytes, long maxAllocBytes, long globalMemBytes,
                               String pciBusId) {

    /** OpenCL 2.0 or newer (queue creation with properties). */
    boolean atLeastOpenCl2() {
        // CL_DEVICE_VERSION reads "OpenCL <major>.<minor> <vendor text>".
        String[] words = deviceVersion.split(" ");
        return words.length > 1 && !words[1].startsWith("1.");
    }

    @Override
    public String toString() {
        return name + " | " + platformName + " | " + deviceVersion + " | " + computeUnits + " CUs | "
                + (localMemBytes >> 10) + " KiB local | " + (maxAllocBytes >> 20) + " MiB max alloc";
    }
}
