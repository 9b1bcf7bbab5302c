package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VENDOR;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_DRIVER_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_SUCCESS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds every OpenCL device on every platform, or says why OpenCL cannot be used at all. */
public final class OpenClPlatforms {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClPlatforms.class);
    /** The ICD loader's answer when it has no platform registered (cl_khr_icd). */
    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;
    /** cl_khr_pci_bus_info: a struct of four cl_uint, domain, bus, device, function. */
    private static final int CL_DEVICE_PCI_BUS_INFO_KHR = 0x410F;
    /** cl_nv_device_attribute_query: bus, slot (device << 3 | function) and, on newer drivers, domain. */
    private static final int CL_DEVICE_PCI_BUS_ID_NV = 0x4008;
    private static final int CL_DEVICE_PCI_SLOT_ID_NV = 0x4009;
    private static final int CL_DEVICE_PCI_DOMAIN_ID_NV = 0x400A;
    /** cl_amd_device_attribute_query: a 24-byte union whose PCIe form ends with bus, device, function bytes. */
    private static final int CL_DEVICE_TOPOLOGY_AMD = 0x4037;
    private static final int CL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD = 1;

    private OpenClPlatforms() {
    }

    /**
     * The devices found, in platform order, or an empty list with the reason OpenCL is unusable
     * ({@code unavailableReason} is null when OpenCL itself works, even with no devices).
     */
    public record Discovery(List<OpenClDeviceInfo> devices, String unavailableReason) {
    }

    /** Enumerates platforms and devices; never throws. Costs a few ms to a few hundred ms (driver start). */
    public static Discovery discover() {
        try {
            CL.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            String reason = "JOCL could not load the OpenCL library (install an ICD loader such as ocl-icd-libopencl1"
                    + " and a driver): " + e.getMessage();
            LOG.debug("OpenCL unavailable", e);
            return new Discovery(List.of(), reason);
        }
        try {
            return enumerate();
        } catch (OpenClException e) {
            LOG.debug("OpenCL discovery failed", e);
            return new Discovery(List.of(), e.getMessage());
        }
    }

    private static Discovery enumerate() {
        int[] count = new int[1];
        int status = CL.clGetPlatformIDs(0, null, count);
        if (status == CL_PLATFORM_NOT_FOUND_KHR || (status == CL_SUCCESS && count[0] == 0)) {
            return new Discovery(List.of(), "the OpenCL ICD loader found no platform (no driver registered under"
                    + " /etc/OpenCL/vendors or OCL_ICD_VENDORS)");
        }
        if (status != CL_SUCCESS) {
            return new Discovery(List.of(), "clGetPlatformIDs failed with " + OpenClException.statusName(status));
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        List<OpenClDeviceInfo> devices = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL_PLATFORM_NAME);
            int[] deviceCount = new int[1];
            status = CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, deviceCount);
            if (status == CL_DEVICE_NOT_FOUND || deviceCount[0] == 0) {
                continue;
            }
            check(status, "clGetDeviceIDs(" + platformName + ")");
            cl_device_id[] ids = new cl_device_id[deviceCount[0]];
            check(CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null),
                    "clGetDeviceIDs(" + platformName + ")");
            for (cl_device_id id : ids) {
                OpenClDeviceInfo info = describe(platform, platformName, id);
                LOG.debug("found OpenCL device opencl:{}: {}", devices.size(), info);
                devices.add(info);
            }
        }
        return new Discovery(Collections.unmodifiableList(devices), null);
    }

    private static OpenClDeviceInfo describe(cl_platform_id platform, String platformName, cl_device_id id) {
        return new OpenClDeviceInfo(platform, id,
                deviceString(id, CL_DEVICE_NAME),
                deviceString(id, CL_DEVICE_VENDOR),
                platformName,
                deviceString(id, CL_DRIVER_VERSION),
                deviceString(id, CL_DEVICE_VERSION),
                (deviceLong(id, CL_DEVICE_TYPE, Long.BYTES) & CL_DEVICE_TYPE_GPU) != 0,
                (int) deviceLong(id, CL_DEVICE_MAX_COMPUTE_UNITS, Integer.BYTES),
                deviceLong(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, org.jocl.Sizeof.size_t),
                deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE, Long.BYTES),
                deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, Long.BYTES),
                deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE, Long.BYTES),
                pciBusId(id));
    }

    /**
     * The device's PCI address as {@code dddd:bb:dd.f}, from whichever of the three extensions that
     * report it the driver has, or null (PoCL on a CPU, most integrated GPUs). A driver that lists an
     * extension but fails the query also gives null: the address is a hint for matching devices,
     * never a reason to lose the device.
     */
    static String pciBusId(cl_device_id id) {
        List<String> extensions = List.of(deviceString(id, CL_DEVICE_EXTENSIONS).trim().split("\\s+"));
        ByteBuffer buffer = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        if (extensions.contains("cl_khr_pci_bus_info") && query(id, CL_DEVICE_PCI_BUS_INFO_KHR, buffer, 16)) {
            return pciAddress(buffer.getInt(0), buffer.getInt(4), buffer.getInt(8), buffer.getInt(12));
        }
        if (extensions.contains("cl_nv_device_attribute_query") && query(id, CL_DEVICE_PCI_BUS_ID_NV, buffer, 4)) {
            int bus = buffer.getInt(0);
            if (query(id, CL_DEVICE_PCI_SLOT_ID_NV, buffer, 4)) {
                int slot = buffer.getInt(0);
                int domain = query(id, CL_DEVICE_PCI_DOMAIN_ID_NV, buffer, 4) ? buffer.getInt(0) : 0;
                return pciAddress(domain, bus, slot >>> 3, slot & 7);
            }
        }
        if (extensions.contains("cl_amd_device_attribute_query") && query(id, CL_DEVICE_TOPOLOGY_AMD, buffer, 24)
                && buffer.getInt(0) == CL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD) {
            return pciAddress(0, buffer.get(21) & 0xff, buffer.get(22) & 0xff, buffer.get(23) & 0xff);
        }
        return null;
    }

    private static boolean query(cl_device_id id, int param, ByteBuffer buffer, int size) {
        buffer.clear();
        return CL.clGetDeviceInfo(id, param, size, Pointer.to(buffer), null) == CL_SUCCESS;
    }

    static String pciAddress(int domain, int bus, int device, int function) {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", domain, bus, device, function);
    }

    static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        check(CL.clGetDeviceInfo(id, param, 0, null, size), "clGetDeviceInfo(" + param + ")");
        byte[] bytes = new byte[(int) size[0]];
        check(CL.clGetDeviceInfo(id, param, bytes.length, Pointer.to(bytes), null), "clGetDeviceInfo(" + param + ")");
        return text(bytes);
    }

    /** Reads an unsigned integer device property of {@code width} bytes (4 or 8). */
    static long deviceLong(cl_device_id id, int param, int width) {
        ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        check(CL.clGetDeviceInfo(id, param, width, Pointer.to(buffer), null), "clGetDeviceInfo(" + param + ")");
        return width == Integer.BYTES ? Integer.toUnsignedLong(buffer.getInt(0)) : buffer.getLong(0);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        check(CL.clGetPlatformInfo(platform, param, 0, null, size), "clGetPlatformInfo(" + param + ")");
        byte[] bytes = new byte[(int) size[0]];
        check(CL.clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null),
                "clGetPlatformInfo(" + param + ")");
        return text(bytes);
    }

    /** OpenCL strings are NUL-terminated and sometimes space-padded. */
    private static String text(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }

    private static void check(int status, String call) {
        if (status != CL_SUCCESS) {
            throw new OpenClException(call, status, null, null);
        }
    }
}
