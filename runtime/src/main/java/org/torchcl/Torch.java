package org.torchcl;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
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

    /** A tensor with undefined contents, for outputs that are written in full anyway. */
    public static Tensor empty(int... shape) {
        return empty(defaultDevice(), shape);
    }

    public static Tensor empty(Device device, int... shape) {
        requireDevice(device);
        return Tensor.empty(device, Shapes.checked("shape", shape));
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
        requireDevice(device);
        int[] checked = Shapes.checked("shape", shape);
        return Tensor.compute(device, checked, out -> device.backend().fill(out, Shapes.numel(checked), value));
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

    // ---------------------------------------------------------------- ops

    /** {@code a.matmul(b)}; see {@link Tensor#matmul}. */
    public static Tensor matmul(Tensor a, Tensor b) {
        Tensor.requireOpen("a", a, "matmul");
        return a.matmul(b);
    }

    /** {@code x.relu()}. */
    public static Tensor relu(Tensor x) {
        Tensor.requireOpen("x", x, "relu");
        return x.relu();
    }

    /**
     * {@code input [..., in] x weight[out, in]^T + bias[out] -> [..., out]} as one gemm with the bias
     * fused, as {@code torch.nn.functional.linear}. A 1-D input {@code [in]} gives {@code [out]}.
     * {@code bias} may be null.
     */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        Tensor.requireOpen("input", input, "linear");
        Tensor.requireOpen("weight", weight, "linear");
        input.requireSameDevice("linear", "weight", weight);
        int[] x = input.shape();
        int[] w = weight.shape();
        if (x.length == 0 || w.length != 2) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(x) + " needs at least 1 dim and weight "
                    + Shapes.str(w) + " exactly 2 ([out_features, in_features])");
        }
        int in = w[1];
        int out = w[0];
        if (x[x.length - 1] != in) {
            throw new IllegalArgumentException("linear: input " + Shapes.str(x) + " has " + x[x.length - 1]
                    + " features in its last dim but weight " + Shapes.str(w) + " expects in_features=" + in);
        }
        GemmShape.Bias biasMode = GemmShape.Bias.NONE;
        if (bias != null) {
            Tensor.requireOpen("bias", bias, "linear");
            input.requireSameDevice("linear", "bias", bias);
            if (bias.dim() != 1 || bias.shape(0) != out) {
                throw new IllegalArgumentException("linear: bias " + Shapes.str(bias.shape()) + " must be [" + out
                        + "] for weight " + Shapes.str(w));
            }
            biasMode = GemmShape.Bias.PER_COLUMN;
        }
        int rows = Shapes.rows("linear: input", x, input.numel() / in);
        int[] outShape = x.clone();
        outShape[outShape.length - 1] = out;
        GemmShape gemm = GemmShape.of(rows, out, in).withTransB(true).withBias(biasMode);
        return Tensor.compute(input.device(), outShape,
                y -> input.backend().gemm(gemm, input.buffer(), weight.buffer(), bias == null ? null : bias.buffer(), y),
                input, weight, bias);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, int, int, int, int)} with equal strides and paddings. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(input, weight, bias, stride, stride, padding, padding);
    }

    /**
     * 2-D cross-correlation, as {@code torch.nn.functional.conv2d}: {@code input [N, C, H, W]} (or
     * unbatched {@code [C, H, W]}), {@code weight [OC, C, KH, KW]}, optional {@code bias [OC]};
     * output {@code [N, OC, OH, OW]}. Runs as im2col plus one batched gemm with the bias fused.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias,
                                int strideH, int strideW, int padH, int padW) {
        Tensor.requireOpen("input", input, "conv2d");
        Tensor.requireOpen("weight", weight, "conv2d");
        input.requireSameDevice("conv2d", "weight", weight);
        int[] x = input.shape();
        int[] w = weight.shape();
        if ((x.length != 3 && x.length != 4) || w.length != 4) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x) + " must be [N, C, H, W] or [C, H, W]"
                    + " and weight " + Shapes.str(w) + " [out_channels, in_channels, kH, kW]");
        }
        boolean batched = x.length == 4;
        int[] nchw = batched ? x : new int[] {1, x[0], x[1], x[2]};
        if (nchw[1] != w[1]) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x) + " has " + nchw[1]
                    + " channels but weight " + Shapes.str(w) + " expects in_channels=" + w[1]);
        }
        int outChannels = w[0];
        GemmShape.Bias biasMode = GemmShape.Bias.NONE;
        if (bias != null) {
            Tensor.requireOpen("bias", bias, "conv2d");
            input.requireSameDevice("conv2d", "bias", bias);
            if (bias.dim() != 1 || bias.shape(0) != outChannels) {
                throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape()) + " must be ["
                        + outChannels + "] for weight " + Shapes.str(w));
            }
            biasMode = GemmShape.Bias.PER_ROW;
        }
        Im2colShape geometry = new Im2colShape(nchw[0], nchw[1], nchw[2], nchw[3], w[2], w[3],
                strideH, strideW, padH, padW);
        int[] outShape = batched
                ? new int[] {nchw[0], outChannels, geometry.outHeight(), geometry.outWidth()}
                : new int[] {outChannels, geometry.outHeight(), geometry.outWidth()};
        int patch = geometry.patchSize();
        int positions = geometry.positions();
        GemmShape gemm = GemmShape.of(outChannels, positions, patch).withBias(biasMode)
                .withBatch(nchw[0], 0, (long) patch * positions, (long) outChannels * positions);
        Device device = input.device();
        try (Tensor cols = Tensor.compute(device, new int[] {nchw[0], patch, positions},
                c -> device.backend().im2col(input.buffer(), c, geometry), input)) {
            return Tensor.compute(device, outShape,
                    y -> device.backend().gemm(gemm, weight.buffer(), cols.buffer(),
                            bias == null ? null : bias.buffer(), y),
                    weight, cols, bias);
        }
    }
}
