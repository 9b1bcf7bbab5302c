package org.torchcl;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.torchcl.backend.Backend;

/**
 * Where tensors live and ops run: the pure-Java CPU backend, or one OpenCL device. An immutable
 * value; two {@code Device}s are equal when they name the same backend device.
 *
 * <p>Strings accepted by {@link #parse}: {@code cpu}, {@code opencl} (= {@code opencl:0}),
 * {@code opencl:N}, and {@code auto} (the first OpenCL GPU, else the CPU).
 */
public final class Device {

    /** The kind of backend behind a device. */
    public enum Kind {
        /** Pure Java, multi-threaded over the host's cores. */
        CPU,
        /** An OpenCL device (a GPU, or a CPU driver such as PoCL), through JOCL. */
        OPENCL
    }

    private static final Device CPU = new Device(Kind.CPU, 0, "Java");

    private final Kind kind;
    private final int index;
    private final String name;
    private final boolean gpu;
    private final String pciBusId;

    Device(Kind kind, int index, String name) {
        this(kind, index, name, false, null);
    }

    Device(Kind kind, int index, String name, boolean gpu, String pciBusId) {
        this.kind = kind;
        this.index = index;
        this.name = name;
        this.gpu = gpu;
        this.pciBusId = pciBusId;
    }

    /** The pure-Java backend; always available. */
    public static Device cpu() {
        return CPU;
    }

    /** The first OpenCL device, whatever its type. */
    public static Device opencl() {
        return opencl(0);
    }

    /**
     * OpenCL device {@code index}, counted across all platforms in platform order.
     *
     * @throws IllegalArgumentException when there is no such device; the message lists those found
     */
    public static Device opencl(int index) {
        return DeviceRegistry.opencl(index);
    }

    /** The first OpenCL GPU if there is one, else {@link #cpu()}. */
    public static Device auto() {
        return DeviceRegistry.auto();
    }

    /** The CPU first, then every OpenCL device in platform order. */
    public static List<Device> available() {
        return DeviceRegistry.available();
    }

    /**
     * Parses {@code cpu}, {@code opencl}, {@code opencl:N} or {@code auto} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and listing the devices found
     */
    public static Device parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("device must not be null; " + DeviceRegistry.describeAvailable());
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("auto")) {
            return auto();
        }
        if (s.equals("opencl")) {
            return opencl(0);
        }
        if (s.startsWith("opencl:")) {
            String number = s.substring("opencl:".length());
            if (!number.isEmpty() && number.chars().allMatch(Character::isDigit) && number.length() < 10) {
                return opencl(Integer.parseInt(number));
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec
                + "': expected cpu, opencl, opencl:N or auto; " + DeviceRegistry.describeAvailable());
    }

    public Kind kind() {
        return kind;
    }

    /** The position among devices of this kind (always 0 for the CPU). */
    public int index() {
        return index;
    }

    /** The device's own name, e.g. {@code NVIDIA H200}; {@code Java} for the CPU backend. */
    public String name() {
        return name;
    }

    public boolean isCpu() {
        return kind == Kind.CPU;
    }

    public boolean isOpenCl() {
        return kind == Kind.OPENCL;
    }

    /** Whether this is an OpenCL device of type GPU. */
    public boolean isGpu() {
        return gpu;
    }

    /**
     * The device's PCI address, {@code dddd:bb:dd.f} in lower-case hex, where its OpenCL driver
     * reports one (cl_khr_pci_bus_info, or NVIDIA's or AMD's attribute query); empty for the CPU
     * backend and for drivers that do not say. The stable way to find the OpenCL device behind a
     * GPU that another API (CUDA, nvidia-smi, a cluster scheduler) names by its own index.
     */
    public Optional<String> pciBusId() {
        return Optional.ofNullable(pciBusId);
    }

    /**
     * The backend that runs this device's ops (created on first use). Not public: the SPI trusts
     * its callers to pass valid buffers and shapes, which only {@code Tensor} and {@code Torch}
     * check; measuring code uses {@link GemmProbe}.
     */
    Backend backend() {
        return DeviceRegistry.backend(this);
    }

    /** Blocks until every op enqueued on this device so far has finished (a no-op on the CPU, whose ops finish before they return). */
    public void synchronize() {
        backend().synchronize();
    }

    /** Bytes held on this device by torchcl now, and the peak. */
    public MemoryStats memoryStats() {
        return backend().memory().snapshot();
    }

    /** Starts a new peak from what is allocated now. */
    public void resetPeakMemoryStats() {
        backend().memory().resetPeak();
    }

    /** {@code cpu}, {@code opencl:0}, ...: the string {@link #parse} reads back. */
    public String spec() {
        return kind == Kind.CPU ? "cpu" : "opencl:" + index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device other && other.kind == kind && other.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, index);
    }

    /** {@code cpu} or {@code opencl:0 (NVIDIA H200)}. */
    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : spec() + " (" + name + ")";
    }
}
