package org.torchcl;

import org.torchcl.backend.ReduceOp;
import org.torchcl.backend.Strided;

/**
 * Reductions, softmax and the norms, checked here and run as one backend call each: the reduced
 * dims are permuted to the end of a view (no copy), and the backend reduces trailing dims.
 */
final class Reductions {

    private Reductions() {
    }

    /**
     * {@code op} over {@code dims} (null: every dim) of {@code x}. Result dtype: int64 for ARGMAX/ARGMIN
     * and for integer/bool SUM and PROD, the input's for the rest; MEAN and VAR need floats, as in PyTorch.
     */
    static Tensor reduce(ReduceOp op, String name, Tensor x, int[] dims, boolean keepdim, double correction) {
        Tensor.requireOpen("x", x, name);
        int rank = x.dim();
        int[] shape = x.shape();
        boolean[] reduced;
        if (dims == null) {
            reduced = new boolean[rank];
            java.util.Arrays.fill(reduced, true);
        } else {
            reduced = Shapes.dimMask(name, dims, rank);
            if (dims.length == 0) {
                // PyTorch reduces every dim for an empty dim list.
                java.util.Arrays.fill(reduced, true);
            }
        }
        DType type = resultType(op, name, x.dtype());
        int kept = 0;
        long reducedCount = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                reducedCount *= shape[d];
            } else {
                kept++;
            }
        }
        if (reducedCount == 0 && (op == ReduceOp.AMAX || op == ReduceOp.AMIN || op == ReduceOp.ARGMAX
                || op == ReduceOp.ARGMIN)) {
            throw new IllegalArgumentException(name + ": cannot reduce over a dim of size 0 in " + Shapes.str(shape)
                    + " (the operation has no identity)");
        }
        int[] order = new int[rank];
        int[] leading = new int[kept];
        int[] outShape = new int[keepdim ? rank : kept];
        for (int d = 0, k = 0, r = kept, o = 0; d < rank; d++) {
            if (reduced[d]) {
                order[r++] = d;
                if (keepdim) {
                    outShape[o++] = 1;
                }
            } else {
                leading[k] = shape[d];
                order[k++] = d;
                outShape[o++] = shape[d];
            }
        }
        int reducedDims = rank - kept;
        long[] strides = x.stride();
        int[] permutedShape = new int[rank];
        long[] permutedStrides = new long[rank];
        for (int i = 0; i < rank; i++) {
            permutedShape[i] = shape[order[i]];
            permutedStrides[i] = strides[order[i]];
        }
        Strided source = x.strided().withLayout(permutedShape, permutedStrides);
        return Tensor.compute(x.device(), type, outShape,
                out -> x.backend().reduce(op, source, Strided.contiguous(out, type, leading), reducedDims, correction),
                x);
    }

    private static DType resultType(ReduceOp op, String name, DType input) {
        return switch (op) {
            case ARGMAX, ARGMIN -> DType.INT64;
            case SUM, PROD -> input.isFloatingPoint() ? input : DType.INT64;
            case MEAN, VAR -> {
                if (!input.isFloatingPoint()) {
                    throw new IllegalArgumentException(name + ": needs a floating-point tensor, got " + input
                            + "; convert with to(DType.FLOAT32)");
                }
                yield input;
            }
            case AMAX, AMIN -> input;
        };
    }

    /** Softmax (or log-softmax) along {@code dim}: float results, computed in float32. */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        String name = log ? "logSoftmax" : "softmax";
        Tensor.requireOpen("x", x, name);
        int rank = x.dim();
        int d = Shapes.dimIndex("dim", dim, Math.max(rank, 1));
        DType type = x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT32;
        if (rank == 0) {
            try (Tensor one = x.reshape(1); Tensor result = softmax(one, 0, log)) {
                return result.reshape();
            }
        }
        int last = rank - 1;
        try (Tensor moved = x.transpose(d, last); Tensor rows = moved.dense(DType.FLOAT32)) {
            int cols = x.shape(d);
            long count = cols == 0 ? 0 : rows.numel() / cols;
            int[] movedShape = moved.shape();
            try (Tensor result = Tensor.compute(x.device(), movedShape,
                    out -> x.backend().softmax(rows.buffer(), out, count, cols, log), rows);
                 Tensor back = result.transpose(d, last);
                 Tensor typed = back.to(type)) {
                return typed.contiguous();
            }
        }
    }

    /**
     * Layer norm over the trailing dims {@code normalizedShape}, as {@code F.layer_norm}; weight and
     * bias (nullable) have shape {@code normalizedShape}.
     */
    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        Tensor.requireOpen("x", x, "layerNorm");
        if (normalizedShape == null || normalizedShape.length == 0 || normalizedShape.length > x.dim()) {
            throw new IllegalArgumentException("layerNorm: normalizedShape " + java.util.Arrays.toString(normalizedShape)
                    + " must name 1 to " + x.dim() + " trailing dims of " + Shapes.str(x.shape()));
        }
        int[] shape = x.shape();
        int offset = shape.length - normalizedShape.length;
        if (!java.util.Arrays.equals(shape, offset, shape.length, normalizedShape, 0, normalizedShape.length)) {
            throw new IllegalArgumentException("layerNorm: normalizedShape " + Shapes.str(normalizedShape)
                    + " does not match the trailing dims of the input " + Shapes.str(shape));
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("layerNorm: eps must be finite and >= 0, got " + eps);
        }
        requireAffine("layerNorm", "weight", weight, x, normalizedShape);
        requireAffine("layerNorm", "bias", bias, x, normalizedShape);
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("layerNorm: needs a floating-point input, got " + x.dtype());
        }
        long colsLong = Shapes.numel(normalizedShape);
        if (colsLong > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layerNorm: normalizedShape " + Shapes.str(normalizedShape)
                    + " holds more than " + Integer.MAX_VALUE + " elements");
        }
        int cols = (int) colsLong;
        long rows = cols == 0 ? 0 : x.numel() / cols;
        try (Tensor src = x.dense(DType.FLOAT32);
             Tensor w = weight == null ? null : weight.dense(DType.FLOAT32);
             Tensor b = bias == null ? null : bias.dense(DType.FLOAT32);
             Tensor result = Tensor.compute(x.device(), shape,
                     out -> x.backend().layerNorm(src.buffer(), w == null ? null : w.buffer(),
                             b == null ? null : b.buffer(), out, rows, cols, (float) eps), src, w, b)) {
            return result.to(x.dtype());
        }
    }

    private static void requireAffine(String op, String name, Tensor t, Tensor x, int[] shape) {
        if (t == null) {
            return;
        }
        Tensor.requireOpen(name, t, op);
        x.requireSameDevice(op, name, t);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + name + " " + Shapes.str(t.shape()) + " must have shape "
                    + Shapes.str(shape));
        }
    }

    /**
     * Batch norm in inference form over dim 1 of {@code [N, C, ...]} (or {@code [C]}... with at
     * least 2 dims, as PyTorch): {@code (x - mean) / sqrt(var + eps) * weight + bias}, composed from
     * a per-channel scale and shift.
     */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, double eps) {
        Tensor.requireOpen("x", x, "batchNorm");
        Tensor.requireOpen("runningMean", runningMean, "batchNorm");
        Tensor.requireOpen("runningVar", runningVar, "batchNorm");
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batchNorm: input " + Shapes.str(x.shape())
                    + " needs at least 2 dims [N, C, ...]");
        }
        int channels = x.shape(1);
        int[] perChannel = {channels};
        requireAffine("batchNorm", "runningMean", runningMean, x, perChannel);
        requireAffine("batchNorm", "runningVar", runningVar, x, perChannel);
        requireAffine("batchNorm", "weight", weight, x, perChannel);
        requireAffine("batchNorm", "bias", bias, x, perChannel);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("batchNorm: eps must be finite and >= 0, got " + eps);
        }
        int[] broadcastShape = new int[x.dim()];
        java.util.Arrays.fill(broadcastShape, 1);
        broadcastShape[1] = channels;
        try (TensorScope scope = TensorScope.open()) {
            Tensor invStd = runningVar.add(eps).rsqrt();
            Tensor scale = weight == null ? invStd : invStd.mul(weight);
            Tensor shift = runningMean.mul(scale).neg();
            if (bias != null) {
                shift = shift.add(bias);
            }
            Tensor y = x.mul(scale.reshape(broadcastShape)).add(shift.reshape(broadcastShape));
            return scope.keep(y);
        }
    }
}
