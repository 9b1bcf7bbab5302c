package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_OUT_OF_RESOURCES;
import static org.jocl.CL.CL_TRUE;
import static org.torchcl.backend.opencl.OpenClBuffer.mem;
import static org.torchcl.backend.opencl.OpenClContext.roundUp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.backend.Backend;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.HalfFloats;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.Layouts;
import org.torchcl.backend.MemoryCounter;
import org.torchcl.backend.PhiloxStart;
import org.torchcl.backend.PoolShape;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;

/**
 * One OpenCL device as a {@link Backend}: buffers in its {@link OpenClContext} and each op as a
 * launch of its kernel there; sgemm and its tuning are {@link OpenClGemm}'s. Every failing call
 * becomes an {@link OpenClException}.
 */
public final class OpenClBackend implements Backend {

    /** The most dims a strided kernel indexes after {@link Layouts#merge} (common.h's MAX_RANK). */
    public static final int MAX_RANK = 8;
    /** Reduction rows of at most this many elements are reduced one work-item per row. */
    private static final int SERIAL_ROW_MAX = 64;
    /** A chunk of a split reduction row gives each work-item at least this many elements. */
    private static final int CHUNK_ELEMENTS_PER_ITEM = 64;
    /** Work-groups per compute unit that keep a device busy. */
    private static final int GROUPS_PER_UNIT = 8;
    /** A row of normalize.cl stays in local memory when it needs at most this many bytes there. */
    private static final long LOCAL_ROW_MAX_BYTES = 64 << 10;
    /** Positions per word of {@code gather.cl}'s bad-index flags, and a word's value when its block has none. */
    private static final long BAD_INDEX_BLOCK = 1L << 31;
    private static final int NO_BAD_INDEX = -1;

    private final Device device;
    private final OpenClDeviceInfo info;
    private final OpenClContext context;
    private final OpenClGemm gemm;
    /** The context's in-order queue, which memory commands share with the launches. */
    private final cl_command_queue queue;
    private final MemoryCounter memory = new MemoryCounter();
    private final long elementwiseGroup;

    public OpenClBackend(Device device, OpenClDeviceInfo info) {
        this.device = device;
        this.info = info;
        this.context = new OpenClContext(device, info);
        this.gemm = new OpenClGemm(context);
        this.queue = context.queue();
        this.elementwiseGroup = Math.min(256, info.maxWorkGroupSize());
    }

    /** The context the kernels are built and launched in; tests build broken programs there. */
    OpenClContext context() {
        return context;
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
    public Buffer allocate(DType dtype, long elements) {
        long bytes = elements * dtype.byteSize();
        if (bytes > info.maxAllocBytes()) {
            throw new DeviceOutOfMemoryException(device, bytes, info.maxAllocBytes(),
                    "the device's largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) is", null);
        }
        int[] status = new int[1];
        // OpenCL has no empty buffers; a tensor with a zero-size dim gets one unused byte.
        cl_mem mem = CL.clCreateBuffer(context.handle(), CL_MEM_READ_WRITE, Math.max(1, bytes), null, status);
        if (status[0] == CL_MEM_OBJECT_ALLOCATION_FAILURE || status[0] == CL_OUT_OF_RESOURCES) {
            long free = info.globalMemBytes() - memory.snapshot().allocatedBytes();
            throw new DeviceOutOfMemoryException(device, bytes, free,
                    "global memory not held by torchcl is about",
                    new OpenClException("clCreateBuffer(" + bytes + " bytes)", status[0], device, null));
        }
        context.check(status[0], "clCreateBuffer(" + bytes + " bytes)");
        memory.allocated(bytes);
        return new OpenClBuffer(mem, dtype, elements);
    }

    @Override
    public void free(Buffer buffer) {
        OpenClBuffer b = (OpenClBuffer) buffer;
        // OpenCL keeps the memory until queued commands that use it have finished.
        context.check(CL.clReleaseMemObject(b.mem), "clReleaseMemObject");
        memory.freed(b.bytes());
    }

    @Override
    public void write(java.nio.Buffer src, Buffer dst) {
        int elementBytes = src instanceof ByteBuffer ? 1 : dst.dtype().byteSize();
        long bytes = (long) src.remaining() * elementBytes;
        if (bytes == 0) {
            return;
        }
        context.check(CL.clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, 0, bytes, hostPointer(src), 0, null, null),
                "clEnqueueWriteBuffer");
    }

    /** A pointer to {@code src}'s remaining values; copies only a direct buffer in foreign byte order. */
    private static Pointer hostPointer(java.nio.Buffer src) {
        if (src.isDirect() && (src instanceof ByteBuffer || nativeOrder(src))) {
            return Pointer.toBuffer(src);
        }
        if (src.hasArray()) {
            return Pointer.toBuffer(src);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining() * 8).order(ByteOrder.nativeOrder());
        if (src instanceof FloatBuffer floats) {
            copy.asFloatBuffer().put(floats.duplicate());
        } else if (src instanceof ShortBuffer shorts) {
            copy.asShortBuffer().put(shorts.duplicate());
        } else if (src instanceof IntBuffer ints) {
            copy.asIntBuffer().put(ints.duplicate());
        } else if (src instanceof LongBuffer longs) {
            copy.asLongBuffer().put(longs.duplicate());
        } else {
            throw new IllegalArgumentException("unsupported host buffer " + src.getClass().getName());
        }
        return Pointer.to(copy);
    }

    private static boolean nativeOrder(java.nio.Buffer src) {
        ByteOrder order = src instanceof FloatBuffer f ? f.order()
                : src instanceof ShortBuffer s ? s.order()
                : src instanceof IntBuffer i ? i.order()
                : src instanceof LongBuffer l ? l.order() : ByteOrder.nativeOrder();
        return order == ByteOrder.nativeOrder();
    }

    @Override
    public void read(Buffer src, Object dst, int count) {
        if (count == 0) {
            return;
        }
        Pointer target;
        if (dst instanceof float[] floats) {
            target = Pointer.to(floats);
        } else if (dst instanceof short[] shorts) {
            target = Pointer.to(shorts);
        } else if (dst instanceof long[] longs) {
            target = Pointer.to(longs);
        } else if (dst instanceof int[] ints) {
            target = Pointer.to(ints);
        } else {
            target = Pointer.to((byte[]) dst);
        }
        context.check(CL.clEnqueueReadBuffer(queue, mem(src), CL_TRUE, 0, (long) count * src.dtype().byteSize(),
                target, 0, null, null), "clEnqueueReadBuffer");
    }

    @Override
    public void copy(Strided src, Strided dst) {
        long count = src.numel();
        if (count == 0) {
            return;
        }
        Layouts.Merged merged = Layouts.merge(dst, src);
        int elementBytes = src.dtype().byteSize();
        if (src.dtype() == dst.dtype() && merged.rank() == 1 && merged.strides()[0][0] == 1
                && merged.strides()[1][0] == 1) {
            context.check(CL.clEnqueueCopyBuffer(queue, mem(src.buffer()), mem(dst.buffer()),
                    src.offset() * elementBytes, dst.offset() * elementBytes, count * elementBytes, 0, null, null),
                    "clEnqueueCopyBuffer");
            return;
        }
        String options = typeOption("SRC_TYPE", src.dtype()) + " " + typeOption("DST_TYPE", dst.dtype());
        launch1d(Program.COPY, options, "copy_strided", count,
                src.buffer(), src.offset(), strides(merged, 1),
                dst.buffer(), dst.offset(), strides(merged, 0),
                merged.rank(), shape(merged), count);
    }

    /** {@code -DNAME=code}: a dtype's code in {@code common.h}. */
    static String typeOption(String name, DType dtype) {
        return "-D" + name + "=" + dtype.ordinal();
    }

    /** A merged shape as an {@code int8} kernel argument. */
    static int[] shape(Layouts.Merged merged) {
        return Arrays.copyOf(merged.shape(), MAX_RANK);
    }

    /** One operand's merged strides as a {@code long8} kernel argument. */
    static long[] strides(Layouts.Merged merged, int operand) {
        return Arrays.copyOf(merged.strides()[operand], MAX_RANK);
    }

    @Override
    public void fill(Buffer dst, DType dtype, long count, double value) {
        if (count == 0) {
            return;
        }
        byte[] pattern = switch (dtype) {
            case FLOAT32 -> ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putFloat((float) value).array();
            case FLOAT16 -> ByteBuffer.allocate(2).order(ByteOrder.nativeOrder())
                    .putShort(HalfFloats.floatToHalf((float) value)).array();
            case BFLOAT16 -> ByteBuffer.allocate(2).order(ByteOrder.nativeOrder())
                    .putShort(HalfFloats.floatToBfloat16((float) value)).array();
            case INT64 -> ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong((long) value).array();
            case INT32 -> ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) (long) value).array();
            case BOOL -> new byte[] {value != 0 ? (byte) 1 : (byte) 0};
        };
        context.check(CL.clEnqueueFillBuffer(queue, mem(dst), Pointer.to(pattern), pattern.length, 0,
                count * dtype.byteSize(), 0, null, null), "clEnqueueFillBuffer");
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
        launch1d(Program.PHILOX, "", kernel, (count + 3) / 4, args);
    }

    // ---------------------------------------------------------------- compute

    @Override
    public void gemm(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c) {
        gemm.run(s.withActivation(null), a, b, bias, c);
        if (s.activation() != null) {
            // The sgemm kernels have no epilogue: the activation is one more pass over C, in place.
            Strided result = new Strided(c, DType.FLOAT32, new int[] {s.batch(), s.m(), s.n()},
                    new long[] {s.strideC(), s.n(), 1}, 0);
            unary(s.activation(), result, result, 0, 0);
        }
    }

    /**
     * Runs one gemm with {@code config} and returns the kernel's own run time from its profiling
     * event, in nanoseconds: what the tuner and the benchmarks compare.
     */
    public long timeGemm(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c, GemmConfig config) {
        return gemm.time(s, a, b, bias, c, config);
    }

    /** The sgemm tiles in use: the tuned ones for this device when stored, else {@link GemmConfig}'s default. */
    public GemmConfig gemmConfig() {
        return gemm.config();
    }

    /** Switches sgemm to {@code config} for this JVM and, with {@code persist}, for later ones. */
    public void useGemmConfig(GemmConfig config, boolean persist) throws IOException {
        gemm.use(config, persist);
    }

    @Override
    public void unary(UnaryOp op, Strided src, Strided dst, double p0, double p1) {
        boolean floatMath = op.resultKind() == UnaryOp.Kind.FLOAT || src.dtype().isFloatingPoint()
                || dst.dtype().isFloatingPoint();
        String options = "-DOP=" + op.name() + " " + typeOption("SRC_TYPE", src.dtype()) + " "
                + typeOption("DST_TYPE", dst.dtype()) + floatMathOption(floatMath);
        // Integer bounds: the integers inside [p0, p1]; an infinite bound saturates to the extreme.
        Object[] bounds = floatMath ? new Object[] {(float) p0, (float) p1}
                : new Object[] {(long) Math.ceil(p0), (long) Math.floor(p1)};
        elementwise(Program.UNARY, options, "unary " + op, new Strided[] {src, dst}, bounds);
    }

    @Override
    public void binary(BinaryOp op, Strided a, Strided b, Strided out) {
        boolean floatMath = op.resultKind() == BinaryOp.Kind.FLOAT || a.dtype().isFloatingPoint()
                || b.dtype().isFloatingPoint() || out.dtype().isFloatingPoint();
        String options = "-DOP=" + op.name() + " " + typeOption("A_TYPE", a.dtype()) + " "
                + typeOption("B_TYPE", b.dtype()) + " " + typeOption("OUT_TYPE", out.dtype()) + floatMathOption(floatMath);
        elementwise(Program.BINARY, options, "binary " + op, new Strided[] {a, b, out});
    }

    @Override
    public void where(Strided cond, Strided a, Strided b, Strided out) {
        boolean floatMath = a.dtype().isFloatingPoint() || b.dtype().isFloatingPoint() || out.dtype().isFloatingPoint();
        String options = typeOption("A_TYPE", a.dtype()) + " " + typeOption("B_TYPE", b.dtype()) + " "
                + typeOption("OUT_TYPE", out.dtype()) + floatMathOption(floatMath);
        elementwise(Program.WHERE, options, "where", new Strided[] {cond, a, b, out});
    }

    private static String floatMathOption(boolean floatMath) {
        return " -DFLOAT_MATH=" + (floatMath ? 1 : 0);
    }

    /**
     * One work-item per element of the operands' common shape, their dims merged. The kernel (named
     * after its program's file) takes each operand as (buffer, offset, strides), then the rank, the
     * shape and the element count, then {@code params}.
     */
    private void elementwise(Program program, String options, String what, Strided[] operands, Object... params) {
        long count = operands[0].numel();
        if (count == 0) {
            return;
        }
        Layouts.Merged merged = requireRank(what, Layouts.merge(operands));
        Object[] args = new Object[3 * operands.length + 3 + params.length];
        for (int i = 0; i < operands.length; i++) {
            args[3 * i] = operands[i].buffer();
            args[3 * i + 1] = operands[i].offset();
            args[3 * i + 2] = strides(merged, i);
        }
        int next = 3 * operands.length;
        args[next] = merged.rank();
        args[next + 1] = shape(merged);
        args[next + 2] = count;
        System.arraycopy(params, 0, args, next + 3, params.length);
        String kernel = program.file.substring(0, program.file.indexOf('.'));
        launch1d(program, options, kernel, count, args);
    }

    private static Layouts.Merged requireRank(String what, Layouts.Merged merged) {
        if (merged.rank() > MAX_RANK) {
            throw new IllegalArgumentException(what + " on OpenCL: the layouts merge to rank " + merged.rank() + " "
                    + Arrays.toString(merged.shape()) + ", more than the " + MAX_RANK + " dims the kernels index");
        }
        return merged;
    }

    @Override
    public void reduce(ReduceOp op, Strided src, Strided dst, int reducedDims, double correction) {
        int lead = src.rank() - reducedDims;
        String what = "reduce " + op;
        Layouts.Merged leading = requireRank(what, Layouts.merge(Arrays.copyOfRange(src.shape(), 0, lead),
                Arrays.copyOfRange(src.strides(), 0, lead)));
        Layouts.Merged reduced = requireRank(what, Layouts.merge(Arrays.copyOfRange(src.shape(), lead, src.rank()),
                Arrays.copyOfRange(src.strides(), lead, src.rank())));
        long rows = leading.numel();
        long n = reduced.numel();
        if (rows == 0) {
            return;
        }
        boolean argReduction = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        boolean floatMath = argReduction ? src.dtype().isFloatingPoint() : dst.dtype().isFloatingPoint();
        int group = reductionGroup();
        String options = "-DOP=" + op.name() + " " + typeOption("SRC_TYPE", src.dtype()) + " "
                + typeOption("DST_TYPE", dst.dtype()) + floatMathOption(floatMath) + " -DGROUP=" + group;
        Object[] source = {src.buffer(), src.offset(), leading.rank(), shape(leading), strides(leading, 0),
            reduced.rank(), shape(reduced), strides(reduced, 0), n};
        Object[] target = {dst.buffer(), dst.offset(), (float) correction};
        long busy = (long) info.computeUnits() * GROUPS_PER_UNIT;
        boolean spreadRows = reduced.strides()[0][reduced.rank() - 1] != 1;
        // Short rows waste a work-group; and when there are rows enough to fill the device and each
        // row's elements lie apart (a sum over a leading dim), neighbouring work-items walking
        // neighbouring rows read neighbouring values.
        if (n <= SERIAL_ROW_MAX || (spreadRows && rows >= busy * group)) {
            launch1d(Program.REDUCE, options, "reduce_serial", rows, concat(source, new Object[] {rows}, target));
            return;
        }
        long chunks = rows >= busy ? 1
                : Math.min(ceilDiv(busy, rows), ceilDiv(n, (long) group * CHUNK_ELEMENTS_PER_ITEM));
        if (chunks <= 1) {
            context.launch(Program.REDUCE, options, "reduce_rows", new long[] {rows * group}, new long[] {group},
                    concat(source, target));
            return;
        }
        // A few long rows: every compute unit reduces chunks of them, a second launch merges the
        // chunks' states (16 bytes each at most, see reduce.cl).
        long chunk = ceilDiv(n, chunks);
        Buffer partials = allocate(DType.INT64, 2 * rows * chunks);
        try {
            context.launch(Program.REDUCE, options, "reduce_chunks", new long[] {chunks * group, rows},
                    new long[] {group, 1}, concat(source, new Object[] {chunk, partials}));
            context.launch(Program.REDUCE, options, "reduce_partials", new long[] {rows * group}, new long[] {group},
                    concat(new Object[] {partials, (int) chunks, n}, target));
        } finally {
            free(partials);
        }
    }

    /** The work-group size of the reduction kernels: a power of two, at most 256. */
    private int reductionGroup() {
        return Integer.highestOneBit((int) Math.min(256, info.maxWorkGroupSize()));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long nextPowerOfTwo(long value) {
        return Long.highestOneBit(2 * value - 1);
    }

    private static Object[] concat(Object[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray();
    }

    @Override
    public void softmax(Buffer src, Buffer dst, long rows, int cols, boolean log) {
        rowwise("softmax", rows, cols, src, dst, cols, log ? 1 : 0);
    }

    @Override
    public void layerNorm(Buffer src, Buffer weight, Buffer bias, Buffer dst, long rows, int cols, float eps) {
        rowwise("layer_norm", rows, cols, src, weight, bias, dst, cols, eps);
    }

    /**
     * Launches a normalize.cl kernel, one work-group per row: about four values per work-item up to
     * 256 work-items, and the {@code _local} variant when a row fits in local memory. Row capacities
     * are powers of two so that few programs get built; LOCAL_ROW_MAX_BYTES keeps a large static local
     * array from cutting the work-groups a GPU runs at once (beyond it no GPU's local memory holds
     * the row anyway, and on a CPU device local memory is ordinary memory).
     */
    private void rowwise(String kernel, long rows, int cols, Object... args) {
        if (rows == 0 || cols == 0) {
            return;
        }
        int group = (int) Math.min(reductionGroup(), Math.max(32, nextPowerOfTwo((cols + 3L) / 4)));
        long capacity = Math.max(1024, nextPowerOfTwo(cols));
        // The row and the scratch of the group sums (a float and a float2 per work-item).
        boolean local = (capacity + 3L * group) * Float.BYTES <= Math.min(info.localMemBytes(), LOCAL_ROW_MAX_BYTES);
        String options = "-DGROUP=" + group + (local ? " -DROW_CAPACITY=" + capacity : "");
        context.launch(Program.NORMALIZE, options, kernel + (local ? "_local" : "_global"), new long[] {rows * group},
                new long[] {group}, args);
    }

    @Override
    public long gather(Strided src, int dim, Strided index, Strided out) {
        long count = out.numel();
        if (count == 0) {
            return -1;
        }
        if (out.rank() > MAX_RANK) {
            throw new IllegalArgumentException("gather on the OpenCL backend indexes at most " + MAX_RANK
                    + " dims, got rank " + out.rank() + " (" + out + ")");
        }
        // A 0-d tensor gathers as one element of a dim of size 1 (the kernel's padded strides are 0).
        long dimSize = src.rank() == 0 ? 1 : src.shape()[dim];
        // One word per 2^31 positions, each the smallest bad position of its block (see gather.cl).
        int blocks = (int) ((count + BAD_INDEX_BLOCK - 1) / BAD_INDEX_BLOCK);
        int[] status = new int[1];
        cl_mem flags = CL.clCreateBuffer(context.handle(), CL_MEM_READ_WRITE, (long) blocks * Sizeof.cl_uint, null,
                status);
        context.check(status[0], "clCreateBuffer(gather flags)");
        try {
            context.check(CL.clEnqueueFillBuffer(queue, flags, Pointer.to(new int[] {NO_BAD_INDEX}), Sizeof.cl_uint,
                    0, (long) blocks * Sizeof.cl_uint, 0, null, null), "clEnqueueFillBuffer(gather flags)");
            String options = typeOption("DATA_TYPE", out.dtype()) + " " + typeOption("INDEX_TYPE", index.dtype());
            launch1d(Program.GATHER, options, "gather_strided", count,
                    src.buffer(), src.offset(), Arrays.copyOf(src.strides(), MAX_RANK),
                    index.buffer(), index.offset(), Arrays.copyOf(index.strides(), MAX_RANK),
                    out.buffer(), out.offset(), Arrays.copyOf(out.strides(), MAX_RANK),
                    out.rank(), Arrays.copyOf(out.shape(), MAX_RANK), dim, dimSize, count,
                    new OpenClBuffer(flags, DType.INT32, blocks));
            int[] words = new int[blocks];
            context.check(CL.clEnqueueReadBuffer(queue, flags, CL_TRUE, 0, (long) blocks * Sizeof.cl_uint,
                    Pointer.to(words), 0, null, null), "clEnqueueReadBuffer(gather flags)");
            for (int block = 0; block < blocks; block++) {
                if (words[block] != NO_BAD_INDEX) {
                    return block * BAD_INDEX_BLOCK + words[block];
                }
            }
            return -1;
        } finally {
            // The blocking read has finished the kernel, so the flags are released unused.
            context.check(CL.clReleaseMemObject(flags), "clReleaseMemObject(gather flags)");
        }
    }

    @Override
    public void conv2dGrouped(Buffer src, Buffer weight, Buffer bias, Buffer dst, Im2colShape s,
                              int outChannels, int groups) {
        long count = (long) s.batch() * outChannels * s.outHeight() * s.outWidth();
        if (count == 0) {
            return;
        }
        launch1d(Program.CONV2D_GROUPED, "", "conv2d_grouped", count, src, weight, bias, dst, count,
                s.channels(), s.height(), s.width(), outChannels, groups, s.kernelH(), s.kernelW(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(),
                s.outHeight(), s.outWidth());
    }

    @Override
    public void pool2d(Buffer src, Buffer dst, PoolShape s) {
        long count = s.outputElements();
        if (count == 0) {
            return;
        }
        launch1d(Program.POOL2D, "-DMODE=" + s.mode().ordinal(), "pool2d", count,
                src, dst, count, s.height(), s.width(), s.outHeight(), s.outWidth(), s.kernelH(), s.kernelW(),
                s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.padBottom(), s.padRight(),
                s.dilationH(), s.dilationW());
    }

    @Override
    public void im2col(Buffer src, Buffer cols, Im2colShape s) {
        long count = s.colsElements();
        launch1d(Program.IM2COL, "", "im2col", count, src, cols, count,
                s.channels(), s.height(), s.width(), s.kernelH(), s.kernelW(),
                s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(),
                s.outHeight(), s.outWidth());
    }

    @Override
    public void synchronize() {
        context.finish();
    }

    // ---------------------------------------------------------------- launches

    /** Launches one work-item per item, in work-groups of {@code elementwiseGroup}. */
    private void launch1d(Program program, String options, String name, long items, Object... args) {
        context.launch(program, options, name, new long[] {roundUp(items, elementwiseGroup)},
                new long[] {elementwiseGroup}, args);
    }
}
