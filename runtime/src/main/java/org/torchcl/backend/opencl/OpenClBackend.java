package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_OUT_OF_RESOURCES;
import static org.jocl.CL.CL_PROFILING_COMMAND_END;
import static org.jocl.CL.CL_PROFILING_COMMAND_START;
import static org.jocl.CL.CL_PROGRAM_BINARIES;
import static org.jocl.CL.CL_PROGRAM_BINARY_SIZES;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_QUEUE_PROFILING_ENABLE;
import static org.jocl.CL.CL_QUEUE_PROPERTIES;
import static org.jocl.CL.CL_SUCCESS;
import static org.jocl.CL.CL_TRUE;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
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
 * One OpenCL device: a context, one in-order queue (with profiling, for the benchmarks), and the
 * kernel programs, each built once per context on first use and kept as binaries in the
 * {@link KernelCache} so later JVMs skip the source compile. Every failing call becomes an
 * {@link OpenClException}.
 *
 * <p>A {@code cl_kernel} holds its arguments, so each launch borrows a kernel object no other
 * thread is using from a small pool; everything else is thread-safe in OpenCL itself.
 */
public final class OpenClBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);
    /**
     * OpenCL compilers run in the calling thread: clBuildProgram everywhere, and PoCL again at the
     * first launch of a kernel with a new work-group size. Their LLVM recursion can overflow a
     * default 1 MiB Java thread stack, which kills the JVM without a trace (seen with PoCL), so
     * builds and first launches run on this thread with a large stack instead.
     */
    private static final long COMPILER_STACK_BYTES = 256L << 20;
    private static final ExecutorService COMPILER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(null, task, "torchcl-opencl-compiler", COMPILER_STACK_BYTES);
        thread.setDaemon(true);
        return thread;
    });

    /** The shape of {@code gemm_small_m.cl}: LANES x ROWS work-items, up to MAX_M rows of A. */
    private static final int SMALL_M_LANES = 32;
    private static final int SMALL_M_ROWS = 8;
    private static final int SMALL_M_MAX = 16;

    private final Device device;
    private final OpenClDeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final MemoryCounter memory = new MemoryCounter();
    private final KernelCache cache = KernelCache.configured();
    private final long elementwiseGroup;
    private final Map<String, cl_program> programs = new ConcurrentHashMap<>();
    private final Map<KernelKey, KernelPool> kernels = new ConcurrentHashMap<>();
    private final boolean smallMFits;
    private volatile GemmConfig gemmConfig;

    public OpenClBackend(Device device, OpenClDeviceInfo info) {
        this.device = device;
        this.info = info;
        int[] status = new int[1];
        this.context = CL.clCreateContext(null, 1, new cl_device_id[] {info.id()}, null, null, status);
        check(status[0], "clCreateContext");
        try {
            this.queue = createQueue(status);
        } catch (RuntimeException e) {
            CL.clReleaseContext(context);
            throw e;
        }
        Optional<GemmConfig> tuned = GemmTuning.stored(cache, info);
        this.gemmConfig = tuned.orElseGet(() -> GemmConfig.defaultFor(info));
        this.elementwiseGroup = Math.min(256, info.maxWorkGroupSize());
        this.smallMFits = info.maxWorkGroupSize() >= SMALL_M_LANES * SMALL_M_ROWS
                && info.localMemBytes() >= (long) SMALL_M_ROWS * SMALL_M_MAX * (SMALL_M_LANES + 1) * Float.BYTES;
        LOG.debug("opened {}: {}; sgemm tiles {} ({})", device, info, gemmConfig, tuned.isPresent() ? "tuned" : "default");
    }

    @SuppressWarnings("deprecation")
    private cl_command_queue createQueue(int[] status) {
        cl_command_queue created;
        if (info.atLeastOpenCl2()) {
            cl_queue_properties properties = new cl_queue_properties();
            properties.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
            created = CL.clCreateCommandQueueWithProperties(context, info.id(), properties, status);
        } else {
            created = CL.clCreateCommandQueue(context, info.id(), CL_QUEUE_PROFILING_ENABLE, status);
        }
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
        if (usesSmallM(s)) {
            launch(Program.GEMM_SMALL_M, "", "gemm_small_m", new long[] {roundUp(s.n(), SMALL_M_ROWS) * SMALL_M_LANES},
                    new long[] {SMALL_M_ROWS * SMALL_M_LANES}, null,
                    s.m(), s.n(), s.k(), a, b, c, s.bias() == GemmShape.Bias.NONE ? null : bias, s.bias().ordinal());
        } else {
            gemm(s, a, b, bias, c, gemmConfig, null);
        }
    }

    /**
     * A Linear layer at a small batch (x W^T with few rows) goes to {@code gemm_small_m.cl}, which
     * reads each weight row once; the tiled kernel would leave most of every tile idle.
     */
    private boolean usesSmallM(GemmShape s) {
        return s.m() <= SMALL_M_MAX && s.transB() && !s.transA() && s.batch() == 1 && smallMFits;
    }

    /**
     * Runs one gemm with {@code config} and returns the kernel's own run time from its profiling
     * event, in nanoseconds: what the tuner and the benchmarks compare.
     */
    public long timeGemm(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c, GemmConfig config) {
        if (!config.fits(info)) {
            throw new IllegalArgumentException("sgemm config " + config + " does not fit " + device + " (work-group "
                    + config.threads() + " of " + info.maxWorkGroupSize() + ", local " + config.localBytes() + " of "
                    + info.localMemBytes() + " bytes)");
        }
        cl_event event = new cl_event();
        gemm(s, a, b, bias, c, config, event);
        try {
            check(CL.clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents");
            long[] start = new long[1];
            long[] end = new long[1];
            check(CL.clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null),
                    "clGetEventProfilingInfo");
            check(CL.clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null),
                    "clGetEventProfilingInfo");
            return end[0] - start[0];
        } finally {
            CL.clReleaseEvent(event);
        }
    }

    private void gemm(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c, GemmConfig g, cl_event event) {
        long[] global = {
            roundUp((long) s.n(), g.tileN()) / g.wptN(),
            roundUp((long) s.m(), g.tileM()) / g.wptM(),
            s.batch()
        };
        long[] local = {g.threadsN(), g.threadsM(), 1};
        launch(Program.SGEMM, g.buildOptions(), "sgemm", global, local, event,
                s.m(), s.n(), s.k(),
                a, s.strideA(), s.transA() ? 1 : 0,
                b, s.strideB(), s.transB() ? 1 : 0,
                c, s.strideC(),
                s.bias() == GemmShape.Bias.NONE ? null : bias, s.bias().ordinal());
    }

    /** The sgemm tiles in use: the tuned ones for this device when stored, else {@link GemmConfig}'s default. */
    public GemmConfig gemmConfig() {
        return gemmConfig;
    }

    /** Switches sgemm to {@code config} for this JVM and, with {@code persist}, for later ones. */
    public void useGemmConfig(GemmConfig config, boolean persist) throws IOException {
        if (!config.fits(info)) {
            throw new IllegalArgumentException("sgemm config " + config + " does not fit " + device);
        }
        gemmConfig = config;
        if (persist) {
            GemmTuning.store(cache, info, config);
        }
        LOG.info("sgemm on {} now uses tiles {}{}", device, config, persist ? " (stored)" : "");
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
        GEMM_SMALL_M("gemm_small_m.cl"),
        PHILOX("philox.cl"),
        ELEMENTWISE("elementwise.cl"),
        IM2COL("im2col.cl");

        final String file;

        Program(String file) {
            this.file = file;
        }
    }

    /**
     * The program for {@code file} built with {@code options}, once per context. No program gets
     * relaxed-math options: the RNG's float mapping must round exactly as in Java.
     */
    private cl_program program(Program program, String options) {
        String key = program.file + " " + options;
        cl_program built = programs.get(key);
        if (built != null) {
            return built;
        }
        // Only the single compiler thread inserts, so no thread ever waits for another while it
        // holds one of the map's locks.
        return onCompilerThread(() -> programs.computeIfAbsent(key,
                k -> build(program.file, KernelSources.load(program.file), options)));
    }

    /** Runs {@code work} on the large-stack compiler thread and waits for it; exceptions pass through. */
    private static <T> T onCompilerThread(Callable<T> work) {
        if (Thread.currentThread().getName().equals("torchcl-opencl-compiler")) {
            return call(work);
        }
        try {
            return COMPILER.submit(() -> call(work)).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while an OpenCL program was being compiled", e);
        }
    }

    private static <T> T call(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Builds {@code source}, from the kernel cache's binary when it has one, else from source (and
     * then stores the binary). A compile failure carries the full build log. Visible for tests.
     */
    cl_program build(String name, String source, String options) {
        String key = KernelCache.key(info, name, options, source);
        Optional<cl_program> cached = cache.load(key).flatMap(binary -> fromBinary(name, key, binary, options));
        if (cached.isPresent()) {
            return cached.get();
        }
        long started = System.nanoTime();
        int[] status = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, status);
        check(status[0], "clCreateProgramWithSource(" + name + ")");
        LOG.debug("clBuildProgram: compiling {} from source for {} ({})", name, device, options);
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
        binary(program).ifPresent(binary -> cache.store(key, binary));
        return program;
    }

    /** A program from a cached binary; empty (and the entry dropped) if the driver refuses it. */
    private Optional<cl_program> fromBinary(String name, String key, byte[] binary, String options) {
        long started = System.nanoTime();
        int[] status = new int[1];
        int[] binaryStatus = new int[1];
        cl_program program = CL.clCreateProgramWithBinary(context, 1, new cl_device_id[] {info.id()},
                new long[] {binary.length}, new byte[][] {binary}, binaryStatus, status);
        int result = status[0] != CL_SUCCESS ? status[0] : binaryStatus[0];
        if (result == CL_SUCCESS) {
            // OpenCL requires a build call for binaries too; it links, it does not compile.
            result = CL.clBuildProgram(program, 1, new cl_device_id[] {info.id()}, options, null, null);
        }
        if (result != CL_SUCCESS) {
            if (program != null && status[0] == CL_SUCCESS) {
                CL.clReleaseProgram(program);
            }
            LOG.warn("cached binary of {} for {} was refused ({}); compiling from source", name, device,
                    OpenClException.statusName(result));
            cache.remove(key);
            return Optional.empty();
        }
        LOG.info("loaded {} for {} from the kernel cache in {} ms", name, device,
                (System.nanoTime() - started) / 1_000_000);
        return Optional.of(program);
    }

    /** The device binary of a built program, when the driver gives one out. */
    private Optional<byte[]> binary(cl_program program) {
        long[] size = new long[1];
        if (CL.clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null) != CL_SUCCESS
                || size[0] <= 0 || size[0] > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        byte[] binary = new byte[(int) size[0]];
        Pointer target = Pointer.to(binary);
        if (CL.clGetProgramInfo(program, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(target), null) != CL_SUCCESS) {
            return Optional.empty();
        }
        return Optional.of(binary);
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

    /** A kernel by name within the program built with these options. */
    private record KernelKey(String name, String options) {
    }

    /**
     * The idle kernel objects of one kernel (as many exist as launches ever ran at the same time),
     * and whether it has been launched yet. Each kernel always runs with the same work-group size,
     * so its first launch is the one that may make PoCL compile.
     */
    private static final class KernelPool {
        final Deque<cl_kernel> idle = new ConcurrentLinkedDeque<>();
        volatile boolean launched;
    }

    private KernelPool kernelPool(Program program, String options, String name) {
        KernelKey key = new KernelKey(name, options);
        KernelPool pool = kernels.get(key);
        if (pool != null) {
            return pool;
        }
        program(program, options);  // built first, outside the map's lock: building waits for another thread
        return kernels.computeIfAbsent(key, k -> new KernelPool());
    }

    private cl_kernel createKernel(Program program, String options, String name) {
        int[] status = new int[1];
        cl_kernel kernel = CL.clCreateKernel(program(program, options), name, status);
        check(status[0], "clCreateKernel(" + name + ")");
        return kernel;
    }

    private void launch1d(Program program, String name, long items, Object... args) {
        long[] local = {elementwiseGroup};
        launch(program, "", name, new long[] {roundUp(items, elementwiseGroup)}, local, null, args);
    }

    /**
     * Sets the arguments and enqueues. Argument types map to OpenCL: {@link Buffer} (or null) to a
     * buffer, Integer to int, Long to long/ulong, Float to float, int[] to a uint vector.
     */
    private void launch(Program program, String options, String name, long[] global, long[] local, cl_event event,
                        Object... args) {
        KernelPool pool = kernelPool(program, options, name);
        if (pool.launched) {
            enqueue(pool, program, options, name, global, local, event, args);
        } else {
            onCompilerThread(() -> {
                enqueue(pool, program, options, name, global, local, event, args);
                return null;
            });
            pool.launched = true;
        }
    }

    private void enqueue(KernelPool pool, Program program, String options, String name, long[] global, long[] local,
                         cl_event event, Object... args) {
        // A cl_kernel holds its arguments until the enqueue, so concurrent launches each borrow their
        // own from a pool rather than queue up on one locked kernel object: LaunchBench on PoCL ran
        // 233-283k small ops/s from 8 threads pooled against 125-166k locked (equal from 1 thread).
        // Unlike per-thread kernels, a pool does not grow with thread churn.
        cl_kernel kernel = pool.idle.pollFirst();
        if (kernel == null) {
            kernel = createKernel(program, options, name);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                setArg(kernel, name, i, args[i]);
            }
            check(CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, event),
                    "clEnqueueNDRangeKernel(" + name + ")");
        } finally {
            pool.idle.offerFirst(kernel);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("launched {} on {}: global {}, local {}", name, device, Arrays.toString(global),
                    Arrays.toString(local));
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
