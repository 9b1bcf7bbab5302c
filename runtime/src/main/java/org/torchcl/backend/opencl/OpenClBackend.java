package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_OUT_OF_RESOURCES;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_SUCCESS;
import static org.jocl.CL.CL_TRUE;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.MemoryCounter;
import org.torchcl.backend.PhiloxStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenCL device: a context, one in-order queue, and the kernel programs, each built once on
 * first use. Every failing call becomes an {@link OpenClException}.
 *
 * <p>A {@code cl_kernel} holds its arguments, so setting them and enqueueing happen under a
 * per-kernel lock; everything else is thread-safe in OpenCL itself.
 */
public final class OpenClBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);

    private final Device device;
    private final OpenClDeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final MemoryCounter memory = new MemoryCounter();
    private final GemmConfig gemmConfig;
    private final long elementwiseGroup;
    private final Map<String, cl_program> programs = new ConcurrentHashMap<>();
    private final Map<String, cl_kernel> kernels = new ConcurrentHashMap<>();

    public OpenClBackend(Device device, OpenClDeviceInfo info) {
        this.device = device;
        this.info = info;
        int[] status = new int[1];
        this.context = CL.clCreateContext(null, 1, new cl_device_id[] {info.id()}, null, null, status);
        check(status[0], "clCreateContext");
        this.queue = createQueue(status);
        this.gemmConfig = GemmConfig.forDevice(info);
        this.elementwiseGroup = Math.min(256, info.maxWorkGroupSize());
        LOG.debug("opened {}: {}; sgemm tiles {}", device, info, gemmConfig);
    }

    @SuppressWarnings("deprecation")
    private cl_command_queue createQueue(int[] status) {
        cl_command_queue created = info.atLeastOpenCl2()
                ? CL.clCreateCommandQueueWithProperties(context, info.id(), new cl_queue_properties(), status)
                : CL.clCreateCommandQueue(context, info.id(), 0, status);
        check(status[0], "clCreateCommandQueue");
        return created;
    }

    /** What discovery found out about this device. */
    public OpenClDeviceInfo info() {
        return info;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public MemoryCounter memory() {
        return memory;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(long elements) {
        long bytes = elements * Float.BYTES;
        if (bytes > info.maxAllocBytes()) {
            throw new DeviceOutOfMemoryException(device, bytes, info.maxAllocBytes(),
                    "the device's largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) is", null);
        }
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, status);
        if (status[0] == CL_MEM_OBJECT_ALLOCATION_FAILURE || status[0] == CL_OUT_OF_RESOURCES) {
            long free = info.globalMemBytes() - memory.snapshot().allocatedBytes();
            throw new DeviceOutOfMemoryException(device, bytes, free,
                    "global memory not held by torchcl is about",
                    new OpenClException("clCreateBuffer(" + bytes + " bytes)", status[0], device, null));
        }
        check(status[0], "clCreateBuffer(" + bytes + " bytes)");
        memory.allocated(bytes);
        return new OpenClBuffer(mem, elements);
    }

    @Override
    public void free(Buffer buffer) {
        OpenClBuffer b = (OpenClBuffer) buffer;
        // OpenCL keeps the memory until queued commands that use it have finished.
        check(CL.clReleaseMemObject(b.mem), "clReleaseMemObject");
        memory.freed(b.elements() * Float.BYTES);
    }

    @Override
    public void write(FloatBuffer src, Buffer dst) {
        long bytes = (long) src.remaining() * Float.BYTES;
        check(CL.clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, 0, bytes, hostPointer(src), 0, null, null),
                "clEnqueueWriteBuffer");
    }

    /** A pointer to {@code src}'s remaining floats; copies only a direct buffer in foreign byte order. */
    private static Pointer hostPointer(FloatBuffer src) {
        if (src.hasArray()) {
            return Pointer.to(src.array()).withByteOffset((long) (src.arrayOffset() + src.position()) * Float.BYTES);
        }
        if (src.isDirect() && src.order() == ByteOrder.nativeOrder()) {
            return Pointer.to(src.slice());
        }
        float[] copy = new float[src.remaining()];
        src.duplicate().get(copy);
        return Pointer.to(copy);
    }

    @Override
    public void read(Buffer src, float[] dst, int count) {
        check(CL.clEnqueueReadBuffer(queue, mem(src), CL_TRUE, 0, (long) count * Float.BYTES, Pointer.to(dst),
                0, null, null), "clEnqueueReadBuffer");
    }

    @Override
    public void copy(Buffer src, Buffer dst, long count) {
        check(CL.clEnqueueCopyBuffer(queue, mem(src), mem(dst), 0, 0, count * Float.BYTES, 0, null, null),
                "clEnqueueCopyBuffer");
    }

    @Override
    public void fill(Buffer dst, long count, float value) {
        check(CL.clEnqueueFillBuffer(queue, mem(dst), Pointer.to(new float[] {value}), Sizeof.cl_float, 0,
                count * Float.BYTES, 0, null, null), "clEnqueueFillBuffer");
    }

    // ---------------------------------------------------------------- random numbers

    @Override
    public void randomBits(Buffer dst, long count, PhiloxStart start) {
        philox("philox_bits", dst, count, start);
    }

    @Override
    public void uniform(Buffer dst, long count, PhiloxStart start, float low, float scale) {
        philox("philox_uniform", dst, count, start, low, scale);
    }

    @Override
    public void normal(Buffer dst, long count, PhiloxStart start, float mean, float std) {
        philox("philox_normal", dst, count, start, mean, std);
    }

    private void philox(String kernel, Buffer dst, long count, PhiloxStart start, Object... extra) {
        Object[] args = new Object[4 + extra.length];
        args[0] = dst;
        args[1] = count;
        args[2] = new int[] {start.counterWord(0), start.counterWord(1), start.counterWord(2), start.counterWord(3)};
        args[3] = new int[] {start.keyWord(0), start.keyWord(1)};
        System.arraycopy(extra, 0, args, 4, extra.length);
        launch1d(Program.PHILOX, kernel, (count + 3) / 4, args);
    }

    // ---------------------------------------------------------------- compute

    @Override
    public void gemm(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c) {
        GemmConfig g = gemmConfig;
        long[] global = {
            roundUp((long) s.n(), g.tileN()) / g.wptN(),
            roundUp((long) s.m(), g.tileM()) / g.wptM(),
            s.batch()
        };
        long[] local = {g.threadsN(), g.threadsM(), 1};
        launch(Program.SGEMM, "sgemm", global, local,
                s.m(), s.n(), s.k(),
                a, s.strideA(), s.transA() ? 1 : 0,
                b, s.strideB(), s.transB() ? 1 : 0,
                c, s.strideC(),
                s.bias() == GemmShape.Bias.NONE ? null : bias, s.bias().ordinal());
    }

    @Override
    public void relu(Buffer src, Buffer dst, long count) {
        launch1d(Program.ELEMENTWISE, "relu", count, src, dst, count);
    }

    @Override
    public void addBroadcast(Buffer x, Buffer y, Buffer out, long count, long yCount) {
        launch1d(Program.ELEMENTWISE, "add_broadcast", count, x, y, out, count, yCount);
    }

    @Override
    public void im2col(Buffer src, Buffer cols, Im2colShape s) {
        long count = s.colsElements();
        launch1d(Program.IM2COL, "im2col", count, src, cols, count,
                s.channels(), s.height(), s.width(), s.kernelH(), s.kernelW(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.outHeight(), s.outWidth());
    }

    @Override
    public void synchronize() {
        check(CL.clFinish(queue), "clFinish");
    }

    // ---------------------------------------------------------------- programs and launches

    /** The kernel programs: source file and how it must be built. */
    enum Program {
        SGEMM("sgemm.cl"),
        PHILOX("philox.cl"),
        ELEMENTWISE("elementwise.cl"),
        IM2COL("im2col.cl");

        final String file;

        Program(String file) {
            this.file = file;
        }
    }

    private String buildOptions(Program program) {
        // The RNG program gets no relaxed-math options: its float mapping must round exactly as in Java.
        return program == Program.SGEMM ? gemmConfig.buildOptions() : "";
    }

    private cl_program program(Program program) {
        return programs.computeIfAbsent(program.file, file -> build(file, KernelSources.load(file),
                buildOptions(program)));
    }

    /** Compiles {@code source}; a failure carries the full build log. Visible for tests of that path. */
    cl_program build(String name, String source, String options) {
        long started = System.nanoTime();
        int[] status = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, status);
        check(status[0], "clCreateProgramWithSource(" + name + ")");
        int built = CL.clBuildProgram(program, 1, new cl_device_id[] {info.id()}, options, null, null);
        if (built != CL_SUCCESS) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new OpenClException("clBuildProgram(" + name + ", options \"" + options + "\")", built, device, log);
        }
        LOG.info("built {} for {} in {} ms", name, device, (System.nanoTime() - started) / 1_000_000);
        String log = buildLog(program);
        if (!log.isBlank()) {
            LOG.debug("build log of {} on {}:\n{}", name, device, log);
        }
        return program;
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(program, info.id(), CL_PROGRAM_BUILD_LOG, 0, null, size) != CL_SUCCESS) {
            return "(build log unavailable)";
        }
        byte[] bytes = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, info.id(), CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }

    private cl_kernel kernel(Program program, String name) {
        return kernels.computeIfAbsent(name, n -> {
            int[] status = new int[1];
            cl_kernel kernel = CL.clCreateKernel(program(program), n, status);
            check(status[0], "clCreateKernel(" + n + ")");
            return kernel;
        });
    }

    private void launch1d(Program program, String name, long items, Object... args) {
        long[] local = {elementwiseGroup};
        launch(program, name, new long[] {roundUp(items, elementwiseGroup)}, local, args);
    }

    /**
     * Sets the arguments and enqueues. Argument types map to OpenCL: {@link Buffer} (or null) to a
     * buffer, Integer to int, Long to long/ulong, Float to float, int[] to a uint vector.
     */
    private void launch(Program program, String name, long[] global, long[] local, Object... args) {
        cl_kernel kernel = kernel(program, name);
        synchronized (kernel) {
            for (int i = 0; i < args.length; i++) {
                setArg(kernel, name, i, args[i]);
            }
            check(CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null),
                    "clEnqueueNDRangeKernel(" + name + ")");
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("launched {} on {}: global {}, local {}", name, device, java.util.Arrays.toString(global),
                    java.util.Arrays.toString(local));
        }
    }

    private void setArg(cl_kernel kernel, String name, int index, Object arg) {
        int status;
        if (arg == null) {
            status = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, null);
        } else if (arg instanceof Buffer buffer) {
            status = CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(mem(buffer)));
        } else if (arg instanceof Integer value) {
            status = CL.clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {value}));
        } else if (arg instanceof Long value) {
            status = CL.clSetKernelArg(kernel, index, Sizeof.cl_long, Pointer.to(new long[] {value}));
        } else if (arg instanceof Float value) {
            status = CL.clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {value}));
        } else if (arg instanceof int[] vector) {
            status = CL.clSetKernelArg(kernel, index, (long) vector.length * Sizeof.cl_uint, Pointer.to(vector));
        } else {
            throw new IllegalArgumentException("kernel " + name + " argument " + index + ": unsupported type "
                    + arg.getClass().getName());
        }
        check(status, "clSetKernelArg(" + name + ", " + index + ")");
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    private static cl_mem mem(Buffer buffer) {
        return ((OpenClBuffer) buffer).mem;
    }

    private void check(int status, String call) {
        if (status != CL_SUCCESS) {
            throw new OpenClException(call, status, device, null);
        }
    }
}
