package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_PROGRAM_BINARIES;
import static org.jocl.CL.CL_PROGRAM_BINARY_SIZES;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_QUEUE_PROPERTIES;
import static org.jocl.CL.CL_SUCCESS;
import static org.torchcl.backend.opencl.OpenClBuffer.mem;

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
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.backend.Buffer;

/**
 * One OpenCL device's context, its in-order queue, and the kernel programs, each built once per
 * context on first use and kept as binaries in the {@link KernelCache} so later JVMs skip the
 * source compile. Every failing call becomes an {@link OpenClException}.
 *
 * <p>A {@code cl_kernel} holds its arguments, so each launch borrows a kernel object no other
 * thread is using from a small pool; everything else is thread-safe in OpenCL itself.
 */
final class OpenClContext {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClContext.class);
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

    private final Device device;
    private final OpenClDeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final KernelCache cache = KernelCache.configured();
    private final Map<String, cl_program> programs = new ConcurrentHashMap<>();
    private final Map<KernelKey, KernelPool> kernels = new ConcurrentHashMap<>();

    OpenClContext(Device device, OpenClDeviceInfo info) {
        this.device = device;
        this.info = info;
        int[] status = new int[1];
        this.context = CL.clCreateContext(null, 1, new cl_device_id[] {info.id()}, null, null, status);
        check(status[0], "clCreateContext");
        try {
            this.queue = createQueue(0);
        } catch (RuntimeException e) {
            CL.clReleaseContext(context);
            throw e;
        }
        LOG.debug("opened {}: {}", device, info);
    }

    /** A new in-order queue on the device with the {@code CL_QUEUE_*} flags in {@code properties}. */
    @SuppressWarnings("deprecation")
    cl_command_queue createQueue(long properties) {
        int[] status = new int[1];
        cl_command_queue created;
        if (info.atLeastOpenCl2()) {
            // No list at all for a plain queue: PoCL intermittently refused {CL_QUEUE_PROPERTIES, 0}
            // with CL_INVALID_VALUE.
            cl_queue_properties list = null;
            if (properties != 0) {
                list = new cl_queue_properties();
                list.addProperty(CL_QUEUE_PROPERTIES, properties);
            }
            created = CL.clCreateCommandQueueWithProperties(context, info.id(), list, status);
        } else {
            created = CL.clCreateCommandQueue(context, info.id(), properties, status);
        }
        check(status[0], "clCreateCommandQueue");
        return created;
    }

    Device device() {
        return device;
    }

    OpenClDeviceInfo info() {
        return info;
    }

    /** The kernel binaries, and the directory of the tuned sgemm tiles. */
    KernelCache cache() {
        return cache;
    }

    /** The {@code cl_context}, which buffers are created in. */
    cl_context handle() {
        return context;
    }

    /** The in-order queue that every command goes to, except the timed runs of {@link OpenClGemm}. */
    cl_command_queue queue() {
        return queue;
    }

    /** Waits until every command on the queue has finished. */
    void finish() {
        check(CL.clFinish(queue), "clFinish");
    }

    /** Throws an {@link OpenClException} for {@code call} unless {@code status} is {@code CL_SUCCESS}. */
    void check(int status, String call) {
        if (status != CL_SUCCESS) {
            throw new OpenClException(call, status, device, null);
        }
    }

    /** {@code value} rounded up to a multiple of {@code multiple}: a global size for whole work-groups. */
    static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    // ---------------------------------------------------------------- programs

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
                k -> build(program.file, program.source(), options)));
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

    // ---------------------------------------------------------------- launches

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

    /** Launches kernel {@code name} of {@code program} on the in-order queue; see the other launch. */
    void launch(Program program, String options, String name, long[] global, long[] local, Object... args) {
        launch(queue, null, program, options, name, global, local, args);
    }

    /**
     * Sets the arguments and enqueues on {@code target}, creating {@code event} unless it is null.
     * Argument types map to OpenCL: {@link Buffer} (or null) to a buffer, Integer to int, Long to
     * long/ulong, Float to float, int[] to a uint vector.
     */
    void launch(cl_command_queue target, cl_event event, Program program, String options, String name, long[] global,
                long[] local, Object... args) {
        KernelPool pool = kernelPool(program, options, name);
        if (pool.launched) {
            enqueue(target, event, pool, program, options, name, global, local, args);
        } else {
            onCompilerThread(() -> {
                enqueue(target, event, pool, program, options, name, global, local, args);
                return null;
            });
            pool.launched = true;
        }
    }

    private void enqueue(cl_command_queue target, cl_event event, KernelPool pool, Program program, String options,
                         String name, long[] global, long[] local, Object... args) {
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
            check(CL.clEnqueueNDRangeKernel(target, kernel, global.length, null, global, local, 0, null, event),
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
        } else if (arg instanceof long[] vector) {
            status = CL.clSetKernelArg(kernel, index, (long) vector.length * Sizeof.cl_long, Pointer.to(vector));
        } else if (arg instanceof int[] vector) {
            status = CL.clSetKernelArg(kernel, index, (long) vector.length * Sizeof.cl_uint, Pointer.to(vector));
        } else {
            throw new IllegalArgumentException("kernel " + name + " argument " + index + ": unsupported type "
                    + arg.getClass().getName());
        }
        check(status, "clSetKernelArg(" + name + ", " + index + ")");
    }
}
