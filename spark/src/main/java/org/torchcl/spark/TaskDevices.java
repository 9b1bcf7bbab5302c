package org.torchcl.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Torch;

/**
 * Which device a task scores on. An explicit device ({@code cpu}, {@code opencl:N}) is used as
 * given. With {@code auto}, a task that Spark gave a GPU ({@code spark.task.resource.gpu.amount})
 * scores on the OpenCL device behind that GPU, and any other task follows torchcl's default device
 * rules ({@code torchcl.device}, {@code TORCHCL_DEVICE}, else the first OpenCL GPU, else the CPU).
 *
 * <p>Spark's GPU addresses come from its discovery script: with the stock nvidia-smi script they are
 * the GPU's index in PCI bus order among all of the host's NVIDIA GPUs, an index CUDA_VISIBLE_DEVICES
 * does not renumber, and which is not an OpenCL device index either (PoCL's CPU device, other
 * vendors' platforms and CUDA_VISIBLE_DEVICES all shift those). So an index is turned into a PCI bus
 * id first (the host's GPUs in PCI order: {@code /proc/driver/nvidia/gpus} where the NVIDIA driver
 * is loaded, else the OpenCL GPUs that report an id), and the OpenCL device with that id is chosen.
 * An address that is itself a PCI bus id (a discovery script may print those) is matched directly.
 * Only where no device reports a PCI bus id does an index pick the N-th OpenCL GPU, with a warning.
 */
final class TaskDevices {

    private static final Logger LOG = LoggerFactory.getLogger(TaskDevices.class);
    private static final Path NVIDIA_GPUS = Path.of("/proc/driver/nvidia/gpus");
    private static final AtomicBoolean INDEX_FALLBACK_LOGGED = new AtomicBoolean();

    private TaskDevices() {
    }

    /** An OpenCL GPU as the matching sees it. */
    record Gpu(Device device, Optional<String> pciBusId) {
    }

    /** The device for a task with the transformer's {@code device} param {@code spec}. */
    static Device forTask(String spec, TaskContext task) {
        if (!"auto".equalsIgnoreCase(spec.trim())) {
            return Device.parse(spec);
        }
        String[] addresses = gpuAddresses(task);
        if (addresses.length == 0) {
            return Torch.defaultDevice();
        }
        List<Gpu> gpus = Device.available().stream().filter(Device::isGpu)
                .map(device -> new Gpu(device, device.pciBusId())).collect(Collectors.toList());
        return forGpuAddress(addresses[0], gpus, hostGpuPciBusIds());
    }

    private static String[] gpuAddresses(TaskContext task) {
        if (task == null) {
            return new String[0];
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        return gpu == null ? new String[0] : gpu.addresses();
    }

    /**
     * The OpenCL device for Spark GPU address {@code address}, given the OpenCL GPUs and the host's
     * GPUs' PCI bus ids in index order (empty when unknown).
     *
     * @throws IllegalArgumentException when no OpenCL device matches, naming the address and the devices
     */
    static Device forGpuAddress(String address, List<Gpu> gpus, List<String> hostPciBusIds) {
        String trimmed = address.trim();
        if (trimmed.contains(":")) {
            return byPciBusId(address, normalizePciBusId(trimmed), gpus);
        }
        int index;
        try {
            index = Integer.parseInt(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Spark GPU address '" + address
                    + "' is neither an index nor a PCI bus id; " + describe(gpus), e);
        }
        List<String> order = new ArrayList<>(hostPciBusIds);
        if (order.isEmpty()) {
            gpus.stream().flatMap(gpu -> gpu.pciBusId().stream()).sorted().forEach(order::add);
        }
        if (!order.isEmpty()) {
            if (index < 0 || index >= order.size()) {
                throw new IllegalArgumentException("Spark GPU address " + address + " is out of range: the host has "
                        + order.size() + " GPU(s) " + order + "; " + describe(gpus));
            }
            return byPciBusId(address, order.get(index), gpus);
        }
        if (index < 0 || index >= gpus.size()) {
            throw new IllegalArgumentException("Spark GPU address " + address + " has no OpenCL GPU: " + describe(gpus));
        }
        if (INDEX_FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.warn("no OpenCL GPU reports a PCI bus id; Spark GPU address {} taken as the {}-th OpenCL GPU, {}",
                    address, index, gpus.get(index).device());
        }
        return gpus.get(index).device();
    }

    private static Device byPciBusId(String address, String pciBusId, List<Gpu> gpus) {
        return gpus.stream()
                .filter(gpu -> gpu.pciBusId().map(TaskDevices::normalizePciBusId).filter(pciBusId::equals).isPresent())
                .findFirst().map(Gpu::device)
                .orElseThrow(() -> new IllegalArgumentException("Spark GPU address " + address + " (PCI " + pciBusId
                        + ") matches no OpenCL GPU; " + describe(gpus)));
    }

    /**
     * {@code dddd:bb:dd.f} in lower case, from the forms drivers and tools print: nvidia-smi's
     * 8-digit domain ({@code 00000000:65:00.0}), sysfs's 4-digit one, or none ({@code 65:00.0}).
     */
    static String normalizePciBusId(String id) {
        String[] parts = id.trim().toLowerCase(Locale.ROOT).split("[:.]");
        try {
            if (parts.length == 4) {
                return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", Long.parseLong(parts[0], 16),
                        Integer.parseInt(parts[1], 16), Integer.parseInt(parts[2], 16), Integer.parseInt(parts[3], 16));
            }
            if (parts.length == 3) {
                return String.format(Locale.ROOT, "0000:%02x:%02x.%x", Integer.parseInt(parts[0], 16),
                        Integer.parseInt(parts[1], 16), Integer.parseInt(parts[2], 16));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + id + "' is not a PCI bus id (domain:bus:device.function)", e);
        }
        throw new IllegalArgumentException("'" + id + "' is not a PCI bus id (domain:bus:device.function)");
    }

    /** The NVIDIA driver's GPUs in PCI bus order (nvidia-smi's index order), or empty without that driver. */
    static List<String> hostGpuPciBusIds() {
        if (!Files.isDirectory(NVIDIA_GPUS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(NVIDIA_GPUS)) {
            return entries.map(path -> path.getFileName().toString()).map(TaskDevices::normalizePciBusId)
                    .sorted(Comparator.naturalOrder()).collect(Collectors.toList());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("could not list {}; matching GPUs by the PCI ids OpenCL reports", NVIDIA_GPUS, e);
            return List.of();
        }
    }

    private static String describe(List<Gpu> gpus) {
        return "OpenCL GPUs: " + (gpus.isEmpty() ? "none" : gpus.stream()
                .map(gpu -> gpu.device() + gpu.pciBusId().map(id -> " at " + id).orElse(" (no PCI bus id)"))
                .collect(Collectors.joining(", ")));
    }
}
