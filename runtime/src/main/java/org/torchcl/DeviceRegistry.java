package org.torchcl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.torchcl.backend.Backend;
import org.torchcl.backend.cpu.CpuBackend;
import org.torchcl.backend.opencl.OpenClBackend;
import org.torchcl.backend.opencl.OpenClDeviceInfo;
import org.torchcl.backend.opencl.OpenClPlatforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the devices once per JVM and creates each backend on first use. */
final class DeviceRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
    private static final ConcurrentMap<Device, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static final AtomicBoolean AUTO_LOGGED = new AtomicBoolean();

    private DeviceRegistry() {
    }

    /** OpenCL discovery runs on first need, not when the class loads: CPU-only users never touch JOCL. */
    private static final class OpenCl {
        static final OpenClPlatforms.Discovery DISCOVERY = OpenClPlatforms.discover();
        static final List<Device> DEVICES = devices(DISCOVERY.devices());

        private static List<Device> devices(List<OpenClDeviceInfo> infos) {
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < infos.size(); i++) {
                OpenClDeviceInfo info = infos.get(i);
                devices.add(new Device(Device.Kind.OPENCL, i, info.name(), info.isGpu(), info.pciBusId()));
            }
            return Collections.unmodifiableList(devices);
        }
    }

    static List<Device> available() {
        List<Device> all = new ArrayList<>();
        all.add(Device.cpu());
        all.addAll(OpenCl.DEVICES);
        return Collections.unmodifiableList(all);
    }

    static Device opencl(int index) {
        List<Device> devices = OpenCl.DEVICES;
        if (index < 0 || index >= devices.size()) {
            throw new IllegalArgumentException("no OpenCL device with index " + index + "; " + describeAvailable());
        }
        return devices.get(index);
    }

    static Device auto() {
        Device chosen = OpenCl.DEVICES.stream().filter(Device::isGpu).findFirst().orElse(Device.cpu());
        if (AUTO_LOGGED.compareAndSet(false, true)) {
            LOG.info("auto device: {} ({})", chosen, autoReason(chosen));
        }
        return chosen;
    }

    private static String autoReason(Device chosen) {
        if (chosen.isOpenCl()) {
            return "the first OpenCL GPU";
        }
        if (OpenCl.DISCOVERY.unavailableReason() != null) {
            return "OpenCL unavailable: " + OpenCl.DISCOVERY.unavailableReason();
        }
        return OpenCl.DEVICES.isEmpty() ? "no OpenCL device found"
                : "no OpenCL GPU among " + OpenCl.DEVICES.size() + " OpenCL device(s); choose one with opencl:N";
    }

    /** {@code devices found: cpu, opencl:0 (...)}, plus why OpenCL is missing when it is. */
    static String describeAvailable() {
        String list = available().stream().map(Device::toString).collect(Collectors.joining(", "));
        String reason = OpenCl.DISCOVERY.unavailableReason();
        return "devices found: " + list + (reason == null ? "" : " (OpenCL unavailable: " + reason + ")");
    }

    static Backend backend(Device device) {
        if (device.isCpu()) {
            return CpuBackend.instance();
        }
        return BACKENDS.computeIfAbsent(device,
                d -> new OpenClBackend(d, OpenCl.DISCOVERY.devices().get(d.index())));
    }
}
