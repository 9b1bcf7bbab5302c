package org.torchcl.backend;

import org.torchcl.DType;
import org.torchcl.Device;

/**
 * Every operation a device must provide, in one place. Internal: {@code Tensor} and {@code Torch}
 * check shapes, dtypes and devices before calling in here, so implementations may assume valid
 * arguments: buffers belong to this backend, layouts stay inside their buffers, shapes agree, and
 * an output does not overlap an input unless a method says so.
 *
 * <p>Ops are values, not methods: {@link #unary}, {@link #binary} and {@link #reduce} take an op
 * constant, and each backend maps the constants to code in one table. Layouts are
 * {@link Strided}, so views, broadcasts and transposes reach the kernels without copies.
 *
 * <p>Calls may complete asynchronously (the OpenCL backend enqueues on one in-order queue per
 * device); {@link #read} and {@link #synchronize} wait for everything enqueued before them. All
 * methods are thread-safe.
 */
public interface Backend {

    /** The device this backend runs on. */
    Device device();

    /** The bookkeeping of this backend's live buffers, behind {@code Device.memoryStats()}. */
    MemoryCounter memory();

    // ---------------------------------------------------------------- memory and transfers

    /**
     * A buffer of {@code elements} values of {@code dtype} with undefined contents, counted in
     * {@link #memory()} until {@link #free}d.
     *
     * @throws org.torchcl.DeviceOutOfMemoryException when the device cannot hold it
     */
    Buffer allocate(DType dtype, long elements);

    /** Returns the buffer's memory to the device; the buffer must not be used afterwards. */
    void free(Buffer buffer);

    /**
     * Copies the host values {@code src} holds between its position and limit into the start of
     * {@code dst}, and returns when they have been copied; {@code src}'s position is left as it
     * was. {@code src} is the NIO buffer of {@code dst}'s element type ({@code FloatBuffer} for
     * float32, {@code ShortBuffer} for the 16-bit types, {@code IntBuffer}, {@code LongBuffer},
     * {@code ByteBuffer} for bool), or a {@code ByteBuffer} of raw native-order bytes for any type.
     * A direct buffer (a memory-mapped file, say) goes to the device without an intermediate copy.
     */
    void write(java.nio.Buffer src, Buffer dst);

    /**
     * Copies the first {@code count} values of {@code src} into {@code dst}, a Java array of
     * {@code src}'s element type ({@code float[]}, {@code short[]} for the 16-bit types,
     * {@code int[]}, {@code long[]}, {@code byte[]} for bool), after all enqueued work.
     */
    void read(Buffer src, Object dst, int count);

    /**
     * {@code dst[i] = convert(src[i])} for every index of the (equal) shapes: any layouts, any two
     * dtypes. Conversions are PyTorch's: floats to 16 bits round to nearest even, floats to
     * integers truncate toward zero, anything nonzero is {@code true}.
     */
    void copy(Strided src, Strided dst);

    /** {@code dst[0, count) = value} converted to {@code dtype} (the buffer's type). */
    void fill(Buffer dst, DType dtype, long count, double value);

    // ---------------------------------------------------------------- random numbers (float32 buffers)

    /**
     * The raw Philox4x32-10 words: word {@code e} is word {@code e % 4} of the block at counter
     * {@code start.counter() + e / 4}. Stored as the bit patterns of the floats in {@code dst}.
     */
    void randomBits(Buffer dst, long count, PhiloxStart start);

    /**
     * {@code dst[e] = fma(u(e), scale, low)} where {@code u(e)} is the low 24 bits of word e (as in
     * {@link #randomBits}) times 2^-24. Bitwise identical on every backend.
     */
    void uniform(Buffer dst, long count, PhiloxStart start, float low, float scale);

    /**
     * Normal samples {@code mean + std * z} by Box-Muller over pairs of words. Equal across
     * backends to within a few ulp (the transcendental functions differ), not bitwise.
     */
    void normal(Buffer dst, long count, PhiloxStart start, float mean, float std);

    // ---------------------------------------------------------------- elementwise and reductions

    /**
     * {@code dst = op(src)} elementwise over equal shapes; {@code p0, p1} are the op's parameters
     * ({@link UnaryOp#CLAMP}'s bounds, where ±infinity means no bound).
     */
    void unary(UnaryOp op, Strided src, Strided dst, double p0, double p1);

    /** {@code out = op(a, b)} elementwise over equal shapes (broadcasts arrive as zero strides). */
    void binary(BinaryOp op, Strided a, Strided b, Strided out);

    /** {@code out = cond ? a : b} elementwise over equal shapes; {@code cond} is bool. */
    void where(Strided cond, Strided a, Strided b, Strided out);

    /**
     * Reduces the last {@code reducedDims} dims of {@code src}: {@code dst}, contiguous, gets one
     * value per index of the leading dims. {@code correction} is {@link ReduceOp#VAR}'s divisor
     * offset ({@code N - correction}). ARGMAX/ARGMIN write int64 positions counted row-major over
     * the reduced dims. Float sums accumulate in double or compensated float.
     */
    void reduce(ReduceOp op, Strided src, Strided dst, int reducedDims, double correction);

    /**
     * Softmax (or log-softmax) of each of {@code rows} contiguous float32 rows of {@code cols}
     * values, max-subtracted.
     */
    void softmax(Buffer src, Buffer dst, long rows, int cols, boolean log);

    /**
     * Layer norm of each of {@code rows} contiguous float32 rows of {@code cols}: {@code (x - mean)
     * / sqrt(var + eps) * weight + bias} with the biased variance; {@code weight} and {@code bias}
     * hold {@code cols} floats or are null (1 and 0).
     */
    void layerNorm(Buffer src, Buffer weight, Buffer bias, Buffer dst, long rows, int cols, float eps);

    /**
     * {@code out[i] = src[i with coordinate dim replaced by index[i]]} over {@code out}'s shape
     * ({@code index} has that shape too, zero strides where it repeats: this is both
     * {@code torch.gather} and, expanded, {@code index_select}). An index outside
     * {@code [0, src.shape[dim])} is never read through: its output is written as 0 and the call
     * returns the row-major position in {@code index}'s shape of one such index, or -1 when all
     * were in range.
     */
    long gather(Strided src, int dim, Strided index, Strided out);

    // ---------------------------------------------------------------- products, convolution, pooling (float32, contiguous)

    /** {@code c = op(a) * op(b) (+ bias)} for each batch entry, as described by {@code shape}. */
    void gemm(GemmShape shape, Buffer a, Buffer b, Buffer bias, Buffer c);

    /** Unfolds convolution patches: {@code src [N, C, H, W] -> cols [N, C*KH*KW, OH*OW]}. */
    void im2col(Buffer src, Buffer cols, Im2colShape shape);

    /**
     * A grouped convolution computed directly (no unfolding): {@code src [N, C, H, W]},
     * {@code weight [OC, C / groups, KH, KW]}, optional {@code bias [OC]}, {@code dst [N, OC, OH, OW]};
     * output channel {@code oc} reads input channels of group {@code oc / (OC / groups)}.
     */
    void conv2dGrouped(Buffer src, Buffer weight, Buffer bias, Buffer dst, Im2colShape shape,
                       int outChannels, int groups);

    /**
     * {@link #conv2dGrouped(Buffer, Buffer, Buffer, Buffer, Im2colShape, int, int)}, then
     * {@code activation} (null: none; as {@link GemmShape#activation()}) on every output element. A
     * backend that can apply it while storing the output overrides this.
     */
    default void conv2dGrouped(Buffer src, Buffer weight, Buffer bias, Buffer dst, Im2colShape shape,
                               int outChannels, int groups, UnaryOp activation) {
        conv2dGrouped(src, weight, bias, dst, shape, outChannels, groups);
        if (activation != null) {
            Strided output = Strided.contiguous(dst, DType.FLOAT32, shape.batch(), outChannels, shape.outHeight(),
                    shape.outWidth());
            unary(activation, output, output, 0, 0);
        }
    }

    /** Max or average pooling, see {@link PoolShape}. */
    void pool2d(Buffer src, Buffer dst, PoolShape shape);

    /** Blocks until every operation enqueued so far has finished. */
    void synchronize();
}
