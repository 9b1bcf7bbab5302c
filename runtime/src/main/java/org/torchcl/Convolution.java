package org.torchcl;

import org.torchcl.backend.GemmShape;
import org.torchcl.backend.Im2colShape;
import org.torchcl.backend.PoolShape;

/** Convolution and pooling over {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}) float tensors. */
final class Convolution {

    private Convolution() {
    }

    /**
     * 2-D cross-correlation, as {@code F.conv2d}: weight {@code [OC, C / groups, KH, KW]}, optional
     * bias {@code [OC]}. Ungrouped convolutions run as im2col plus one batched gemm with the bias
     * fused, except on the CPU, whose gemm reads the im2col columns straight from the input (no
     * columns buffer of kernel-area times the input's size); grouped ones (depthwise included) as one
     * direct kernel.
     */
    static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                         int groups, Activation activation) {
        Tensor.requireOpen("input", input, "conv2d");
        if (activation == null) {
            throw new IllegalArgumentException("conv2d: activation must not be null (use Activation.NONE)");
        }
        Tensor.requireOpen("weight", weight, "conv2d");
        input.requireSameDevice("conv2d", "weight", weight);
        int[] s = pair("conv2d", "stride", stride, 1);
        int[] p = pair("conv2d", "padding", padding, 0);
        int[] d = pair("conv2d", "dilation", dilation, 1);
        int[] x = input.shape();
        int[] w = weight.shape();
        if ((x.length != 3 && x.length != 4) || w.length != 4) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x) + " must be [N, C, H, W] or [C, H, W]"
                    + " and weight " + Shapes.str(w) + " [out_channels, in_channels / groups, kH, kW]");
        }
        if (!input.dtype().isFloatingPoint() || !weight.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("conv2d: needs floating-point input and weight, got " + input.dtype()
                    + " and " + weight.dtype());
        }
        boolean batched = x.length == 4;
        int[] nchw = batched ? x : new int[] {1, x[0], x[1], x[2]};
        int outChannels = w[0];
        if (groups < 1 || nchw[1] % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups " + groups + " must be positive and divide both the "
                    + nchw[1] + " input channels and the " + outChannels + " output channels");
        }
        if (nchw[1] / groups != w[1]) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x) + " has " + nchw[1]
                    + " channels, so weight " + Shapes.str(w) + " needs in_channels / groups = " + nchw[1] / groups
                    + " in dim 1 (groups=" + groups + ")");
        }
        if (bias != null) {
            Tensor.requireOpen("bias", bias, "conv2d");
            input.requireSameDevice("conv2d", "bias", bias);
            if (bias.dim() != 1 || bias.shape(0) != outChannels) {
                throw new IllegalArgumentException("conv2d: bias " + Shapes.str(bias.shape()) + " must be ["
                        + outChannels + "] for weight " + Shapes.str(w));
            }
        }
        Im2colShape geometry = new Im2colShape(nchw[0], nchw[1], nchw[2], nchw[3], w[2], w[3],
                s[0], s[1], p[0], p[1], d[0], d[1]);
        int[] outShape = batched
                ? new int[] {nchw[0], outChannels, geometry.outHeight(), geometry.outWidth()}
                : new int[] {outChannels, geometry.outHeight(), geometry.outWidth()};
        Device device = input.device();
        try (Tensor src = input.dense(DType.FLOAT32);
             Tensor kernel = weight.dense(DType.FLOAT32);
             Tensor b = bias == null ? null : bias.dense(DType.FLOAT32);
             Tensor result = groups == 1 && !device.isCpu()
                     ? im2colProduct(device, src, kernel, b, geometry, outChannels, outShape, activation)
                     : Tensor.compute(device, outShape, y -> device.backend().conv2dGrouped(src.buffer(), kernel.buffer(),
                             b == null ? null : b.buffer(), y, geometry, outChannels, groups, activation.op()),
                             src, kernel, b)) {
            return result.to(input.dtype());
        }
    }

    private static Tensor im2colProduct(Device device, Tensor src, Tensor weight, Tensor bias, Im2colShape geometry,
                                        int outChannels, int[] outShape, Activation activation) {
        int patch = geometry.patchSize();
        int positions = geometry.positions();
        GemmShape gemm = GemmShape.of(outChannels, positions, patch)
                .withBias(bias == null ? GemmShape.Bias.NONE : GemmShape.Bias.PER_ROW)
                .withBatch(geometry.batch(), 0, (long) patch * positions, (long) outChannels * positions)
                .withActivation(activation.op());
        try (Tensor cols = Tensor.compute(device, new int[] {geometry.batch(), patch, positions},
                c -> device.backend().im2col(src.buffer(), c, geometry), src)) {
            return Tensor.compute(device, outShape,
                    y -> device.backend().gemm(gemm, weight.buffer(), cols.buffer(), bias == null ? null : bias.buffer(), y),
                    weight, cols, bias);
        }
    }

    /** A 1- or 2-element argument as {@code {h, w}}; null gives the default. */
    private static int[] pair(String op, String name, int[] values, int fallback) {
        if (values == null) {
            return new int[] {fallback, fallback};
        }
        if (values.length == 1) {
            return new int[] {values[0], values[0]};
        }
        if (values.length != 2) {
            throw new IllegalArgumentException(op + ": " + name + " " + java.util.Arrays.toString(values)
                    + " must hold 1 or 2 values");
        }
        return values.clone();
    }

    static Tensor pool2d(String op, Tensor x, PoolOptions o, boolean max) {
        Tensor.requireOpen("x", x, op);
        if (o == null) {
            throw new IllegalArgumentException(op + ": options must not be null");
        }
        int[] shape = requireImage(op, x);
        int h = shape[shape.length - 2];
        int w = shape[shape.length - 1];
        int outH = outputSize(op, "height", h, o.kernelH(), o.strideH(), o.padTop(), o.padBottom(), o.dilationH(),
                o.ceilMode());
        int outW = outputSize(op, "width", w, o.kernelW(), o.strideW(), o.padLeft(), o.padRight(), o.dilationW(),
                o.ceilMode());
        PoolShape.Mode mode = max ? PoolShape.Mode.MAX
                : o.countIncludePad() ? PoolShape.Mode.AVG_INCLUDE_PAD : PoolShape.Mode.AVG_EXCLUDE_PAD;
        return runPool(x, shape, new PoolShape(mode, planes(shape), h, w, outH, outW, o.kernelH(), o.kernelW(),
                o.strideH(), o.strideW(), o.padTop(), o.padLeft(), o.padBottom(), o.padRight(), o.dilationH(),
                o.dilationW()));
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        Tensor.requireOpen("x", x, "adaptiveAvgPool2d");
        int[] shape = requireImage("adaptiveAvgPool2d", x);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: output size " + outH + "x" + outW + " must be positive");
        }
        int h = shape[shape.length - 2];
        int w = shape[shape.length - 1];
        return runPool(x, shape, new PoolShape(PoolShape.Mode.ADAPTIVE_AVG, planes(shape), h, w, outH, outW,
                1, 1, 1, 1, 0, 0, 0, 0, 1, 1));
    }

    private static int[] requireImage(String op, Tensor x) {
        int[] shape = x.shape();
        if (shape.length != 3 && shape.length != 4) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(shape) + " must be [N, C, H, W] or [C, H, W]");
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point input, got " + x.dtype());
        }
        if (shape[shape.length - 1] == 0 || shape[shape.length - 2] == 0) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(shape) + " has an empty image");
        }
        return shape;
    }

    private static int planes(int[] shape) {
        return Math.toIntExact(Shapes.numel(java.util.Arrays.copyOf(shape, shape.length - 2)));
    }

    /** PyTorch's {@code pooling_output_shape}: in ceil mode a last window must start inside the input or left padding. */
    static int outputSize(String op, String dim, int size, int kernel, int stride, int padBefore, int padAfter,
                          int dilation, boolean ceil) {
        long span = (long) dilation * (kernel - 1) + 1;
        long room = (long) size + padBefore + padAfter - span;
        if (room < 0) {
            throw new IllegalArgumentException(op + ": the window spans " + span + " in " + dim + " but the padded input"
                    + " has only " + ((long) size + padBefore + padAfter));
        }
        long out = (ceil ? (room + stride - 1) / stride : room / stride) + 1;
        if (ceil && (out - 1) * stride >= (long) size + padBefore) {
            out--;
        }
        return Math.toIntExact(out);
    }

    private static Tensor runPool(Tensor x, int[] shape, PoolShape pool) {
        int[] outShape = shape.clone();
        outShape[shape.length - 2] = pool.outHeight();
        outShape[shape.length - 1] = pool.outWidth();
        Device device = x.device();
        try (Tensor src = x.dense(DType.FLOAT32);
             Tensor result = Tensor.compute(device, outShape,
                     y -> device.backend().pool2d(src.buffer(), y, pool), src)) {
            return result.to(x.dtype());
        }
    }
}
