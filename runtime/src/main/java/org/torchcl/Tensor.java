package org.torchcl;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.torchcl.backend.Backend;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;

/**
 * An n-dimensional float32 array on a {@link Device}: contiguous, row-major. Views made by
 * {@link #reshape} share storage with the tensor they came from.
 *
 * <p>Device memory is released by {@link #close()} (the storage goes when its last tensor or view
 * is closed) or by the {@link TensorScope} the tensor was made in; a tensor that becomes
 * unreachable unclosed is released by a {@link Cleaner} later, and reported as a leak.
 * Using a closed tensor throws {@link IllegalStateException}. Host memory is touched only by
 * {@link #toArray()} / {@link #item()} and by {@code Torch.tensor(...)}.
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

    private final int[] shape;
    private final long numel;
    private final Storage storage;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private volatile TensorScope scope;

    /** Takes over one reference to {@code storage}. */
    private Tensor(Storage storage, int[] shape) {
        this.storage = storage;
        this.shape = shape;
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

    /** A tensor with undefined contents; {@code shape} must already be checked. */
    static Tensor empty(Device device, int[] shape) {
        Storage storage = Storage.allocate(device, Shapes.numel(shape));
        try {
            return new Tensor(storage, shape);
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

    public Device device() {
        return storage.backend.device();
    }

    public boolean isClosed() {
        return release.done;
    }

    /** A view with the same elements in {@code newShape}; one dim may be {@code -1} (inferred). */
    public Tensor reshape(int... newShape) {
        checkOpen("reshape");
        int[] resolved = Shapes.reshape(shape, numel, newShape);
        return view(resolved);
    }

    /** A 1-D view of all elements. */
    public Tensor flatten() {
        return flatten(0, -1);
    }

    /** A view with dims {@code startDim} to the last merged into one, as {@code torch.flatten(x, startDim)}. */
    public Tensor flatten(int startDim) {
        return flatten(startDim, -1);
    }

    /** A view with dims {@code startDim..endDim} (inclusive, negatives from the end) merged into one. */
    public Tensor flatten(int startDim, int endDim) {
        checkOpen("flatten");
        if (shape.length == 0) {
            return view(new int[] {1});
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
        return view(flat);
    }

    private Tensor view(int[] viewShape) {
        try {
            return new Tensor(storage.retain(), viewShape);
        } finally {
            // A temporary's cleaner must not drop the last reference before retain() adds one.
            Reference.reachabilityFence(this);
        }
    }

    // ---------------------------------------------------------------- data in and out

    /** The elements, row-major, copied to the host (waits for pending device work). */
    public float[] toArray() {
        checkOpen("toArray");
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("toArray: " + numel + " elements of " + Shapes.str(shape)
                    + " do not fit a Java array");
        }
        float[] out = new float[(int) numel];
        try {
            storage.backend.read(storage.buffer, out, out.length);
        } finally {
            Reference.reachabilityFence(this);
        }
        return out;
    }

    /** The single element of a one-element tensor. */
    public float item() {
        checkOpen("item");
        if (numel != 1) {
            throw new IllegalStateException("item() needs exactly one element; shape " + Shapes.str(shape)
                    + " holds " + numel);
        }
        return toArray()[0];
    }

    /** This tensor on {@code target}: a view when it is already there, else a copy. */
    public Tensor to(Device target) {
        checkOpen("to");
        if (target == null) {
            throw new IllegalArgumentException("target device must not be null");
        }
        if (target.equals(device())) {
            return view(shape);
        }
        float[] host = toArray();
        return compute(target, shape, out -> target.backend().write(FloatBuffer.wrap(host), out));
    }

    /** A copy with its own storage on the same device. */
    public Tensor copy() {
        checkOpen("copy");
        return compute(device(), shape, out -> storage.backend.copy(buffer(), out, numel), this);
    }

    /** Copies {@code source}'s elements into this tensor (same shape, any device); returns this. */
    public Tensor copyFrom(Tensor source) {
        checkOpen("copyFrom");
        requireOpen("source", source, "copyFrom");
        if (!Arrays.equals(shape, source.shape)) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shapes.str(source.shape)
                    + " differs from this tensor's " + Shapes.str(shape));
        }
        if (source.storage == storage) {
            // A view of the same storage: same elements already, and OpenCL refuses overlapping copies.
            return this;
        }
        try {
            if (source.device().equals(device())) {
                storage.backend.copy(source.buffer(), buffer(), numel);
            } else {
                storage.backend.write(FloatBuffer.wrap(source.toArray()), buffer());
            }
            return this;
        } finally {
            Reference.reachabilityFence(source);
            Reference.reachabilityFence(this);
        }
    }

    // ---------------------------------------------------------------- in-place fills

    /** Sets every element to {@code value}; returns this. */
    public Tensor fill(float value) {
        checkOpen("fill");
        return inPlace(() -> storage.backend.fill(buffer(), numel, value));
    }

    /** Fills with U[low, high) from {@code generator} (see {@link Generator}); returns this. */
    public Tensor fillUniform(float low, float high, Generator generator) {
        checkOpen("fillUniform");
        if (!(low <= high) || !Float.isFinite(high - low)) {
            throw new IllegalArgumentException("fillUniform: need finite low <= high, got low=" + low
                    + ", high=" + high);
        }
        requireGenerator(generator);
        return inPlace(() -> storage.backend.uniform(buffer(), numel, generator.reserve(numel), low, high - low));
    }

    /** Fills with N(mean, std^2) from {@code generator}; returns this. */
    public Tensor fillNormal(float mean, float std, Generator generator) {
        checkOpen("fillNormal");
        if (!(std >= 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException("fillNormal: need finite mean and std >= 0, got mean=" + mean
                    + ", std=" + std);
        }
        requireGenerator(generator);
        return inPlace(() -> storage.backend.normal(buffer(), numel, generator.reserve(numel), mean, std));
    }

    /**
     * Fills with raw Philox words from {@code generator}, stored as float bit patterns (read them
     * with {@link Float#floatToRawIntBits}); returns this.
     */
    public Tensor fillRandomBits(Generator generator) {
        checkOpen("fillRandomBits");
        requireGenerator(generator);
        return inPlace(() -> storage.backend.randomBits(buffer(), numel, generator.reserve(numel)));
    }

    private static void requireGenerator(Generator generator) {
        if (generator == null) {
            throw new IllegalArgumentException("generator must not be null (use Generator.defaultGenerator())");
        }
    }

    // ---------------------------------------------------------------- ops

    /**
     * The matrix product: {@code this [..., m, k] x other [k, n] -> [..., m, n]}. Leading batch dims
     * of {@code this} are kept; a 1-D {@code this [k]} gives {@code [n]} and a 1-D
     * {@code other [k]} drops the last dim, as in {@code torch.matmul}.
     */
    public Tensor matmul(Tensor other) {
        checkOpen("matmul");
        requireOpen("other", other, "matmul");
        requireSameDevice("matmul", "other", other);
        if (shape.length == 0 || other.shape.length == 0 || other.shape.length > 2) {
            throw new IllegalArgumentException("matmul: a " + Shapes.str(shape) + " x b " + Shapes.str(other.shape)
                    + ": a needs at least 1 dim and b 1 or 2 dims");
        }
        int k = shape[shape.length - 1];
        int otherK = other.shape[0];
        if (k != otherK) {
            throw new IllegalArgumentException("matmul: a " + Shapes.str(shape) + " x b " + Shapes.str(other.shape)
                    + ": a.shape(-1)=" + k + " must equal b.shape(0)=" + otherK);
        }
        int n = other.shape.length == 2 ? other.shape[1] : 1;
        int m = Shapes.rows("matmul: a", shape, numel / k);
        int[] outShape;
        if (other.shape.length == 2) {
            outShape = shape.clone();
            outShape[outShape.length - 1] = n;
        } else {
            outShape = Arrays.copyOf(shape, shape.length - 1);
        }
        return compute(device(), outShape,
                out -> storage.backend.gemm(GemmShape.of(m, n, k), buffer(), other.buffer(), null, out),
                this, other);
    }

    /** {@code max(x, 0)} elementwise; NaN stays NaN. */
    public Tensor relu() {
        checkOpen("relu");
        return compute(device(), shape, out -> storage.backend.relu(buffer(), out, numel), this);
    }

    /**
     * {@code this + other}, where {@code other}'s shape equals the trailing dims of this shape (the
     * same shape, or e.g. a bias {@code [n]} added to every row of {@code [..., n]}).
     */
    public Tensor add(Tensor other) {
        checkOpen("add");
        requireOpen("other", other, "add");
        requireSameDevice("add", "other", other);
        int offset = shape.length - other.shape.length;
        if (offset < 0 || !Arrays.equals(shape, offset, shape.length, other.shape, 0, other.shape.length)) {
            throw new IllegalArgumentException("add: other " + Shapes.str(other.shape)
                    + " must match the trailing dims of " + Shapes.str(shape));
        }
        return compute(device(), shape,
                out -> storage.backend.addBroadcast(buffer(), other.buffer(), out, numel, other.numel), this, other);
    }

    /** Writes a fresh output tensor's buffer. */
    @FunctionalInterface
    interface Producer {
        void writeTo(Buffer out);
    }

    /**
     * Allocates an output, lets {@code producer} fill it and returns it; closes it if that fails, so
     * nothing leaks. The inputs stay reachable until the backend has taken their buffers: without
     * the fence, a temporary input could be collected mid-call and its buffer freed by the cleaner.
     */
    static Tensor compute(Device device, int[] outShape, Producer producer, Tensor... inputs) {
        Tensor out = empty(device, outShape);
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

    // ---------------------------------------------------------------- lifecycle and checks

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

    /** {@code Tensor(shape=[32, 128], device=cpu)}; never reads device memory. */
    @Override
    public String toString() {
        return "Tensor(shape=" + Shapes.str(shape) + ", device=" + device() + (isClosed() ? ", closed)" : ")");
    }
}
