package org.torchcl.backend;

import java.nio.FloatBuffer;
import org.torchcl.Device;

/**
 * Every operation a device must provide, in one place. {@code Tensor} and {@code Torch} check
 * shapes and devices before calling in here, so implementations may assume valid arguments:
 * buffers belong to this backend, counts fit the buffers, and output buffers do not alias inputs
 * unless a method says so.
 *
 * <p>Buffers hold float32 values, contiguous and row-major. Calls may complete asynchronously
 * (the OpenCL backend enqueues on one in-order queue per device); {@link #read} and
 * {@link #synchronize} wait for everything enqueued before them. All methods are thread-safe.
 */
public interface Backend {

    /** The device this backend runs on. */
    Device device();

    /** The bookkeeping of this backend's live buffers, behind {@code Device.memoryStats()}. */
    MemoryCounter memory();

    /**
     * A buffer of {@code elements} floats with undefined contents, counted in
     * {@link #memory()} until {@link #free}d.
     *
     * @throws org.torchcl.DeviceOutOfMemoryException when the device cannot hold it
     */
    Buffer allocate(long elements);

    /** Returns the buffer's memory to the device; the buffer must not be used afterwards. */
    void free(Buffer buffer);

    /**
     * Copies the host floats {@code src} holds between its position and limit into the start of
     * {@code dst}, and returns when they have been copied; {@code src}'s position is left as it was.
     * A direct buffer in native byte order (a memory-mapped file, say) goes to the device without
     * an intermediate copy.
     */
    void write(FloatBuffer src, Buffer dst);

    /** Copies {@code src[0, count)} into {@code dst[0, count)} on the host, after all enqueued work. */
    void read(Buffer src, float[] dst, int count);

    /** {@code dst[0, count) = src[0, count)} within this device. */
    void copy(Buffer src, Buffer dst, long count);

    /** {@code dst[0, count) = value}. */
    void fill(Buffer dst, long count, float value);

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

    /** {@code c = op(a) * op(b) (+ bias)} for each batch entry, as described by {@code shape}. */
    void gemm(GemmShape shape, Buffer a, Buffer b, Buffer bias, Buffer c);

    /** {@code dst = max(src, 0)}, NaN preserved. */
    void relu(Buffer src, Buffer dst, long count);

    /** {@code out[i] = x[i] + y[i % yCount]}. */
    void addBroadcast(Buffer x, Buffer y, Buffer out, long count, long yCount);

    /** Unfolds convolution patches: {@code src [N, C, H, W] -> cols [N, C*KH*KW, OH*OW]}. */
    void im2col(Buffer src, Buffer cols, Im2colShape shape);

    /** Blocks until every operation enqueued so far has finished. */
    void synchronize();
}
