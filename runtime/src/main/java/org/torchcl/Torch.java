package org.torchcl;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static facade, named after {@code torch}: tensor factories, the default device and
 * generator, and the ops that take several tensors. Factories without a {@link Device} argument
 * use {@link #defaultDevice()}; random factories draw from {@link Generator#defaultGenerator()}.
 */
public final class Torch {

    /** System property that chooses the default device; wins over {@link #DEVICE_ENV}. */
    public static final String DEVICE_PROPERTY = "torchcl.device";
    /** Environment variable that chooses the default device. */
    public static final String DEVICE_ENV = "TORCHCL_DEVICE";

    private static final Logger LOG = LoggerFactory.getLogger(Torch.class);
    private static volatile Device defaultDevice;

    private Torch() {
    }

    // ---------------------------------------------------------------- device and seed

    /**
     * The device for tensors and modules created without one: {@value #DEVICE_PROPERTY}, else
     * {@value #DEVICE_ENV}, else {@code auto} (the first OpenCL GPU, else the CPU). Resolved once and
     * logged at INFO.
     *
     * @throws IllegalArgumentException when the property or variable names no device found here
     */
    public static Device defaultDevice() {
        Device device = defaultDevice;
        if (device == null) {
            synchronized (Torch.class) {
                device = defaultDevice;
                if (device == null) {
                    device = resolveDefaultDevice(System.getProperty(DEVICE_PROPERTY), System.getenv(DEVICE_ENV));
                    defaultDevice = device;
                }
            }
        }
        return device;
    }

    static Device resolveDefaultDevice(String property, String env) {
        String source;
        String spec;
        if (property != null && !property.isBlank()) {
            source = "-D" + DEVICE_PROPERTY + "=" + property;
            spec = property;
        } else if (env != null && !env.isBlank()) {
            source = DEVICE_ENV + "=" + env;
            spec = env;
        } else {
            source = "neither " + DEVICE_PROPERTY + " nor " + DEVICE_ENV + " set, so auto";
            spec = "auto";
        }
        Device device;
        try {
            device = Device.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        LOG.info("default device: {} ({})", device, source);
        return device;
    }

    /** Replaces the default device for the rest of the JVM's life (or the next call). */
    public static void setDefaultDevice(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        synchronized (Torch.class) {
            defaultDevice = device;
        }
        LOG.info("default device set to {}", device);
    }

    /** Reseeds the default generator, as {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        Generator.defaultGenerator().manualSeed(seed);
    }

    // ---------------------------------------------------------------- factories

    /**
     * A tensor holding a copy of {@code data}, shaped {@code shape} (1-D {@code [data.length]} when
     * no shape is given), on the default device.
     */
    public static Tensor tensor(float[] data, int... shape) {
        return tensor(defaultDevice(), data, shape);
    }

    public static Tensor tensor(Device device, float[] data, int... shape) {
        requireDevice(device);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        int[] checked = shape != null && shape.length == 0 ? Shapes.checked("shape", new int[] {data.length})
                : Shapes.checked("shape", shape);
        if (Shapes.numel(checked) != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + Shapes.numel(checked));
        }
        return Tensor.compute(device, checked, out -> device.backend().write(FloatBuffer.wrap(data), out));
    }

    /**
     * A tensor holding a copy of the floats between {@code data}'s position and limit, shaped
     * {@code shape} (1-D when no shape is given). A direct buffer in native byte order, such as a view of a memory-mapped file,
     * is copied straight to the device. {@code data}'s position does not move.
     */
    public static Tensor tensor(Device device, FloatBuffer data, int... shape) {
        requireDevice(device);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        int[] checked = shape != null && shape.length == 0 ? Shapes.checked("shape", new int[] {data.remaining()})
                : Shapes.checked("shape", shape);
        if (Shapes.numel(checked) != data.remaining()) {
            throw new IllegalArgumentException("data has " + data.remaining() + " floats remaining but shape "
                    + Arrays.toString(shape) + " needs " + Shapes.numel(checked));
        }
        return Tensor.compute(device, checked, out -> device.backend().write(data, out));
    }

    /** An int64 tensor holding a copy of {@code data} (1-D when no shape is given), on the default device. */
    public static Tensor tensor(long[] data, int... shape) {
        return tensor(defaultDevice(), data, shape);
    }

    public static Tensor tensor(Device device, long[] data, int... shape) {
        requireData(data);
        return hostTensor(device, DType.INT64, java.nio.LongBuffer.wrap(data), data.length, shape);
    }

    /** An int32 tensor holding a copy of {@code data}. */
    public static Tensor tensor(int[] data, int... shape) {
        return tensor(defaultDevice(), data, shape);
    }

    public static Tensor tensor(Device device, int[] data, int... shape) {
        requireData(data);
        return hostTensor(device, DType.INT32, java.nio.IntBuffer.wrap(data), data.length, shape);
    }

    /** A bool tensor holding a copy of {@code data}. */
    public static Tensor tensor(boolean[] data, int... shape) {
        return tensor(defaultDevice(), data, shape);
    }

    public static Tensor tensor(Device device, boolean[] data, int... shape) {
        requireData(data);
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = data[i] ? (byte) 1 : (byte) 0;
        }
        return hostTensor(device, DType.BOOL, java.nio.ByteBuffer.wrap(bytes), data.length, shape);
    }

    /**
     * A tensor of {@code dtype} from raw native-order bytes ({@code dtype.byteSize()} per element),
     * e.g. a memory-mapped safetensors entry; a direct buffer goes to the device without a copy.
     */
    public static Tensor fromBytes(Device device, DType dtype, java.nio.ByteBuffer data, int... shape) {
        requireDevice(device);
        if (dtype == null || data == null) {
            throw new IllegalArgumentException("fromBytes: dtype and data must not be null");
        }
        int[] checked = Shapes.checked("shape", shape);
        long bytes = Shapes.numel(checked) * dtype.byteSize();
        if (bytes != data.remaining()) {
            throw new IllegalArgumentException("fromBytes: shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + bytes + " bytes but data has " + data.remaining());
        }
        return Tensor.compute(device, dtype, checked, out -> device.backend().write(data, out));
    }

    private static void requireData(Object data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
    }

    private static Tensor hostTensor(Device device, DType dtype, java.nio.Buffer data, int length, int[] shape) {
        requireDevice(device);
        int[] checked = shape != null && shape.length == 0 ? Shapes.checked("shape", new int[] {length})
                : Shapes.checked("shape", shape);
        if (Shapes.numel(checked) != length) {
            throw new IllegalArgumentException("data has " + length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + Shapes.numel(checked));
        }
        return Tensor.compute(device, dtype, checked, out -> device.backend().write(data, out));
    }

    /** A 0-d tensor holding {@code value} converted to {@code dtype}. */
    public static Tensor scalar(Device device, DType dtype, double value) {
        return full(device, dtype, value);
    }

    /** A tensor with undefined contents, for outputs that are written in full anyway. */
    public static Tensor empty(int... shape) {
        return empty(defaultDevice(), shape);
    }

    public static Tensor empty(Device device, int... shape) {
        requireDevice(device);
        return Tensor.empty(device, Shapes.checked("shape", shape));
    }

    public static Tensor empty(Device device, DType dtype, int... shape) {
        requireDevice(device);
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must not be null");
        }
        return Tensor.empty(device, dtype, Shapes.checked("shape", shape));
    }

    public static Tensor zeros(int... shape) {
        return full(defaultDevice(), 0f, shape);
    }

    public static Tensor zeros(Device device, int... shape) {
        return full(device, 0f, shape);
    }

    public static Tensor ones(int... shape) {
        return full(defaultDevice(), 1f, shape);
    }

    public static Tensor ones(Device device, int... shape) {
        return full(device, 1f, shape);
    }

    public static Tensor full(Device device, float value, int... shape) {
        return full(device, DType.FLOAT32, value, shape);
    }

    /** A tensor of {@code dtype} with every element {@code value} (converted as {@link Tensor#to(DType)} converts). */
    public static Tensor full(Device device, DType dtype, double value, int... shape) {
        requireDevice(device);
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must not be null");
        }
        int[] checked = Shapes.checked("shape", shape);
        return Tensor.compute(device, dtype, checked,
                out -> device.backend().fill(out, dtype, Shapes.numel(checked), value));
    }

    public static Tensor zeros(Device device, DType dtype, int... shape) {
        return full(device, dtype, 0, shape);
    }

    public static Tensor ones(Device device, DType dtype, int... shape) {
        return full(device, dtype, 1, shape);
    }

    /** {@code [0, 1, ..., end - 1]} as int64, as {@code torch.arange(end)}. */
    public static Tensor arange(Device device, long end) {
        if (end < 0 || end > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arange: end must be in [0, " + (Integer.MAX_VALUE - 8) + "], got " + end);
        }
        long[] values = new long[(int) end];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        return tensor(device, values);
    }

    /** U[0, 1) samples from the default generator, as {@code torch.rand}. */
    public static Tensor rand(int... shape) {
        return rand(defaultDevice(), shape);
    }

    public static Tensor rand(Device device, int... shape) {
        return fillOrClose(empty(device, shape), t -> t.fillUniform(0f, 1f, Generator.defaultGenerator()));
    }

    /** N(0, 1) samples from the default generator, as {@code torch.randn}. */
    public static Tensor randn(int... shape) {
        return randn(defaultDevice(), shape);
    }

    public static Tensor randn(Device device, int... shape) {
        return fillOrClose(empty(device, shape), t -> t.fillNormal(0f, 1f, Generator.defaultGenerator()));
    }

    private static Tensor fillOrClose(Tensor fresh, java.util.function.UnaryOperator<Tensor> fill) {
        try {
            return fill.apply(fresh);
        } catch (RuntimeException | Error e) {
            fresh.close();
            throw e;
        }
    }

    private static void requireDevice(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
    }

    // ---------------------------------------------------------------- elementwise

    public static Tensor add(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.ADD, "add", a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.SUB, "sub", a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.MUL, "mul", a, b);
    }

    /** True division: integers divide as floats, as {@code a / b} in PyTorch. */
    public static Tensor div(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.DIV, "div", a, b);
    }

    /**
     * Division with {@code roundingMode} {@code "trunc"} (toward zero) or {@code "floor"}; integers
     * stay integers. An integer division by zero gives 0 on OpenCL devices and throws
     * {@link ArithmeticException} on the CPU.
     */
    public static Tensor div(Tensor a, Tensor b, String roundingMode) {
        return Elementwise.binary(Elementwise.roundingOp(roundingMode), "div", a, b);
    }

    public static Tensor pow(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.POW, "pow", a, b);
    }

    /** The larger of each pair; NaN wins. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.MAXIMUM, "maximum", a, b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        return Elementwise.binary(org.torchcl.backend.BinaryOp.MINIMUM, "minimum", a, b);
    }

    /** {@code condition ? a : b} with broadcasting; {@code condition} is bool. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Elementwise.where(condition, a, b);
    }

    public static Tensor neg(Tensor x) {
        return unaryOf(x, "neg").neg();
    }

    public static Tensor abs(Tensor x) {
        return unaryOf(x, "abs").abs();
    }

    public static Tensor exp(Tensor x) {
        return unaryOf(x, "exp").exp();
    }

    public static Tensor log(Tensor x) {
        return unaryOf(x, "log").log();
    }

    public static Tensor sqrt(Tensor x) {
        return unaryOf(x, "sqrt").sqrt();
    }

    public static Tensor rsqrt(Tensor x) {
        return unaryOf(x, "rsqrt").rsqrt();
    }

    public static Tensor reciprocal(Tensor x) {
        return unaryOf(x, "reciprocal").reciprocal();
    }

    public static Tensor erf(Tensor x) {
        return unaryOf(x, "erf").erf();
    }

    public static Tensor tanh(Tensor x) {
        return unaryOf(x, "tanh").tanh();
    }

    public static Tensor sigmoid(Tensor x) {
        return unaryOf(x, "sigmoid").sigmoid();
    }

    /** {@code x.relu()}. */
    public static Tensor relu(Tensor x) {
        return unaryOf(x, "relu").relu();
    }

    public static Tensor silu(Tensor x) {
        return unaryOf(x, "silu").silu();
    }

    /** The exact GELU, {@code x * (1 + erf(x / sqrt 2)) / 2}. */
    public static Tensor gelu(Tensor x) {
        return unaryOf(x, "gelu").gelu();
    }

    /** {@code approximate} {@code "none"} or {@code "tanh"}, as {@code F.gelu}. */
    public static Tensor gelu(Tensor x, String approximate) {
        return unaryOf(x, "gelu").gelu(approximate);
    }

    public static Tensor clamp(Tensor x, double min, double max) {
        return unaryOf(x, "clamp").clamp(min, max);
    }

    private static Tensor unaryOf(Tensor x, String op) {
        Tensor.requireOpen("x", x, op);
        return x;
    }

    // ---------------------------------------------------------------- softmax and norms

    /** Softmax along {@code dim}, max-subtracted; integer inputs give float32. */
    public static Tensor softmax(Tensor x, int dim) {
        return Reductions.softmax(x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return Reductions.softmax(x, dim, true);
    }

    /** As {@code F.layer_norm}: normalizes the trailing {@code normalizedShape} dims; weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Reductions.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /** Batch norm in inference form (running statistics) over dim 1; weight and bias may be null. */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   double eps) {
        return Reductions.batchNorm(x, runningMean, runningVar, weight, bias, eps);
    }

    // ---------------------------------------------------------------- joining and indexing

    /** The tensors joined along {@code dim}; dtypes promote, as {@code torch.cat}. */
    public static Tensor cat(java.util.List<Tensor> tensors, int dim) {
        return Indexing.cat(tensors, dim);
    }

    /** Equal-shaped tensors joined along a new dim {@code dim}, as {@code torch.stack}. */
    public static Tensor stack(java.util.List<Tensor> tensors, int dim) {
        return Indexing.stack(tensors, dim);
    }

    /** Rows of {@code weight [n, d]} for integer {@code ids} of any shape, giving {@code [..., d]}, as {@code F.embedding}. */
    public static Tensor embedding(Tensor ids, Tensor weight) {
        return Indexing.embedding(ids, weight);
    }

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return Indexing.indexSelect(x, dim, index);
    }

    public static Tensor gather(Tensor x, int dim, Tensor index) {
        return Indexing.gather(x, dim, index);
    }

    /**
     * Constant padding as {@code F.pad(x, pads, value=value)}: {@code pads} holds (before, after)
     * pairs from the last dim backwards; negative values crop.
     */
    public static Tensor pad(Tensor x, int[] pads, double value) {
        return Indexing.pad(x, pads, value);
    }

    // ---------------------------------------------------------------- products

    /**
     * The matrix product with {@code torch.matmul}'s rules: 1-D·1-D is a dot product (0-d),
     * a 1-D operand gains and then loses a dim, and batch dims broadcast. Transposed views are
     * read in place.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        return LinearAlgebra.matmul(a, b);
    }

    /** {@code [B, m, k] x [B, k, n]}, as {@code torch.bmm}. */
    public static Tensor bmm(Tensor a, Tensor b) {
        return LinearAlgebra.bmm(a, b);
    }

    /**
     * {@code softmax(q kᵀ / sqrt(E) + mask) v} over {@code q [..., L, E]}, {@code k [..., S, E]},
     * {@code v [..., S, Ev]}. {@code attnMask} (nullable, broadcast to {@code [..., L, S]}): bool
     * is true where attention is allowed, float is added to the scores; {@code isCausal} allows
     * each query position the keys up to its own.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, boolean isCausal) {
        return LinearAlgebra.scaledDotProductAttention(q, k, v, attnMask, isCausal);
    }

    /**
     * {@code input [..., in] x weight[out, in]^T + bias[out] -> [..., out]} as one gemm with the bias
     * fused, as {@code torch.nn.functional.linear}. A 1-D input {@code [in]} gives {@code [out]}.
     * {@code bias} may be null.
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return LinearAlgebra.linear(input, weight, bias, Activation.NONE);
    }

    /**
     * {@link #linear(Tensor, Tensor, Tensor)} followed by {@code activation}, as
     * {@code relu(linear(x, w, b))} or {@code gelu(...)} but in one pass: the activation is applied
     * as the product is stored.
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias, Activation activation) {
        return LinearAlgebra.linear(input, weight, bias, activation);
    }

    // ---------------------------------------------------------------- convolution and pooling

    /** {@link #conv2d(Tensor, Tensor, Tensor, int, int, int, int)} with equal strides and paddings. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(input, weight, bias, stride, stride, padding, padding);
    }

    /** 2-D cross-correlation without dilation or groups; see {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)}. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias,
                                int strideH, int strideW, int padH, int padW) {
        return Convolution.conv2d(input, weight, bias, new int[] {strideH, strideW}, new int[] {padH, padW},
                new int[] {1, 1}, 1, Activation.NONE);
    }

    /**
     * 2-D cross-correlation, as {@code F.conv2d}: {@code input [N, C, H, W]} (or unbatched
     * {@code [C, H, W]}), {@code weight [OC, C / groups, KH, KW]}, optional {@code bias [OC]};
     * {@code stride}, {@code padding}, {@code dilation} hold one value for both dims or
     * {@code {h, w}} (null: 1, 0, 1). Groups of 1 run as im2col and one gemm; grouped and depthwise
     * convolutions as a direct kernel.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups) {
        return Convolution.conv2d(input, weight, bias, stride, padding, dilation, groups, Activation.NONE);
    }

    /**
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} followed by {@code activation},
     * applied as the output is stored where the backend can (the CPU backend's ungrouped
     * convolutions), else as one more pass.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups, Activation activation) {
        return Convolution.conv2d(input, weight, bias, stride, padding, dilation, groups, activation);
    }

    /** Max pooling with a square window, as {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, PoolOptions.of(kernel).withStride(stride).withPadding(padding));
    }

    /** Max pooling with every option (dilation, ceil mode, asymmetric padding); NaN propagates. */
    public static Tensor maxPool2d(Tensor x, PoolOptions options) {
        return Convolution.pool2d("maxPool2d", x, options, true);
    }

    /** Average pooling with a square window, padding counted, as {@code F.avg_pool2d(x, kernel, stride, padding)}. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, PoolOptions.of(kernel).withStride(stride).withPadding(padding));
    }

    public static Tensor avgPool2d(Tensor x, PoolOptions options) {
        return Convolution.pool2d("avgPool2d", x, options, false);
    }

    /** Averages over PyTorch's adaptive windows to an {@code outH x outW} image. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Convolution.adaptiveAvgPool2d(x, outH, outW);
    }
}
