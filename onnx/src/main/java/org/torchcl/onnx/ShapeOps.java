package org.torchcl.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.OnnxTensor;

/**
 * Ops that move, view or make tensors: Shape, Size, Gather, Concat, Slice, Split, Reshape,
 * Flatten, Transpose, Squeeze, Unsqueeze, Expand, Constant, ConstantOfShape, Range, Identity,
 * Dropout (inference). Small integer inputs held on the host are computed on the host.
 */
final class ShapeOps {

    private ShapeOps() {
    }

    static void register(Map<String, Compiler> ops) {
        ops.put("Shape", ShapeOps::shape);
        ops.put("Size", ShapeOps::size);
        ops.put("Gather", ShapeOps::gather);
        ops.put("Concat", ShapeOps::concat);
        ops.put("Slice", ShapeOps::slice);
        ops.put("Split", ShapeOps::split);
        ops.put("Reshape", ShapeOps::reshape);
        ops.put("Flatten", ShapeOps::flatten);
        ops.put("Transpose", ShapeOps::transpose);
        ops.put("Squeeze", ShapeOps::squeeze);
        ops.put("Unsqueeze", ShapeOps::unsqueeze);
        ops.put("Expand", ShapeOps::expand);
        ops.put("Constant", ShapeOps::constant);
        ops.put("ConstantOfShape", ShapeOps::constantOfShape);
        ops.put("Range", ShapeOps::range);
        ops.put("Identity", ShapeOps::identity);
        ops.put("Dropout", ShapeOps::dropout);
    }

    /** A new view of {@code x} (its own handle, so closing it leaves {@code x} open). */
    static Tensor alias(Tensor x) {
        return x.expand(x.shape());
    }

    /** {@code x} with {@code shape} (same element count): a host value stays on the host. */
    static Value reshaped(Args args, int input, int[] shape) {
        if (args.onHost(input)) {
            HostTensor x = args.host(input);
            return Value.of(HostTensor.of(x.dtype(), shape, x.values()));
        }
        return Value.of(args.tensor(input).reshape(shape));
    }

    private static Kernel shape(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        long start = node.i("start", 0);
        Long end = node.has("end") ? node.i("end", 0) : null;
        int[] known = node.staticShape(0);
        if (known != null) {
            node.inputsUnread();
        }
        return args -> {
            int[] shape = known != null ? known : args.shape(0);
            int rank = shape.length;
            int from = (int) clamp(start < 0 ? start + rank : start, 0, rank);
            int to = (int) clamp(end == null ? rank : end < 0 ? end + rank : end, 0, rank);
            long[] dims = new long[Math.max(0, to - from)];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape[from + i];
            }
            return new Value[] {Value.of(HostTensor.vector(dims))};
        };
    }

    private static long clamp(long v, long low, long high) {
        return Math.max(low, Math.min(high, v));
    }

    private static Kernel size(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        int[] known = node.staticShape(0);
        if (known != null) {
            node.inputsUnread();
        }
        return args -> new Value[] {Value.of(HostTensor.scalar(HostMath.numel(known != null ? known : args.shape(0))))};
    }

    private static Kernel gather(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 2, 1);
        long axisAttribute = node.i("axis", 0);
        return args -> {
            int[] shape = args.shape(0);
            int axis = HostMath.axis("Gather axis", axisAttribute, shape.length);
            int[] indexShape = args.shape(1);
            int[] outShape = new int[shape.length - 1 + indexShape.length];
            System.arraycopy(shape, 0, outShape, 0, axis);
            System.arraycopy(indexShape, 0, outShape, axis, indexShape.length);
            System.arraycopy(shape, axis + 1, outShape, axis + indexShape.length, shape.length - axis - 1);
            if (args.onHost(1)) {
                long[] indices = normalizedIndices(args.host(1).values(), shape[axis]);
                if (args.onHost(0)) {
                    return new Value[] {Value.of(hostGather(args.host(0), axis, indices, outShape))};
                }
                try (Tensor index = Torch.tensor(args.device(), indices, indices.length);
                     Tensor picked = args.tensor(0).indexSelect(axis, index)) {
                    return new Value[] {Value.of(picked.reshape(outShape))};
                }
            }
            Tensor index = args.tensor(1);
            try (Tensor flat = index.reshape(-1);
                 Tensor negative = flat.lt(0);
                 Tensor wrapped = flat.add(shape[axis]);
                 Tensor positive = Torch.where(negative, wrapped, flat);
                 Tensor picked = args.tensor(0).indexSelect(axis, positive)) {
                return new Value[] {Value.of(picked.reshape(outShape))};
            }
        };
    }

    private static long[] normalizedIndices(long[] indices, int size) {
        long[] result = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            long v = indices[i] < 0 ? indices[i] + size : indices[i];
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException("Gather index " + indices[i] + " is outside [" + -size + ", "
                        + (size - 1) + "]");
            }
            result[i] = v;
        }
        return result;
    }

    private static HostTensor hostGather(HostTensor x, int axis, long[] indices, int[] outShape) {
        int[] shape = x.shape();
        long outer = HostMath.numel(Arrays.copyOfRange(shape, 0, axis));
        long inner = HostMath.numel(Arrays.copyOfRange(shape, axis + 1, shape.length));
        long[] out = new long[(int) (outer * indices.length * inner)];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (long index : indices) {
                for (long i = 0; i < inner; i++) {
                    out[k++] = x.values()[(int) ((o * shape[axis] + index) * inner + i)];
                }
            }
        }
        return HostTensor.of(x.dtype(), outShape, out);
    }

    private static Kernel concat(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, Integer.MAX_VALUE, 1);
        if (!node.has("axis")) {
            throw node.unsupported("attribute axis is required");
        }
        long axisAttribute = node.i("axis", 0);
        return args -> {
            int rank = args.shape(0).length;
            int axis = HostMath.axis("Concat axis", axisAttribute, rank);
            if (args.allOnHost() && rank == 1) {
                List<Long> joined = new ArrayList<>();
                for (int i = 0; i < args.count(); i++) {
                    for (long v : args.host(i).values()) {
                        joined.add(v);
                    }
                }
                if (joined.size() <= HostTensor.MAX_ELEMENTS) {
                    long[] values = joined.stream().mapToLong(Long::longValue).toArray();
                    return new Value[] {Value.of(HostTensor.of(args.dtype(0), new int[] {values.length}, values))};
                }
            }
            List<Tensor> parts = new ArrayList<>();
            for (int i = 0; i < args.count(); i++) {
                parts.add(args.tensor(i));
            }
            return new Value[] {Value.of(Torch.cat(parts, axis))};
        };
    }

    /** One axis of a Slice, resolved against its size: the first index, the step and the element count. */
    private record Range1(int axis, long start, long step, int length) {
    }

    private static Kernel slice(NodeContext node) throws UnsupportedOnnxException {
        if (node.opset() < 10) {
            node.requireArity(1, 1, 1);
            long[] starts = node.ints("starts");
            long[] ends = node.ints("ends");
            long[] axes = node.ints("axes");
            if (starts == null || ends == null) {
                throw node.unsupported("attributes starts and ends are required");
            }
            return args -> new Value[] {slice(args, starts, ends, axes, null)};
        }
        node.requireArity(3, 5, 1);
        return args -> new Value[] {slice(args, args.longs(1), args.longs(2), args.has(3) ? args.longs(3) : null,
                args.has(4) ? args.longs(4) : null)};
    }

    private static Value slice(Args args, long[] starts, long[] ends, long[] axes, long[] steps) {
        int[] shape = args.shape(0);
        if (ends.length != starts.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw new IllegalArgumentException("Slice: starts " + Arrays.toString(starts) + ", ends "
                    + Arrays.toString(ends) + ", axes " + Arrays.toString(axes) + " and steps " + Arrays.toString(steps)
                    + " must have the same length");
        }
        List<Range1> ranges = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            int axis = HostMath.axis("Slice axis", axes == null ? i : axes[i], shape.length);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw new IllegalArgumentException("Slice: step 0 on axis " + axis);
            }
            long size = shape[axis];
            long start = starts[i] < 0 ? starts[i] + size : starts[i];
            long end = ends[i] < 0 ? ends[i] + size : ends[i];
            long count;
            if (step > 0) {
                start = clamp(start, 0, size);
                end = clamp(end, 0, size);
                count = end > start ? (end - start + step - 1) / step : 0;
            } else {
                start = clamp(start, 0, size - 1);
                end = clamp(end, -1, size - 1);
                count = start > end ? (start - end - step - 1) / -step : 0;
            }
            ranges.add(new Range1(axis, start, step, (int) count));
        }
        int[] outShape = shape.clone();
        for (Range1 r : ranges) {
            outShape[r.axis] = r.length;
        }
        if (args.onHost(0)) {
            return Value.of(hostSlice(args.host(0), ranges, outShape));
        }
        Tensor current = alias(args.tensor(0));
        try {
            for (Range1 r : ranges) {
                Tensor next;
                if (r.step == 1 || r.length == 0) {
                    next = current.narrow(r.axis, r.length == 0 ? 0 : (int) r.start, r.length);
                } else {
                    long[] picks = new long[r.length];
                    for (int k = 0; k < picks.length; k++) {
                        picks[k] = r.start + k * r.step;
                    }
                    try (Tensor index = Torch.tensor(args.device(), picks, picks.length)) {
                        next = current.indexSelect(r.axis, index);
                    }
                }
                current.close();
                current = next;
            }
            return Value.of(current);
        } catch (RuntimeException | Error e) {
            current.close();
            throw e;
        }
    }

    private static HostTensor hostSlice(HostTensor x, List<Range1> ranges, int[] outShape) {
        int[] shape = x.shape();
        long[] starts = new long[shape.length];
        long[] steps = new long[shape.length];
        Arrays.fill(steps, 1);
        for (Range1 r : ranges) {
            starts[r.axis] = r.start;
            steps[r.axis] = r.step;
        }
        long[] strides = HostMath.broadcastStrides(shape, shape);
        long[] out = new long[(int) HostMath.numel(outShape)];
        for (int i = 0; i < out.length; i++) {
            long rest = i;
            long offset = 0;
            for (int d = outShape.length - 1; d >= 0; d--) {
                long index = rest % outShape[d];
                rest /= outShape[d];
                offset += (starts[d] + index * steps[d]) * (shape[d] == 1 ? 0 : strides[d]);
            }
            out[i] = x.values()[(int) offset];
        }
        return HostTensor.of(x.dtype(), outShape, out);
    }

    private static Kernel split(NodeContext node) throws UnsupportedOnnxException {
        long axisAttribute = node.i("axis", 0);
        long[] sizesAttribute;
        if (node.opset() < 13) {
            node.requireArity(1, 1, Integer.MAX_VALUE);
            sizesAttribute = node.ints("split");
        } else {
            node.requireArity(1, 2, Integer.MAX_VALUE);
            sizesAttribute = null;
        }
        int outputs = node.outputCount();
        return args -> {
            Tensor x = args.tensor(0);
            int axis = HostMath.axis("Split axis", axisAttribute, x.dim());
            long[] sizes = sizesAttribute != null ? sizesAttribute : args.has(1) ? args.longs(1) : null;
            if (sizes == null) {
                int size = x.shape(axis);
                int part = (size + outputs - 1) / outputs;
                sizes = new long[outputs];
                for (int i = 0; i < outputs; i++) {
                    sizes[i] = Math.max(0, Math.min(part, size - (long) i * part));
                }
            }
            if (sizes.length != outputs || Arrays.stream(sizes).sum() != x.shape(axis)) {
                throw new IllegalArgumentException("Split: sizes " + Arrays.toString(sizes) + " must be " + outputs
                        + " values summing to dim " + axis + " = " + x.shape(axis));
            }
            Value[] out = new Value[outputs];
            int start = 0;
            for (int i = 0; i < outputs; i++) {
                out[i] = Value.of(x.narrow(axis, start, (int) sizes[i]));
                start += (int) sizes[i];
            }
            return out;
        };
    }

    private static Kernel reshape(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 2, 1);
        boolean allowZero = node.opset() >= 14 && node.i("allowzero", 0) != 0;
        return args -> {
            int[] shape = args.shape(0);
            long[] requested = args.longs(1);
            int[] resolved = new int[requested.length];
            int infer = -1;
            long known = 1;
            for (int i = 0; i < requested.length; i++) {
                long r = requested[i];
                if (r == 0 && !allowZero) {
                    if (i >= shape.length) {
                        throw new IllegalArgumentException("Reshape: 0 at position " + i + " copies a dim that input "
                                + Arrays.toString(shape) + " does not have");
                    }
                    r = shape[i];
                }
                if (r == -1) {
                    if (infer >= 0) {
                        throw new IllegalArgumentException("Reshape: shape " + Arrays.toString(requested)
                                + " has more than one -1");
                    }
                    infer = i;
                    continue;
                }
                if (r < 0) {
                    throw new IllegalArgumentException("Reshape: shape " + Arrays.toString(requested)
                            + " has the negative dim " + r);
                }
                resolved[i] = HostMath.toInt("Reshape dim", r);
                known *= r;
            }
            if (infer >= 0) {
                long total = HostMath.numel(shape);
                if (known == 0 || total % known != 0) {
                    throw new IllegalArgumentException("Reshape: cannot infer the -1 in " + Arrays.toString(requested)
                            + " for input " + Arrays.toString(shape));
                }
                resolved[infer] = (int) (total / known);
            }
            if (HostMath.numel(resolved) != HostMath.numel(shape)) {
                throw new IllegalArgumentException("Reshape: input " + Arrays.toString(shape) + " cannot become "
                        + Arrays.toString(requested));
            }
            return new Value[] {reshaped(args, 0, resolved)};
        };
    }

    private static Kernel flatten(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        long axisAttribute = node.i("axis", 1);
        return args -> {
            int[] shape = args.shape(0);
            int axis = axisAttribute == shape.length ? shape.length
                    : HostMath.axis("Flatten axis", axisAttribute, shape.length);
            int outer = (int) HostMath.numel(Arrays.copyOfRange(shape, 0, axis));
            int inner = (int) HostMath.numel(Arrays.copyOfRange(shape, axis, shape.length));
            return new Value[] {reshaped(args, 0, new int[] {outer, inner})};
        };
    }

    private static Kernel transpose(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        int[] perm = node.intArray("perm", null);
        return args -> {
            Tensor x = args.tensor(0);
            int[] order = perm;
            if (order == null) {
                order = new int[x.dim()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = order.length - 1 - i;
                }
            }
            return new Value[] {Value.of(x.permute(order))};
        };
    }

    private static Kernel squeeze(NodeContext node) throws UnsupportedOnnxException {
        long[] axesAttribute = null;
        if (node.opset() < 13) {
            node.requireArity(1, 1, 1);
            axesAttribute = node.ints("axes");
        } else {
            node.requireArity(1, 2, 1);
        }
        long[] fixedAxes = axesAttribute;
        return args -> {
            int[] shape = args.shape(0);
            long[] axes = fixedAxes != null ? fixedAxes : args.has(1) ? args.longs(1) : null;
            boolean[] drop = new boolean[shape.length];
            if (axes == null) {
                for (int i = 0; i < shape.length; i++) {
                    drop[i] = shape[i] == 1;
                }
            } else {
                for (long a : axes) {
                    int axis = HostMath.axis("Squeeze axis", a, shape.length);
                    if (shape[axis] != 1) {
                        throw new IllegalArgumentException("Squeeze: dim " + axis + " of " + Arrays.toString(shape)
                                + " is " + shape[axis] + ", not 1");
                    }
                    drop[axis] = true;
                }
            }
            int[] out = new int[shape.length];
            int rank = 0;
            for (int i = 0; i < shape.length; i++) {
                if (!drop[i]) {
                    out[rank++] = shape[i];
                }
            }
            return new Value[] {reshaped(args, 0, Arrays.copyOf(out, rank))};
        };
    }

    private static Kernel unsqueeze(NodeContext node) throws UnsupportedOnnxException {
        long[] axesAttribute = null;
        if (node.opset() < 13) {
            node.requireArity(1, 1, 1);
            axesAttribute = node.ints("axes");
            if (axesAttribute == null) {
                throw node.unsupported("attribute axes is required");
            }
        } else {
            node.requireArity(2, 2, 1);
        }
        long[] fixedAxes = axesAttribute;
        return args -> {
            int[] shape = args.shape(0);
            long[] axes = fixedAxes != null ? fixedAxes : args.longs(1);
            int rank = shape.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) {
                int axis = HostMath.axis("Unsqueeze axis", a, rank);
                if (inserted[axis]) {
                    throw new IllegalArgumentException("Unsqueeze: axis " + a + " appears twice in "
                            + Arrays.toString(axes));
                }
                inserted[axis] = true;
            }
            int[] out = new int[rank];
            int next = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = inserted[i] ? 1 : shape[next++];
            }
            return new Value[] {reshaped(args, 0, out)};
        };
    }

    private static Kernel expand(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(2, 2, 1);
        return args -> {
            long[] requested = args.longs(1);
            int[] target = new int[requested.length];
            for (int i = 0; i < target.length; i++) {
                target[i] = HostMath.toInt("Expand dim", requested[i]);
            }
            int[] shape = HostMath.broadcast(args.shape(0), target);
            if (args.onHost(0) && HostMath.numel(shape) <= HostTensor.MAX_ELEMENTS) {
                return new Value[] {Value.of(HostMath.expand(args.host(0), shape))};
            }
            Tensor x = args.tensor(0);
            return new Value[] {Value.of(x.expand(shape))};
        };
    }

    private static Kernel constant(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(0, 0, 1);
        for (String unsupported : List.of("sparse_value", "value_string", "value_strings")) {
            if (node.has(unsupported)) {
                throw node.unsupported("attribute " + unsupported + " is not supported");
            }
        }
        OnnxTensor tensor = node.t("value");
        float[] floats = node.has("value_float") ? new float[] {node.f("value_float", 0)} : node.floats("value_floats");
        long[] ints = node.has("value_int") ? new long[] {node.i("value_int", 0)} : node.ints("value_ints");
        boolean scalar = node.has("value_float") || node.has("value_int");
        if (tensor != null) {
            DType dtype = Dtypes.of(tensor.dataType(), tensor.dataType().code, () -> node.describe() + ": its value");
            return args -> new Value[] {constantValue(args.device(), tensor, dtype)};
        }
        if (floats != null) {
            int[] shape = scalar ? new int[0] : new int[] {floats.length};
            return args -> {
                try (Tensor flat = Torch.tensor(args.device(), floats, floats.length)) {
                    return new Value[] {Value.of(flat.reshape(shape))};
                }
            };
        }
        if (ints != null) {
            HostTensor host = HostTensor.of(DType.INT64, scalar ? new int[0] : new int[] {ints.length}, ints);
            return args -> new Value[] {new Value(host.upload(args.device()), host)};
        }
        throw node.unsupported("has no value attribute");
    }

    /** An ONNX tensor as a graph value: on the device, and on the host too when it is a small integer tensor. */
    static Value constantValue(Device device, OnnxTensor tensor, DType dtype) {
        Tensor onDevice;
        try {
            onDevice = tensor.toTensor(device);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (!HostTensor.hostable(dtype, tensor.numel())) {
            return Value.of(onDevice);
        }
        try {
            return new Value(onDevice, HostTensor.read(onDevice));
        } catch (RuntimeException | Error e) {
            onDevice.close();
            throw e;
        }
    }

    private static Kernel constantOfShape(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        OnnxTensor value = node.t("value");
        DType dtype = value == null ? DType.FLOAT32
                : Dtypes.of(value.dataType(), value.dataType().code, () -> node.describe() + ": its value");
        if (value != null && value.numel() != 1) {
            throw node.unsupported("attribute value must hold one element, got " + value.numel());
        }
        double fill;
        if (value == null) {
            fill = 0;
        } else {
            try (Tensor t = value.toTensor(org.torchcl.Device.cpu())) {
                fill = dtype.isFloatingPoint() ? t.toArray()[0] : HostTensor.read(t).values()[0];
            } catch (java.io.IOException e) {
                throw node.unsupported("its value cannot be read: " + e.getMessage());
            }
        }
        return args -> {
            long[] dims = args.longs(0);
            int[] shape = new int[dims.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = HostMath.toInt("ConstantOfShape dim", dims[i]);
                if (shape[i] < 0) {
                    throw new IllegalArgumentException("ConstantOfShape: negative dim in " + Arrays.toString(dims));
                }
            }
            args.reserve(HostMath.numel(shape), dtype.byteSize());
            if (HostTensor.hostable(dtype, HostMath.numel(shape))) {
                long[] values = new long[(int) HostMath.numel(shape)];
                Arrays.fill(values, (long) fill);
                return new Value[] {Value.of(HostTensor.of(dtype, shape, values))};
            }
            return new Value[] {Value.of(Torch.full(args.device(), dtype, fill, shape))};
        };
    }

    private static Kernel range(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(3, 3, 1);
        return args -> {
            DType dtype = args.dtype(0);
            double start = args.scalar(0);
            double limit = args.scalar(1);
            double delta = args.scalar(2);
            if (delta == 0) {
                throw new IllegalArgumentException("Range: delta must not be 0");
            }
            long count = Math.max(0, (long) Math.ceil((limit - start) / delta));
            int n = HostMath.toInt("Range length", count);
            args.reserve(n, dtype.byteSize());
            if (dtype.isFloatingPoint()) {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (start + i * delta);
                }
                try (Tensor flat = Torch.tensor(args.device(), values, n)) {
                    return new Value[] {Value.of(flat.to(dtype))};
                }
            }
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = HostMath.wrap(dtype, (long) start + i * (long) delta);
            }
            HostTensor host = HostTensor.of(dtype, new int[] {n}, values);
            return new Value[] {n <= HostTensor.MAX_ELEMENTS ? Value.of(host) : Value.of(host.upload(args.device()))};
        };
    }

    private static Kernel identity(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        return args -> new Value[] {args.onHost(0) ? Value.of(args.host(0)) : Value.of(alias(args.tensor(0)))};
    }

    /**
     * Dropout at inference: the identity, with an all-true mask. Training mode with a non-zero
     * ratio draws a random mask, which a deterministic runtime does not reproduce: refused.
     */
    private static Kernel dropout(NodeContext node) throws UnsupportedOnnxException {
        if (node.opset() < 12) {
            node.requireArity(1, 1, 2);
            node.f("ratio", 0.5f);
        } else {
            node.requireArity(1, 3, 2);
            node.i("seed", 0);
            Value training = node.constantInput(2);
            Value ratio = node.constantInput(1);
            if (training != null && training.host() != null && training.host().values()[0] != 0
                    && (ratio == null || !isZero(ratio))) {
                throw node.unsupported("training-mode Dropout draws a random mask, which torchcl does not reproduce");
            }
        }
        boolean mask = node.wantsOutput(1);
        return args -> {
            if (args.has(2) && args.scalar(2) != 0 && (!args.has(1) || args.scalar(1) != 0)) {
                throw new UnsupportedOperationException("Dropout: training mode with a non-zero ratio draws a random"
                        + " mask, which torchcl does not reproduce");
            }
            Value out = args.onHost(0) ? Value.of(args.host(0)) : Value.of(alias(args.tensor(0)));
            if (!mask) {
                return new Value[] {out};
            }
            return new Value[] {out, Value.of(Torch.full(args.device(), DType.BOOL, 1, args.shape(0)))};
        };
    }

    private static boolean isZero(Value v) {
        if (v.host() != null) {
            return v.host().values()[0] == 0;
        }
        return v.tensor().numel() == 1 && v.tensor().toArray()[0] == 0f;
    }
}
