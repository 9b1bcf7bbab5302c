package org.torchcl.onnx;

import java.util.Arrays;
import java.util.Map;
import org.torchcl.DType;
import org.torchcl.PoolOptions;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * The network ops: MatMul, Gemm, Conv, pooling, the norms, softmax, reductions and ArgMax, plus
 * the fused forms the planner substitutes for spelled-out subgraphs (domain {@value #FUSED}).
 */
final class NnOps {

    /** The domain of the nodes fusion makes; never in a file. */
    static final String FUSED = "org.torchcl.fused";

    private NnOps() {
    }

    static void register(Map<String, Compiler> ops) {
        ops.put("MatMul", node -> {
            node.requireArity(2, 2, 1);
            return args -> new Value[] {Value.of(Torch.matmul(args.tensor(0), args.tensor(1)))};
        });
        ops.put("Gemm", NnOps::gemm);
        ops.put("Conv", NnOps::conv);
        ops.put("MaxPool", node -> pool(node, true));
        ops.put("AveragePool", node -> pool(node, false));
        ops.put("GlobalAveragePool", node -> {
            node.requireArity(1, 1, 1);
            return args -> {
                Tensor x = args.tensor(0);
                int[] spatial = new int[x.dim() - 2];
                Arrays.setAll(spatial, i -> i + 2);
                return new Value[] {Value.of(x.mean(spatial, true))};
            };
        });
        ops.put("BatchNormalization", NnOps::batchNormalization);
        ops.put("LayerNormalization", NnOps::layerNormalization);
        ops.put("Softmax", node -> softmax(node, false));
        ops.put("LogSoftmax", node -> softmax(node, true));
        ops.put("ReduceMean", node -> reduce(node, Reduction.MEAN));
        ops.put("ReduceSum", node -> reduce(node, Reduction.SUM));
        ops.put("ReduceMax", node -> reduce(node, Reduction.MAX));
        ops.put("ArgMax", NnOps::argMax);

        ops.put(FUSED + ":LayerNorm", node -> {
            float epsilon = node.f("epsilon", 1e-5f);
            return args -> {
                Tensor x = args.tensor(0);
                Tensor weight = args.has(1) ? args.tensor(1) : null;
                Tensor bias = args.has(2) ? args.tensor(2) : null;
                return new Value[] {Value.of(Torch.layerNorm(x, new int[] {x.shape(-1)}, weight, bias, epsilon))};
            };
        });
        ops.put(FUSED + ":Linear", node -> args -> new Value[] {
            Value.of(Torch.linear(args.tensor(0), args.tensor(1), args.has(2) ? args.tensor(2) : null))});
        ops.put(FUSED + ":Gelu", node -> args -> new Value[] {Value.of(Torch.gelu(args.tensor(0)))});
        ops.put(FUSED + ":Attention", NnOps::attention);
    }

    /**
     * {@code MatMul(Softmax(MatMul(q, kT) / divisor + mask), v)}: one {@code scaledDotProductAttention}
     * when the divisor is sqrt of the head size and the softmax runs over the last axis (SDPA's own
     * scale and layout), else the ops one by one.
     */
    private static Kernel attention(NodeContext node) {
        double divisor = node.f("divisor", 1f);
        long axis = node.i("axis", -1);
        boolean coerce = node.i("coerce", 0) != 0;
        return args -> {
            Tensor q = args.tensor(0);
            Tensor keysTransposed = args.tensor(1);
            Tensor v = args.tensor(2);
            Tensor mask = args.has(3) ? args.tensor(3) : null;
            int head = q.shape(-1);
            boolean lastAxis = axis == -1 || axis == q.dim() - 1;
            if (lastAxis && q.dim() >= 2 && keysTransposed.dim() == q.dim() && v.dim() == q.dim()
                    && Math.abs(divisor - Math.sqrt(head)) <= 1e-6 * divisor
                    && (mask == null || mask.dtype().isFloatingPoint())) {
                try (Tensor keys = keysTransposed.transpose(-2, -1)) {
                    return new Value[] {Value.of(Torch.scaledDotProductAttention(q, keys, v, mask, false))};
                }
            }
            try (Tensor scores = Torch.matmul(q, keysTransposed);
                 Tensor scaled = scores.div(divisor);
                 Tensor masked = mask == null ? ShapeOps.alias(scaled) : scaled.add(mask);
                 Tensor weights = softmax(masked, axis, coerce, false, "Softmax")) {
                return new Value[] {Value.of(Torch.matmul(weights, v))};
            }
        };
    }

    private static Kernel gemm(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 3, 1);
        double alpha = node.f("alpha", 1f);
        double beta = node.f("beta", 1f);
        boolean transA = node.i("transA", 0) != 0;
        boolean transB = node.i("transB", 0) != 0;
        return args -> {
            Tensor a = args.tensor(0);
            Tensor b = args.tensor(1);
            Tensor c = args.has(2) ? args.tensor(2) : null;
            if (!transA && transB && alpha == 1 && (c == null || beta == 1 && c.dim() == 1 && c.shape(0) == b.shape(0))) {
                return new Value[] {Value.of(Torch.linear(a, b, c))};
            }
            try (Tensor left = transA ? a.transpose(0, 1) : ShapeOps.alias(a);
                 Tensor right = transB ? b.transpose(0, 1) : ShapeOps.alias(b);
                 Tensor product = Torch.matmul(left, right);
                 Tensor scaled = alpha == 1 ? ShapeOps.alias(product) : product.mul(alpha)) {
                if (c == null || beta == 0) {
                    return new Value[] {Value.of(ShapeOps.alias(scaled))};
                }
                try (Tensor term = beta == 1 ? ShapeOps.alias(c) : c.mul(beta)) {
                    return new Value[] {Value.of(scaled.add(term))};
                }
            }
        };
    }

    /** Kernel geometry of Conv and the pools: per spatial dim kernel, stride, dilation and the pads fixed by the attributes. */
    private record Window(int[] kernel, int[] strides, int[] dilations, int[] pads, String autoPad) {

        /** Pads {begin..., end...} for an input with {@code spatial} sizes, auto_pad applied as ONNX defines it. */
        int[] padsFor(int[] spatial) {
            int n = spatial.length;
            if (autoPad.equals("NOTSET")) {
                return pads;
            }
            int[] result = new int[2 * n];
            if (autoPad.equals("VALID")) {
                return result;
            }
            for (int i = 0; i < n; i++) {
                int out = (spatial[i] + strides[i] - 1) / strides[i];
                int span = (kernel[i] - 1) * dilations[i] + 1;
                int total = Math.max(0, (out - 1) * strides[i] + span - spatial[i]);
                int small = total / 2;
                result[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                result[i + n] = total - result[i];
            }
            return result;
        }
    }

    private static Window window(NodeContext node, int[] kernel, boolean hasDilations, int maxRank)
            throws UnsupportedOnnxException {
        int n = kernel.length;
        if (n < 1 || n > maxRank) {
            throw node.unsupported(n + "-D windows are not supported; torchcl runs 1-D to " + maxRank + "-D");
        }
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        int[] strides = node.intArray("strides", ones);
        int[] dilations = hasDilations ? node.intArray("dilations", ones) : ones;
        int[] pads = node.intArray("pads", new int[2 * n]);
        String autoPad = node.s("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("SAME_UPPER") && !autoPad.equals("SAME_LOWER")
                && !autoPad.equals("VALID")) {
            throw node.unsupported("attribute auto_pad=\"" + autoPad + "\" is not supported");
        }
        if (strides.length != n || dilations.length != n || pads.length != 2 * n) {
            throw node.unsupported("strides " + Arrays.toString(strides) + ", dilations " + Arrays.toString(dilations)
                    + " and pads " + Arrays.toString(pads) + " do not match the " + n + "-D kernel");
        }
        return new Window(kernel, strides, dilations, pads, autoPad);
    }

    /** The four 2-D values (h, w) of a 1-D or 2-D window: a 1-D one becomes a 1 x k window. */
    private static int[] twoD(int[] values, int fill) {
        return values.length == 2 ? values : new int[] {fill, values[0]};
    }

    private static Kernel conv(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 3, 1);
        int groups = (int) node.i("group", 1);
        int[] kernelAttribute = node.intArray("kernel_shape", null);
        Value weight = node.constantInput(1);
        int[] kernel = kernelAttribute != null ? kernelAttribute
                : weight != null ? Arrays.copyOfRange(weight.shape(), 2, weight.shape().length) : null;
        if (kernel == null) {
            throw node.unsupported("needs kernel_shape or a constant weight to know its rank");
        }
        Window window = window(node, kernel, true, 2);
        boolean oneD = kernel.length == 1;
        return args -> {
            Tensor x = args.tensor(0);
            Tensor w = args.tensor(1);
            Tensor b = args.has(2) ? args.tensor(2) : null;
            int[] shape = x.shape();
            int[] spatial = Arrays.copyOfRange(shape, 2, shape.length);
            int[] pads = window.padsFor(spatial);
            int[] stride = twoD(window.strides, 1);
            int[] dilation = twoD(window.dilations, 1);
            int padTop = oneD ? 0 : pads[0];
            int padLeft = oneD ? pads[0] : pads[1];
            int padBottom = oneD ? 0 : pads[2];
            int padRight = oneD ? pads[1] : pads[3];
            try (Tensor image = oneD ? x.unsqueeze(2) : ShapeOps.alias(x);
                 Tensor filter = oneD ? w.unsqueeze(2) : ShapeOps.alias(w)) {
                Tensor out;
                if (padTop == padBottom && padLeft == padRight) {
                    out = Torch.conv2d(image, filter, b, stride, new int[] {padTop, padLeft}, dilation, groups);
                } else {
                    try (Tensor padded = Torch.pad(image, new int[] {padLeft, padRight, padTop, padBottom}, 0)) {
                        out = Torch.conv2d(padded, filter, b, stride, new int[] {0, 0}, dilation, groups);
                    }
                }
                if (!oneD) {
                    return new Value[] {Value.of(out)};
                }
                try (out) {
                    return new Value[] {Value.of(out.squeeze(2))};
                }
            }
        };
    }

    private static Kernel pool(NodeContext node, boolean max) throws UnsupportedOnnxException {
        node.requireArity(1, 1, max && node.opset() >= 8 ? 2 : 1);
        boolean indices = node.wantsOutput(1);
        int[] kernel = node.intArray("kernel_shape", null);
        if (kernel == null) {
            throw node.unsupported("attribute kernel_shape is required");
        }
        boolean ceil = node.opset() >= 10 && node.i("ceil_mode", 0) != 0;
        boolean countIncludePad = !max && node.i("count_include_pad", 0) != 0;
        boolean columnMajor = max && node.i("storage_order", 0) != 0;
        if (columnMajor && !indices) {
            throw node.unsupported("attribute storage_order=1 without the Indices output has no meaning here");
        }
        Window window = window(node, kernel, max ? node.opset() >= 10 : node.opset() >= 19, indices ? 2 : 3);
        if (kernel.length == 3) {
            return args -> new Value[] {Value.of(pool3d(args.tensor(0), window, max, ceil, countIncludePad))};
        }
        boolean oneD = kernel.length == 1;
        int[] k = twoD(kernel, 1);
        int[] s = twoD(window.strides, 1);
        int[] d = twoD(window.dilations, 1);
        return args -> {
            Tensor x = args.tensor(0);
            int[] shape = x.shape();
            int[] pads = window.padsFor(Arrays.copyOfRange(shape, 2, shape.length));
            PoolOptions options = oneD
                    ? new PoolOptions(1, k[1], 1, s[1], 0, pads[0], 0, pads[1], 1, d[1], ceil, countIncludePad)
                    : new PoolOptions(k[0], k[1], s[0], s[1], pads[0], pads[1], pads[2], pads[3], d[0], d[1], ceil,
                    countIncludePad);
            try (Tensor image = oneD ? x.unsqueeze(2) : ShapeOps.alias(x);
                 Tensor out = max ? Torch.maxPool2d(image, options) : Torch.avgPool2d(image, options)) {
                Value y = Value.of(oneD ? out.squeeze(2) : ShapeOps.alias(out));
                if (!indices) {
                    return new Value[] {y};
                }
                try (Tensor where = maxIndices(image, options, out.shape(-2), out.shape(-1), columnMajor)) {
                    return new Value[] {y, Value.of(where.reshape(y.shape()))};
                } catch (RuntimeException | Error e) {
                    y.close();
                    throw e;
                }
            }
        };
    }

    /**
     * 3-D pooling as two 2-D ones: a box window is separable, so pooling (H, W) in every depth plane
     * and then D over the results gives the 3-D max, and the 3-D average too (the count of a box,
     * padding included or not, is the product of its per-dim counts).
     */
    private static Tensor pool3d(Tensor x, Window window, boolean max, boolean ceil, boolean countIncludePad) {
        int[] shape = x.shape();
        if (shape.length != 5) {
            throw new IllegalArgumentException("a 3-D pool needs [N, C, D, H, W], got " + Arrays.toString(shape));
        }
        int[] k = window.kernel;
        int[] s = window.strides;
        int[] d = window.dilations;
        int[] pads = window.padsFor(Arrays.copyOfRange(shape, 2, 5));
        int n = shape[0];
        int c = shape[1];
        int depth = shape[2];
        PoolOptions planes = new PoolOptions(k[1], k[2], s[1], s[2], pads[1], pads[2], pads[4], pads[5], d[1], d[2],
                ceil, countIncludePad);
        PoolOptions across = new PoolOptions(1, k[0], 1, s[0], 0, pads[0], 0, pads[3], 1, d[0], ceil,
                countIncludePad);
        try (Tensor flat = x.reshape(n, c * depth, shape[3], shape[4]);
             Tensor pooled = max ? Torch.maxPool2d(flat, planes) : Torch.avgPool2d(flat, planes)) {
            int outH = pooled.shape(2);
            int outW = pooled.shape(3);
            try (Tensor byDepth = pooled.reshape(n, c, depth, outH * outW);
                 Tensor depthLast = byDepth.permute(0, 1, 3, 2);
                 Tensor result = max ? Torch.maxPool2d(depthLast, across) : Torch.avgPool2d(depthLast, across);
                 Tensor depthFirst = result.permute(0, 1, 3, 2)) {
                return depthFirst.reshape(n, c, result.shape(3), outH, outW);
            }
        }
    }

    /**
     * MaxPool's Indices output: for every window, the flat index of its maximum in the whole input,
     * {@code (n * C + c) * H * W + h * W + w} (row-major) or {@code (n * C + c) * H * W + w * H + h}
     * ({@code storage_order=1}, column-major), the first one on ties. Built from existing
     * ops: each window's input positions (a host table, padding pointing at a -inf column) are
     * gathered, reduced with argmax, and mapped back to positions.
     */
    private static Tensor maxIndices(Tensor image, PoolOptions o, int outH, int outW, boolean columnMajor) {
        int[] shape = image.shape();
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        int window = o.kernelH() * o.kernelW();
        long[] positions = new long[outH * outW * window];
        long[] reported = new long[positions.length];
        int k = 0;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                for (int i = 0; i < o.kernelH(); i++) {
                    for (int j = 0; j < o.kernelW(); j++) {
                        int y = oh * o.strideH() - o.padTop() + i * o.dilationH();
                        int x = ow * o.strideW() - o.padLeft() + j * o.dilationW();
                        boolean inside = y >= 0 && y < h && x >= 0 && x < w;
                        positions[k] = inside ? (long) y * w + x : (long) h * w;
                        reported[k++] = columnMajor ? (long) x * h + y : positions[k - 1];
                    }
                }
            }
        }
        long[] planeStarts = new long[planes];
        Arrays.setAll(planeStarts, p -> (long) p * h * w);
        org.torchcl.Device device = image.device();
        try (Tensor flat = image.reshape(planes, h * w);
             Tensor padded = Torch.pad(flat, new int[] {0, 1}, Double.NEGATIVE_INFINITY);
             Tensor table = Torch.tensor(device, positions, positions.length);
             Tensor gathered = padded.indexSelect(1, table);
             Tensor windows = gathered.reshape(planes, outH * outW, window);
             Tensor best = windows.argmax(2);
             Tensor firsts = Torch.tensor(device, windowStarts(outH * outW, window), outH * outW);
             Tensor picked = best.add(firsts);
             Tensor flatPicked = picked.reshape(-1);
             Tensor reportedTable = Torch.tensor(device, reported, reported.length);
             Tensor local = reportedTable.indexSelect(0, flatPicked);
             Tensor localByPlane = local.reshape(planes, outH * outW);
             Tensor starts = Torch.tensor(device, planeStarts, planes, 1)) {
            return localByPlane.add(starts);
        }
    }

    private static long[] windowStarts(int count, int window) {
        long[] starts = new long[count];
        Arrays.setAll(starts, i -> (long) i * window);
        return starts;
    }

    private static Kernel batchNormalization(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(5, 5, node.opset() >= 14 ? 3 : 5);
        double epsilon = node.f("epsilon", 1e-5f);
        double momentum = node.f("momentum", 0.9f);
        if (node.opset() < 9) {
            node.requireIn("spatial", 1, 1);
        }
        boolean training = node.opset() >= 14 ? node.i("training_mode", 0) != 0 : node.wantsOutput(1);
        if (node.opset() < 14 && (node.wantsOutput(3) || node.wantsOutput(4))) {
            throw node.unsupported("outputs saved_mean and saved_var are not supported");
        }
        if (!training) {
            if (node.wantsOutput(1) || node.wantsOutput(2)) {
                throw node.unsupported("running statistics outputs need training_mode=1");
            }
            return args -> new Value[] {Value.of(Torch.batchNorm(args.tensor(0), args.tensor(3), args.tensor(4),
                    args.tensor(1), args.tensor(2), epsilon))};
        }
        boolean wantsStatistics = node.wantsOutput(1) || node.wantsOutput(2);
        return args -> {
            Tensor x = args.tensor(0);
            int[] dims = new int[x.dim() - 1];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = i == 0 ? 0 : i + 1;
            }
            try (Tensor mean = x.mean(dims, false); Tensor variance = x.var(dims, false, false)) {
                Tensor y = Torch.batchNorm(x, mean, variance, args.tensor(1), args.tensor(2), epsilon);
                if (!wantsStatistics) {
                    return new Value[] {Value.of(y)};
                }
                try (Tensor oldMean = args.tensor(3).mul(momentum); Tensor newMean = mean.mul(1 - momentum);
                     Tensor oldVar = args.tensor(4).mul(momentum); Tensor newVar = variance.mul(1 - momentum)) {
                    return new Value[] {Value.of(y), Value.of(oldMean.add(newMean)), Value.of(oldVar.add(newVar))};
                }
            }
        };
    }

    private static Kernel layerNormalization(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 3, 3);
        long axisAttribute = node.i("axis", -1);
        double epsilon = node.f("epsilon", 1e-5f);
        node.requireIn("stash_type", 1, 1);
        boolean statistics = node.wantsOutput(1) || node.wantsOutput(2);
        return args -> {
            Tensor x = args.tensor(0);
            int axis = HostMath.axis("LayerNormalization axis", axisAttribute, x.dim());
            int[] normalized = Arrays.copyOfRange(x.shape(), axis, x.dim());
            try (Tensor scale = args.tensor(1).expand(normalized);
                 Tensor bias = args.has(2) ? args.tensor(2).expand(normalized) : null) {
                Tensor y = Torch.layerNorm(x, normalized, scale, bias, epsilon);
                if (!statistics) {
                    return new Value[] {Value.of(y)};
                }
                int[] dims = new int[normalized.length];
                Arrays.setAll(dims, i -> axis + i);
                try (Tensor variance = x.var(dims, false, true); Tensor shifted = variance.add(epsilon)) {
                    return new Value[] {Value.of(y), Value.of(x.mean(dims, true)), Value.of(shifted.rsqrt())};
                }
            }
        };
    }

    /** Softmax along one axis from opset 13; before, over the input coerced to 2-D at {@code axis}. */
    private static Kernel softmax(NodeContext node, boolean log) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        boolean coerce = node.opset() < 13;
        long axis = node.i("axis", coerce ? 1 : -1);
        return args -> new Value[] {Value.of(softmax(args.tensor(0), axis, coerce, log, node.opType()))};
    }

    static Tensor softmax(Tensor x, long axisAttribute, boolean coerce, boolean log, String op) {
        int axis = HostMath.axis(op + " axis", axisAttribute, x.dim());
        if (!coerce || axis == x.dim() - 1) {
            return log ? Torch.logSoftmax(x, axis) : Torch.softmax(x, axis);
        }
        int[] shape = x.shape();
        int outer = (int) HostMath.numel(Arrays.copyOfRange(shape, 0, axis));
        int inner = (int) HostMath.numel(Arrays.copyOfRange(shape, axis, shape.length));
        try (Tensor flat = x.reshape(outer, inner);
             Tensor out = log ? Torch.logSoftmax(flat, 1) : Torch.softmax(flat, 1)) {
            return out.reshape(shape);
        }
    }

    private enum Reduction { MEAN, SUM, MAX }

    /** ReduceSum takes its axes as an input from opset 13; the others as an attribute through opset 17. */
    private static Kernel reduce(NodeContext node, Reduction reduction) throws UnsupportedOnnxException {
        boolean axesInput = reduction == Reduction.SUM && node.opset() >= 13;
        node.requireArity(1, axesInput ? 2 : 1, 1);
        long[] axesAttribute = axesInput ? null : node.ints("axes");
        boolean keep = node.i("keepdims", 1) != 0;
        boolean noopWithEmptyAxes = axesInput && node.i("noop_with_empty_axes", 0) != 0;
        return args -> {
            Tensor x = args.tensor(0);
            long[] axes = axesInput ? (args.has(1) ? args.longs(1) : new long[0]) : axesAttribute;
            if (axes == null || axes.length == 0) {
                if (noopWithEmptyAxes) {
                    return new Value[] {Value.of(ShapeOps.alias(x))};
                }
                axes = new long[x.dim()];
                Arrays.setAll(axes, i -> i);
            }
            int[] dims = new int[axes.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = HostMath.axis(node.opType() + " axis", axes[i], x.dim());
            }
            if (x.dim() == 0) {
                return new Value[] {Value.of(ShapeOps.alias(x))};
            }
            return new Value[] {Value.of(switch (reduction) {
                case MEAN -> x.mean(dims, keep);
                case SUM -> x.sum(dims, keep);
                case MAX -> x.amax(dims, keep);
            })};
        };
    }

    private static Kernel argMax(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        long axisAttribute = node.i("axis", 0);
        boolean keep = node.i("keepdims", 1) != 0;
        boolean last = node.opset() >= 12 && node.i("select_last_index", 0) != 0;
        return args -> {
            Tensor x = args.tensor(0);
            int axis = HostMath.axis("ArgMax axis", axisAttribute, x.dim());
            if (!last) {
                return new Value[] {Value.of(x.argmax(axis, keep))};
            }
            int n = x.shape(axis);
            long[] reversed = new long[n];
            Arrays.setAll(reversed, i -> n - 1 - i);
            try (Tensor index = Torch.tensor(args.device(), reversed, n);
                 Tensor flipped = x.indexSelect(axis, index);
                 Tensor position = flipped.argmax(axis, keep);
                 Tensor top = Torch.scalar(args.device(), DType.INT64, n - 1)) {
                return new Value[] {Value.of(top.sub(position))};
            }
        };
    }
}
