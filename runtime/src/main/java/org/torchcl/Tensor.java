package org.torchcl;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;
import org.torchcl.backend.Backend;
import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;

/**
 * An n-dimensional array of one {@link DType} on a {@link Device}: storage plus a layout (shape,
 * strides and offset, in elements). Views ({@link #transpose}, {@link #narrow}, {@link #expand},
 * {@link #view}, ...) make a new layout over the same storage and allocate nothing; every op
 * accepts any layout.
 *
 * <p>Device memory is released by {@link #close()} (the storage goes when its last tensor or view
 * is closed) or by the {@link TensorScope} the tensor was made in; a tensor that becomes
 * unreachable unclosed is released by a {@link Cleaner} later, and reported as a leak.
 * Using a closed tensor throws {@link IllegalStateException}.
 *
 * <p>Host memory is touched when data leaves ({@link #toArray()} and the other {@code to*Array}
 * methods, {@link #item()}), when it arrives ({@code Torch.tensor(...)}), when a tensor moves
 * between devices ({@link #to(Device)} and {@link #copyFrom} across devices go through a host
 * array), and when an index op checks its indices ({@code gather}, {@code indexSelect},
 * {@code embedding} read back one word to report an out-of-range index).
 *
 * <p>Ops return new tensors on the same device; methods named {@code fill*} and {@link #copyFrom}
 * write in place and return {@code this}.
 */
public final class Tensor implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create(task -> {
        Thread thread = new Thread(task, "torchcl-tensor-cleaner");
        thread.setDaemon(true);
        return thread;
    });

    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;
    private final long numel;
    private final Storage storage;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private volatile TensorScope scope;

    /** Takes over one reference to {@code storage}. */
    private Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = Shapes.numel(shape);
        this.release = new Release(storage, shape, LeakDetection.creationSite());
        this.cleanable = CLEANER.register(this, release);
        TensorScope.register(this);
    }

    /**
     * Releases the storage reference exactly once, from close() or from the cleaner; in the second
     * case the tensor leaked, and {@link LeakDetection} says so.
     */
    private static final class Release implements Runnable {
        private final Storage storage;
        private final int[] shape;
        private final Throwable creationSite;
        private volatile boolean closing;
        private volatile boolean done;

        Release(Storage storage, int[] shape, Throwable creationSite) {
            this.storage = storage;
            this.shape = shape;
            this.creationSite = creationSite;
        }

        @Override
        public void run() {
            done = true;
            if (!closing) {
                LeakDetection.leaked(Shapes.str(shape) + " on " + storage.backend.device(), creationSite);
            }
            storage.release();
        }
    }

    /** A contiguous float32 tensor with undefined contents; {@code shape} must already be checked. */
    static Tensor empty(Device device, int[] shape) {
        return empty(device, DType.FLOAT32, shape);
    }

    /** A contiguous tensor with undefined contents; {@code shape} must already be checked. */
    static Tensor empty(Device device, DType dtype, int[] shape) {
        Storage storage = Storage.allocate(device, dtype, Shapes.numel(shape));
        try {
            return new Tensor(storage, dtype, shape, Strided.contiguousStrides(shape), 0);
        } catch (RuntimeException | Error e) {
            storage.release();
            throw e;
        }
    }

    // ---------------------------------------------------------------- shape and identity

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dim {@code dim}; negative dims count from the end ({@code -1} is the last). */
    public int shape(int dim) {
        return shape[Shapes.dimIndex("dim", dim, shape.length)];
    }

    /** The number of dims (rank). */
    public int dim() {
        return shape.length;
    }

    /** The number of elements. */
    public long numel() {
        return numel;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** A copy of the strides, in elements, as {@code x.stride()}. */
    public long[] stride() {
        return strides.clone();
    }

    /** The stride of dim {@code dim}, in elements. */
    public long stride(int dim) {
        return strides[Shapes.dimIndex("dim", dim, shape.length)];
    }

    /** Where element {@code [0, ...]} sits in the storage, in elements, as {@code x.storage_offset()}. */
    public long storageOffset() {
        return offset;
    }

    public Device device() {
        return storage.backend.device();
    }

    public boolean isClosed() {
        return release.done;
    }

    // ---------------------------------------------------------------- views

    /** Whether the elements lie row-major without gaps, so {@link #view} can always reshape it. */
    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /** This tensor when it is contiguous (as a new view), else a contiguous copy. */
    public Tensor contiguous() {
        checkOpen("contiguous");
        return isContiguous() ? view(dtype, shape, strides, offset) : copy();
    }

    /**
     * A view with the same elements in {@code newShape} (one dim may be {@code -1}), as
     * {@code x.view(...)}: fails when the strides cannot express it without a copy; see
     * {@link #reshape}.
     */
    public Tensor view(int... newShape) {
        checkOpen("view");
        int[] resolved = Shapes.reshape(shape, numel, newShape);
        long[] viewStrides = Shapes.viewStrides(shape, strides, resolved);
        if (viewStrides == null) {
            throw new IllegalArgumentException("view: shape " + Shapes.str(shape) + " with strides "
                    + Arrays.toString(strides) + " cannot be viewed as " + Shapes.str(resolved)
                    + " without a copy; use reshape(...) or contiguous().view(...)");
        }
        return view(dtype, resolved, viewStrides, offset);
    }

    /** The same elements in {@code newShape} (one dim may be {@code -1}): a view when the strides allow, else a copy. */
    public Tensor reshape(int... newShape) {
        checkOpen("reshape");
        int[] resolved = Shapes.reshape(shape, numel, newShape);
        long[] viewStrides = Shapes.viewStrides(shape, strides, resolved);
        if (viewStrides != null) {
            return view(dtype, resolved, viewStrides, offset);
        }
        try (Tensor dense = copy()) {
            return dense.view(resolved);
        }
    }

    /** All elements in one dim. */
    public Tensor flatten() {
        return flatten(0, -1);
    }

    /** Dims {@code startDim} to the last merged into one, as {@code torch.flatten(x, startDim)}. */
    public Tensor flatten(int startDim) {
        return flatten(startDim, -1);
    }

    /** Dims {@code startDim..endDim} (inclusive, negatives from the end) merged into one; a view when the strides allow. */
    public Tensor flatten(int startDim, int endDim) {
        checkOpen("flatten");
        return reshape(flattenedShape(shape, startDim, endDim));
    }

    /**
     * The shape {@link #flatten(int, int)} gives a tensor of {@code shape} ({@code [1]} for a 0-d one),
     * for shape inference without a tensor, as {@code torch.nn.Flatten} in a lazy model needs.
     */
    public static int[] flattenedShape(int[] shape, int startDim, int endDim) {
        if (shape == null) {
            throw new IllegalArgumentException("flatten: shape must not be null");
        }
        if (shape.length == 0) {
            return new int[] {1};
        }
        int start = Shapes.dimIndex("startDim", startDim, shape.length);
        int end = Shapes.dimIndex("endDim", endDim, shape.length);
        if (start > end) {
            throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim
                    + " for shape " + Shapes.str(shape));
        }
        int[] flat = new int[shape.length - (end - start)];
        System.arraycopy(shape, 0, flat, 0, start);
        flat[start] = Math.toIntExact(Shapes.numel(Arrays.copyOfRange(shape, start, end + 1)));
        System.arraycopy(shape, end + 1, flat, start + 1, shape.length - end - 1);
        return flat;
    }

    /** Dims {@code dim0} and {@code dim1} swapped: a view. */
    public Tensor transpose(int dim0, int dim1) {
        checkOpen("transpose");
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shape.length == 0) {
            // A 0-d tensor's only dims are 0 and -1, as in PyTorch.
            Shapes.dimIndex("dim0", dim0, 1);
            Shapes.dimIndex("dim1", dim1, 1);
            return view(dtype, shape, strides, offset);
        }
        int a = Shapes.dimIndex("dim0", dim0, shape.length);
        int b = Shapes.dimIndex("dim1", dim1, shape.length);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** The 2-D transpose {@code x.t()} (a 0-D or 1-D tensor comes back as is): a view. */
    public Tensor t() {
        checkOpen("t");
        if (shape.length > 2) {
            throw new IllegalArgumentException("t: needs at most 2 dims, got " + Shapes.str(shape) + "; use transpose");
        }
        return shape.length < 2 ? view(dtype, shape, strides, offset) : transpose(0, 1);
    }

    /** The dims reordered: result dim {@code i} is this tensor's dim {@code dims[i]}. A view. */
    public Tensor permute(int... dims) {
        checkOpen("permute");
        int[] order = Shapes.permutation("permute", dims, shape);
        int[] newShape = new int[order.length];
        long[] newStrides = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            newShape[i] = shape[order[i]];
            newStrides[i] = strides[order[i]];
        }
        return view(dtype, newShape, newStrides, offset);
    }

    /** Elements {@code [start, start + length)} of dim {@code dim}: a view. */
    public Tensor narrow(int dim, int start, int length) {
        checkOpen("narrow");
        int d = Shapes.dimIndex("dim", dim, shape.length);
        if (start < 0 || length < 0 || (long) start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length + " do not fit dim "
                    + dim + " of size " + shape[d] + " in " + Shapes.str(shape));
        }
        int[] newShape = shape.clone();
        newShape[d] = length;
        return view(dtype, newShape, strides, offset + (long) start * strides[d]);
    }

    /** Element {@code index} of dim {@code dim} (negative from the end), that dim removed: a view. */
    public Tensor select(int dim, int index) {
        checkOpen("select");
        int d = Shapes.dimIndex("dim", dim, shape.length);
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + dim
                    + " of size " + shape[d] + " in " + Shapes.str(shape));
        }
        return view(dtype, Shapes.without(shape, d), Shapes.without(strides, d), offset + (long) i * strides[d]);
    }

    /**
     * This tensor repeated along dims of size 1 (and new leading dims) to {@code sizes}; {@code -1}
     * keeps a dim. A view with zero strides: nothing is copied.
     */
    public Tensor expand(int... sizes) {
        checkOpen("expand");
        if (sizes == null || sizes.length < shape.length) {
            throw new IllegalArgumentException("expand: sizes " + Arrays.toString(sizes) + " must have at least "
                    + shape.length + " dims for " + Shapes.str(shape));
        }
        int lead = sizes.length - shape.length;
        int[] newShape = new int[sizes.length];
        long[] newStrides = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int own = i - lead;
            int size = sizes[i];
            if (own < 0) {
                if (size < 0) {
                    throw new IllegalArgumentException("expand: new leading dim " + i + " cannot be " + size
                            + " (sizes " + Arrays.toString(sizes) + ", shape " + Shapes.str(shape) + ")");
                }
                newShape[i] = size;
                newStrides[i] = 0;
            } else if (size == -1 || size == shape[own]) {
                newShape[i] = shape[own];
                newStrides[i] = strides[own];
            } else if (shape[own] == 1 && size >= 0) {
                newShape[i] = size;
                newStrides[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: dim " + own + " of " + Shapes.str(shape) + " has size "
                        + shape[own] + " and cannot become " + size + " (sizes " + Arrays.toString(sizes)
                        + "); only dims of size 1 expand");
            }
        }
        Shapes.numel(newShape);
        return view(dtype, newShape, newStrides, offset);
    }

    /** A new dim of size 1 at {@code dim} (in {@code [-rank-1, rank]}): a view. */
    public Tensor unsqueeze(int dim) {
        checkOpen("unsqueeze");
        int d = Shapes.dimIndex("dim", dim, shape.length + 1);
        int[] newShape = new int[shape.length + 1];
        long[] newStrides = new long[shape.length + 1];
        for (int i = 0, j = 0; i < newShape.length; i++) {
            if (i == d) {
                newShape[i] = 1;
                newStrides[i] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                newShape[i] = shape[j];
                newStrides[i] = strides[j];
                j++;
            }
        }
        return view(dtype, newShape, newStrides, offset);
    }

    /** Every dim of size 1 removed: a view. */
    public Tensor squeeze() {
        checkOpen("squeeze");
        int kept = 0;
        for (int s : shape) {
            kept += s == 1 ? 0 : 1;
        }
        int[] newShape = new int[kept];
        long[] newStrides = new long[kept];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                newShape[j] = shape[i];
                newStrides[j++] = strides[i];
            }
        }
        return view(dtype, newShape, newStrides, offset);
    }

    /** Dim {@code dim} removed if its size is 1 (else the same shape, as in PyTorch): a view. */
    public Tensor squeeze(int dim) {
        checkOpen("squeeze");
        if (shape.length == 0) {
            Shapes.dimIndex("dim", dim, 1);
            return view(dtype, shape, strides, offset);
        }
        int d = Shapes.dimIndex("dim", dim, shape.length);
        if (shape[d] != 1) {
            return view(dtype, shape, strides, offset);
        }
        return view(dtype, Shapes.without(shape, d), Shapes.without(strides, d), offset);
    }

    private Tensor view(DType viewType, int[] viewShape, long[] viewStrides, long viewOffset) {
        try {
            return new Tensor(storage.retain(), viewType, viewShape, viewStrides, viewOffset);
        } finally {
            // A temporary's cleaner must not drop the last reference before retain() adds one.
            Reference.reachabilityFence(this);
        }
    }

    // ---------------------------------------------------------------- data in and out

    /** The elements, row-major, as float32 values copied to the host (waits for pending device work). */
    public float[] toArray() {
        return (float[]) hostArray("toArray", DType.FLOAT32);
    }

    /** The elements, row-major, as int64 values (floats truncated toward zero, as {@code x.long()}). */
    public long[] toLongArray() {
        return (long[]) hostArray("toLongArray", DType.INT64);
    }

    /** The elements, row-major, as int32 values (floats truncated toward zero). */
    public int[] toIntArray() {
        return (int[]) hostArray("toIntArray", DType.INT32);
    }

    /**
     * The raw bit patterns of a float16 or bfloat16 tensor, row-major (what a safetensors file or
     * {@code x.view(torch.int16)} holds).
     */
    public short[] toShortBits() {
        if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new IllegalStateException("toShortBits: needs a float16 or bfloat16 tensor, got " + dtype);
        }
        return (short[]) hostArray("toShortBits", dtype);
    }

    /** The elements, row-major, as booleans (nonzero is true). */
    public boolean[] toBooleanArray() {
        byte[] bytes = (byte[]) hostArray("toBooleanArray", DType.BOOL);
        boolean[] out = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] != 0;
        }
        return out;
    }

    /** The single element of a one-element tensor, as a float. */
    public float item() {
        checkOpen("item");
        requireOneElement("item");
        return toArray()[0];
    }

    /** The single element of a one-element tensor, as a long (floats truncated toward zero). */
    public long itemLong() {
        checkOpen("itemLong");
        requireOneElement("itemLong");
        return toLongArray()[0];
    }

    private void requireOneElement(String op) {
        if (numel != 1) {
            throw new IllegalStateException(op + "() needs exactly one element; shape " + Shapes.str(shape)
                    + " holds " + numel);
        }
    }

    /** The elements as a Java array of {@code type}'s carrier (see {@link Backend#read}), converted on the device. */
    private Object hostArray(String op, DType type) {
        checkOpen(op);
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(op + ": " + numel + " elements of " + Shapes.str(shape)
                    + " do not fit a Java array");
        }
        int count = (int) numel;
        Object out = switch (type) {
            case FLOAT32 -> new float[count];
            case FLOAT16, BFLOAT16 -> new short[count];
            case INT64 -> new long[count];
            case INT32 -> new int[count];
            case BOOL -> new byte[count];
        };
        if (dtype == type && offset == 0 && isContiguous()) {
            try {
                storage.backend.read(storage.buffer, out, count);
            } finally {
                Reference.reachabilityFence(this);
            }
            return out;
        }
        try (Tensor dense = dtype == type ? copy() : to(type)) {
            dense.storage.backend.read(dense.storage.buffer, out, count);
        }
        return out;
    }

    /** This tensor on {@code target}: a view when it is already there, else a copy (through a host array). */
    public Tensor to(Device target) {
        checkOpen("to");
        if (target == null) {
            throw new IllegalArgumentException("to: target device must not be null");
        }
        if (target.equals(device())) {
            return view(dtype, shape, strides, offset);
        }
        java.nio.Buffer host = hostBuffer();
        return compute(target, dtype, shape, out -> target.backend().write(host, out));
    }

    private java.nio.Buffer hostBuffer() {
        Object array = hostArray("to", dtype);
        if (array instanceof float[] floats) {
            return FloatBuffer.wrap(floats);
        } else if (array instanceof short[] shorts) {
            return ShortBuffer.wrap(shorts);
        } else if (array instanceof long[] longs) {
            return LongBuffer.wrap(longs);
        } else if (array instanceof int[] ints) {
            return IntBuffer.wrap(ints);
        }
        return ByteBuffer.wrap((byte[]) array);
    }

    /**
     * This tensor converted to {@code type} (a contiguous copy; a view when it already has that
     * type), as {@code x.to(dtype)}: floats to 16 bits round to nearest even, floats to integers
     * truncate toward zero, nonzero becomes {@code true}.
     */
    public Tensor to(DType type) {
        checkOpen("to");
        if (type == null) {
            throw new IllegalArgumentException("to: dtype must not be null");
        }
        if (type == dtype) {
            return view(dtype, shape, strides, offset);
        }
        return compute(device(), type, shape, out -> storage.backend.copy(strided(), Strided.contiguous(out, type, shape)),
                this);
    }

    /** A contiguous copy with its own storage on the same device, of the same dtype. */
    public Tensor copy() {
        checkOpen("copy");
        return compute(device(), dtype, shape,
                out -> storage.backend.copy(strided(), Strided.contiguous(out, dtype, shape)), this);
    }

    /**
     * Copies {@code source}'s elements into this tensor (same shape; any device, dtype and layout,
     * converted to this dtype); returns this. A view is written through to the storage it views.
     */
    public Tensor copyFrom(Tensor source) {
        checkOpen("copyFrom");
        requireOpen("source", source, "copyFrom");
        if (!Arrays.equals(shape, source.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shapes.str(source.shape)
                    + " differs from this tensor's " + Shapes.str(shape));
        }
        if (source.storage == storage && source.offset == offset && Arrays.equals(source.strides, strides)) {
            // The same elements already, and OpenCL refuses overlapping copies.
            return this;
        }
        try {
            if (source.device().equals(device())) {
                if (source.storage == storage) {
                    try (Tensor detached = source.copy()) {
                        storage.backend.copy(detached.strided(), strided());
                    }
                } else {
                    storage.backend.copy(source.strided(), strided());
                }
            } else {
                try (Tensor moved = source.to(device())) {
                    storage.backend.copy(moved.strided(), strided());
                }
            }
            return this;
        } finally {
            Reference.reachabilityFence(source);
            Reference.reachabilityFence(this);
        }
    }

    // ---------------------------------------------------------------- in-place fills

    /** Sets every element to {@code value} (converted to this dtype); returns this. */
    public Tensor fill(double value) {
        checkOpen("fill");
        if (isDenseFromStart()) {
            return inPlace(() -> storage.backend.fill(buffer(), dtype, numel, value));
        }
        try (Tensor scalar = Torch.full(device(), dtype, value)) {
            return copyFrom(scalar.expand(shape));
        }
    }

    /** Fills with U[low, high) from {@code generator} (see {@link Generator}); returns this. Float32, contiguous. */
    public Tensor fillUniform(float low, float high, Generator generator) {
        checkOpen("fillUniform");
        requireDenseFloat("fillUniform");
        if (!(low <= high) || !Float.isFinite(high - low)) {
            throw new IllegalArgumentException("fillUniform: need finite low <= high, got low=" + low
                    + ", high=" + high);
        }
        requireGenerator(generator);
        return inPlace(() -> storage.backend.uniform(buffer(), numel, generator.reserve(numel), low, high - low));
    }

    /** Fills with N(mean, std^2) from {@code generator}; returns this. Float32, contiguous. */
    public Tensor fillNormal(float mean, float std, Generator generator) {
        checkOpen("fillNormal");
        requireDenseFloat("fillNormal");
        if (!(std >= 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException("fillNormal: need finite mean and std >= 0, got mean=" + mean
                    + ", std=" + std);
        }
        requireGenerator(generator);
        return inPlace(() -> storage.backend.normal(buffer(), numel, generator.reserve(numel), mean, std));
    }

    /**
     * Fills with raw Philox words from {@code generator}, stored as float bit patterns (read them
     * with {@link Float#floatToRawIntBits}); returns this. Float32, contiguous.
     */
    public Tensor fillRandomBits(Generator generator) {
        checkOpen("fillRandomBits");
        requireDenseFloat("fillRandomBits");
        requireGenerator(generator);
        return inPlace(() -> storage.backend.randomBits(buffer(), numel, generator.reserve(numel)));
    }

    private void requireDenseFloat(String op) {
        if (dtype != DType.FLOAT32 || !isDenseFromStart()) {
            throw new IllegalArgumentException(op + ": needs a float32 tensor that owns its contiguous storage, got "
                    + dtype + " " + Shapes.str(shape) + " with strides " + Arrays.toString(strides) + " at offset "
                    + offset);
        }
    }

    private static void requireGenerator(Generator generator) {
        if (generator == null) {
            throw new IllegalArgumentException("generator must not be null (use Generator.defaultGenerator())");
        }
    }

    // ---------------------------------------------------------------- elementwise ops

    /** The matrix product with PyTorch's rules; see {@link Torch#matmul}. */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    public Tensor add(Tensor other) {
        return Elementwise.binary(BinaryOp.ADD, "add", this, other);
    }

    public Tensor add(double value) {
        return Elementwise.binaryScalar(BinaryOp.ADD, "add", this, value);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.binary(BinaryOp.SUB, "sub", this, other);
    }

    public Tensor sub(double value) {
        return Elementwise.binaryScalar(BinaryOp.SUB, "sub", this, value);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.binary(BinaryOp.MUL, "mul", this, other);
    }

    public Tensor mul(double value) {
        return Elementwise.binaryScalar(BinaryOp.MUL, "mul", this, value);
    }

    /** True division (integers give float32), as {@code a / b}. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(BinaryOp.DIV, "div", this, other);
    }

    public Tensor div(double value) {
        return Elementwise.binaryScalar(BinaryOp.DIV, "div", this, value);
    }

    /** Division with {@code roundingMode} {@code "trunc"} or {@code "floor"} (integers stay integers). */
    public Tensor div(Tensor other, String roundingMode) {
        return Elementwise.binary(Elementwise.roundingOp(roundingMode), "div", this, other);
    }

    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(BinaryOp.POW, "pow", this, exponent);
    }

    public Tensor pow(double exponent) {
        return Elementwise.binaryScalar(BinaryOp.POW, "pow", this, exponent);
    }

    public Tensor maximum(Tensor other) {
        return Elementwise.binary(BinaryOp.MAXIMUM, "maximum", this, other);
    }

    public Tensor minimum(Tensor other) {
        return Elementwise.binary(BinaryOp.MINIMUM, "minimum", this, other);
    }

    public Tensor eq(Tensor other) {
        return Elementwise.binary(BinaryOp.EQ, "eq", this, other);
    }

    public Tensor eq(double value) {
        return Elementwise.binaryScalar(BinaryOp.EQ, "eq", this, value);
    }

    public Tensor ne(Tensor other) {
        return Elementwise.binary(BinaryOp.NE, "ne", this, other);
    }

    public Tensor ne(double value) {
        return Elementwise.binaryScalar(BinaryOp.NE, "ne", this, value);
    }

    public Tensor lt(Tensor other) {
        return Elementwise.binary(BinaryOp.LT, "lt", this, other);
    }

    public Tensor lt(double value) {
        return Elementwise.binaryScalar(BinaryOp.LT, "lt", this, value);
    }

    public Tensor le(Tensor other) {
        return Elementwise.binary(BinaryOp.LE, "le", this, other);
    }

    public Tensor le(double value) {
        return Elementwise.binaryScalar(BinaryOp.LE, "le", this, value);
    }

    public Tensor gt(Tensor other) {
        return Elementwise.binary(BinaryOp.GT, "gt", this, other);
    }

    public Tensor gt(double value) {
        return Elementwise.binaryScalar(BinaryOp.GT, "gt", this, value);
    }

    public Tensor ge(Tensor other) {
        return Elementwise.binary(BinaryOp.GE, "ge", this, other);
    }

    public Tensor ge(double value) {
        return Elementwise.binaryScalar(BinaryOp.GE, "ge", this, value);
    }

    public Tensor logicalAnd(Tensor other) {
        return Elementwise.binary(BinaryOp.LOGICAL_AND, "logicalAnd", this, other);
    }

    public Tensor logicalOr(Tensor other) {
        return Elementwise.binary(BinaryOp.LOGICAL_OR, "logicalOr", this, other);
    }

    public Tensor logicalNot() {
        return Elementwise.unary(UnaryOp.LOGICAL_NOT, "logicalNot", this);
    }

    /** {@code value} where {@code mask} (bool, broadcast to this shape) is true, else this tensor's element. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.maskedFill(this, mask, value);
    }

    public Tensor neg() {
        return Elementwise.unary(UnaryOp.NEG, "neg", this);
    }

    public Tensor abs() {
        return Elementwise.unary(UnaryOp.ABS, "abs", this);
    }

    public Tensor exp() {
        return Elementwise.unary(UnaryOp.EXP, "exp", this);
    }

    public Tensor log() {
        return Elementwise.unary(UnaryOp.LOG, "log", this);
    }

    public Tensor sqrt() {
        return Elementwise.unary(UnaryOp.SQRT, "sqrt", this);
    }

    public Tensor rsqrt() {
        return Elementwise.unary(UnaryOp.RSQRT, "rsqrt", this);
    }

    public Tensor reciprocal() {
        return Elementwise.unary(UnaryOp.RECIPROCAL, "reciprocal", this);
    }

    public Tensor erf() {
        return Elementwise.unary(UnaryOp.ERF, "erf", this);
    }

    public Tensor tanh() {
        return Elementwise.unary(UnaryOp.TANH, "tanh", this);
    }

    public Tensor sigmoid() {
        return Elementwise.unary(UnaryOp.SIGMOID, "sigmoid", this);
    }

    /** {@code max(x, 0)} elementwise; NaN stays NaN. */
    public Tensor relu() {
        return Elementwise.unary(UnaryOp.RELU, "relu", this);
    }

    public Tensor silu() {
        return Elementwise.unary(UnaryOp.SILU, "silu", this);
    }

    /** The exact (erf) GELU. */
    public Tensor gelu() {
        return Elementwise.unary(UnaryOp.GELU, "gelu", this);
    }

    /** {@code "none"} (exact) or {@code "tanh"} (the approximation), as {@code F.gelu(x, approximate=...)}. */
    public Tensor gelu(String approximate) {
        return Elementwise.unary(Elementwise.geluOp(approximate), "gelu", this);
    }

    /** Each element limited to {@code [min, max]}; NaN stays NaN. Use ±infinity for one-sided limits. */
    public Tensor clamp(double min, double max) {
        return Elementwise.clamp(this, min, max);
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements, a 0-d tensor (integers sum as int64, as in PyTorch). */
    public Tensor sum() {
        return Reductions.reduce(ReduceOp.SUM, "sum", this, null, false, 0);
    }

    public Tensor sum(int dim) {
        return sum(dim, false);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.reduce(ReduceOp.SUM, "sum", this, dims, keepdim, 0);
    }

    /** The mean of all elements (floating-point tensors only, as in PyTorch). */
    public Tensor mean() {
        return Reductions.reduce(ReduceOp.MEAN, "mean", this, null, false, 0);
    }

    public Tensor mean(int dim) {
        return mean(dim, false);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.reduce(ReduceOp.MEAN, "mean", this, dims, keepdim, 0);
    }

    public Tensor amax() {
        return Reductions.reduce(ReduceOp.AMAX, "amax", this, null, false, 0);
    }

    public Tensor amax(int dim) {
        return amax(dim, false);
    }

    public Tensor amax(int dim, boolean keepdim) {
        return amax(new int[] {dim}, keepdim);
    }

    public Tensor amax(int[] dims, boolean keepdim) {
        return Reductions.reduce(ReduceOp.AMAX, "amax", this, dims, keepdim, 0);
    }

    public Tensor amin() {
        return Reductions.reduce(ReduceOp.AMIN, "amin", this, null, false, 0);
    }

    public Tensor amin(int dim) {
        return amin(dim, false);
    }

    public Tensor amin(int dim, boolean keepdim) {
        return amin(new int[] {dim}, keepdim);
    }

    public Tensor amin(int[] dims, boolean keepdim) {
        return Reductions.reduce(ReduceOp.AMIN, "amin", this, dims, keepdim, 0);
    }

    public Tensor prod() {
        return Reductions.reduce(ReduceOp.PROD, "prod", this, null, false, 0);
    }

    public Tensor prod(int dim) {
        return prod(dim, false);
    }

    public Tensor prod(int dim, boolean keepdim) {
        return Reductions.reduce(ReduceOp.PROD, "prod", this, new int[] {dim}, keepdim, 0);
    }

    /** The variance of all elements, with Bessel's correction when {@code unbiased}. */
    public Tensor var(boolean unbiased) {
        return Reductions.reduce(ReduceOp.VAR, "var", this, null, false, unbiased ? 1 : 0);
    }

    public Tensor var(int dim, boolean unbiased, boolean keepdim) {
        return var(new int[] {dim}, unbiased, keepdim);
    }

    public Tensor var(int[] dims, boolean unbiased, boolean keepdim) {
        return Reductions.reduce(ReduceOp.VAR, "var", this, dims, keepdim, unbiased ? 1 : 0);
    }

    /** The position of the largest element along {@code dim} (first one on ties; NaN counts as largest), int64. */
    public Tensor argmax(int dim) {
        return argmax(dim, false);
    }

    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.reduce(ReduceOp.ARGMAX, "argmax", this, new int[] {dim}, keepdim, 0);
    }

    /** The position of the largest element of the flattened tensor, a 0-d int64 tensor. */
    public Tensor argmax() {
        return Reductions.reduce(ReduceOp.ARGMAX, "argmax", this, null, false, 0);
    }

    public Tensor argmin(int dim) {
        return argmin(dim, false);
    }

    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.reduce(ReduceOp.ARGMIN, "argmin", this, new int[] {dim}, keepdim, 0);
    }

    public Tensor argmin() {
        return Reductions.reduce(ReduceOp.ARGMIN, "argmin", this, null, false, 0);
    }

    /** Softmax along {@code dim}; see {@link Torch#softmax}. */
    public Tensor softmax(int dim) {
        return Reductions.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return Reductions.softmax(this, dim, true);
    }

    // ---------------------------------------------------------------- indexing and joining

    /** Views of consecutive pieces of {@code size} along {@code dim} (the last may be shorter), as {@code x.split(size, dim)}. */
    public List<Tensor> split(int size, int dim) {
        return Indexing.split(this, size, dim);
    }

    /** The entries {@code index} (1-D integer) of dim {@code dim}, as {@code x.index_select(dim, index)}. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /** {@code out[i][j] = x[index[i][j]][j]} for dim 0 (and so on), as {@code torch.gather(x, dim, index)}. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    // ---------------------------------------------------------------- plumbing

    /** Writes a fresh output tensor's buffer. */
    @FunctionalInterface
    interface Producer {
        void writeTo(Buffer out);
    }

    /** {@link #compute(Device, DType, int[], Producer, Tensor...)} for a float32 output. */
    static Tensor compute(Device device, int[] outShape, Producer producer, Tensor... inputs) {
        return compute(device, DType.FLOAT32, outShape, producer, inputs);
    }

    /**
     * Allocates a contiguous output, lets {@code producer} fill it and returns it; closes it if that
     * fails, so nothing leaks. The inputs stay reachable until the backend has taken their buffers:
     * without the fence, a temporary input could be collected mid-call and its buffer freed by the
     * cleaner.
     */
    static Tensor compute(Device device, DType dtype, int[] outShape, Producer producer, Tensor... inputs) {
        Tensor out = empty(device, dtype, outShape);
        try {
            producer.writeTo(out.buffer());
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        } finally {
            Reference.reachabilityFence(inputs);
        }
    }

    private Tensor inPlace(Runnable op) {
        try {
            op.run();
            return this;
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The layout the backends see. */
    Strided strided() {
        return new Strided(storage.buffer, dtype, shape, strides, offset);
    }

    /** The layout broadcast to {@code target} (zero strides on repeated dims); the shapes must be compatible. */
    Strided strided(int[] target) {
        return new Strided(storage.buffer, dtype, target, Shapes.broadcastStrides(shape, strides, target), offset);
    }

    /** Whether the storage holds exactly this tensor's elements, row-major from its start. */
    boolean isDenseFromStart() {
        return offset == 0 && isContiguous() && storage.buffer.elements() == numel;
    }

    /**
     * A tensor the dense-buffer ops (gemm, softmax, conv) can take: this one as a view when it is
     * of {@code type}, contiguous and starts its storage, else a converted contiguous copy. Close it
     * after use either way.
     */
    Tensor dense(DType type) {
        checkOpen("dense");
        if (dtype == type && offset == 0 && isContiguous()) {
            return view(dtype, shape, strides, offset);
        }
        return compute(device(), type, shape,
                out -> storage.backend.copy(strided(), Strided.contiguous(out, type, shape)), this);
    }

    // ---------------------------------------------------------------- lifecycle and checks

    /**
     * Runs now, on this thread, what the cleaner runs for a tensor nobody closed: LeakDetectionTest
     * checks the leak report this way instead of waiting for a garbage collection.
     */
    void releaseAsLeaked() {
        cleanable.clean();
    }

    /** Releases this tensor's reference to its storage now. Idempotent. */
    @Override
    public void close() {
        release.closing = true;
        cleanable.clean();
        TensorScope owner = scope;
        if (owner != null) {
            TensorScope.detach(this);
        }
    }

    /** The scope that will close this tensor, if any. */
    TensorScope scope() {
        return scope;
    }

    void scope(TensorScope owner) {
        this.scope = owner;
    }

    Buffer buffer() {
        return storage.buffer;
    }

    Backend backend() {
        return storage.backend;
    }

    void checkOpen(String op) {
        if (release.done) {
            throw new IllegalStateException(op + ": tensor " + Shapes.str(shape) + " on " + device()
                    + " is closed");
        }
    }

    static void requireOpen(String argument, Tensor tensor, String op) {
        if (tensor == null) {
            throw new IllegalArgumentException(op + ": " + argument + " must not be null");
        }
        if (tensor.release.done) {
            throw new IllegalStateException(op + ": " + argument + " " + Shapes.str(tensor.shape) + " on "
                    + tensor.device() + " is closed");
        }
    }

    void requireSameDevice(String op, String argument, Tensor other) {
        if (!other.device().equals(device())) {
            throw new IllegalArgumentException(op + ": " + argument + " is on " + other.device()
                    + " but the input is on " + device() + "; move one with .to(device)");
        }
    }

    /** {@code Tensor(shape=[32, 128], dtype=float32, device=cpu)}; never reads device memory. */
    @Override
    public String toString() {
        return "Tensor(shape=" + Shapes.str(shape) + ", dtype=" + dtype + ", device=" + device()
                + (isClosed() ? ", closed)" : ")");
    }
}
