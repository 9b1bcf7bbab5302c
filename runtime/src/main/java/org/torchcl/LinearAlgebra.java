package org.torchcl;

import java.util.Arrays;
import org.torchcl.backend.GemmShape;

/**
 * Matrix products with PyTorch's rules, all on the backend's one gemm: batch dims broadcast,
 * transposed operands read in place (a transposed view becomes the gemm's transA/transB flag,
 * a broadcast batch a zero batch stride); anything else is copied once into a dense matrix.
 */
final class LinearAlgebra {

    private LinearAlgebra() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Tensor.requireOpen("a", a, "matmul");
        Tensor.requireOpen("b", b, "matmul");
        a.requireSameDevice("matmul", "b", b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: a " + Shapes.str(a.shape()) + " x b " + Shapes.str(b.shape())
                    + ": both need at least 1 dim");
        }
        requireFloat("matmul", a, b);
        boolean vectorA = a.dim() == 1;
        boolean vectorB = b.dim() == 1;
        try (Tensor matA = vectorA ? a.unsqueeze(0) : a.reshape(a.shape());
             Tensor matB = vectorB ? b.unsqueeze(1) : b.reshape(b.shape())) {
            int k = matA.shape(-1);
            if (matB.shape(-2) != k) {
                throw new IllegalArgumentException("matmul: a " + Shapes.str(a.shape()) + " x b " + Shapes.str(b.shape())
                        + ": a's last dim (" + k + ") must equal b's " + (vectorB ? "only" : "second-to-last")
                        + " dim (" + matB.shape(-2) + ")");
            }
            // Products compute in float32; 16-bit operands get their result rounded back, as in PyTorch.
            DType type = DType.promote(a.dtype(), b.dtype());
            try (Tensor product32 = matB.dim() == 2 ? foldedProduct(matA, matB) : batchedProduct(matA, matB);
                 Tensor product = product32.to(type)) {
                int[] shape = product.shape();
                int rank = shape.length;
                int[] result = shape;
                if (vectorA && vectorB) {
                    result = Arrays.copyOf(shape, rank - 2);
                } else if (vectorA) {
                    result = Shapes.without(shape, rank - 2);
                } else if (vectorB) {
                    result = Shapes.without(shape, rank - 1);
                }
                return product.reshape(result);
            }
        }
    }

    /** {@code [..., m, k] x [k, n]}: the batch dims fold into the rows of one gemm. */
    private static Tensor foldedProduct(Tensor a, Tensor b) {
        int k = a.shape(-1);
        int n = b.shape(1);
        int[] outShape = a.shape();
        outShape[outShape.length - 1] = n;
        int[] shapeA = a.shape();
        int leading = Math.toIntExact(Shapes.numel(Arrays.copyOf(shapeA, shapeA.length - 1)));
        try (Tensor rows = a.reshape(leading, k)) {
            int m = rows.shape(0);
            return product(rows, b, 1, m, n, k, outShape);
        }
    }

    /** {@code [..., m, k] x [..., k, n]} with broadcast batch dims. */
    private static Tensor batchedProduct(Tensor a, Tensor b) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int[] batch = Shapes.broadcast("matmul batch dims", Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
        int m = sa[sa.length - 2];
        int k = sa[sa.length - 1];
        int n = sb[sb.length - 1];
        int[] fullA = Arrays.copyOf(batch, batch.length + 2);
        fullA[batch.length] = m;
        fullA[batch.length + 1] = k;
        int[] fullB = Arrays.copyOf(batch, batch.length + 2);
        fullB[batch.length] = k;
        fullB[batch.length + 1] = n;
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        long count = Shapes.numel(batch);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matmul: " + count + " batch entries are more than the gemm takes");
        }
        try (Tensor ea = a.expand(fullA); Tensor eb = b.expand(fullB)) {
            return product(ea, eb, (int) count, m, n, k, outShape);
        }
    }

    /** The gemm view of one operand: a dense float32 tensor, whether it is stored transposed, and its batch stride. */
    private record Operand(Tensor dense, boolean transposed, long batchStride) implements AutoCloseable {
        @Override
        public void close() {
            dense.close();
        }
    }

    /**
     * {@code t [batch..., rows, cols]} as the gemm reads it: in place when its matrices are
     * row-major or transposed and its batch dims collapse to one stride, else a contiguous copy.
     */
    private static Operand operand(Tensor t, int rows, int cols) {
        int rank = t.dim();
        long[] strides = t.stride();
        int[] shape = t.shape();
        if (t.dtype() == DType.FLOAT32 && t.storageOffset() == 0) {
            long rowStride = strides[rank - 2];
            long colStride = strides[rank - 1];
            boolean rowMajor = (colStride == 1 || cols == 1) && (rowStride == cols || rows == 1);
            boolean transposed = !rowMajor && (rowStride == 1 || rows == 1) && (colStride == rows || cols == 1);
            long[] batchStride = Shapes.viewStrides(Arrays.copyOf(shape, rank - 2), Arrays.copyOf(strides, rank - 2),
                    new int[] {Math.toIntExact(Shapes.numel(Arrays.copyOf(shape, rank - 2)))});
            if ((rowMajor || transposed) && batchStride != null) {
                return new Operand(t.reshape(shape), transposed, rank == 2 ? 0 : batchStride[0]);
            }
        }
        Tensor dense = t.dense(DType.FLOAT32);
        return new Operand(dense, false, (long) rows * cols);
    }

    private static Tensor product(Tensor a, Tensor b, int batch, int m, int n, int k, int[] outShape) {
        if (Shapes.numel(outShape) == 0) {
            return Tensor.empty(a.device(), outShape);
        }
        if (k == 0) {
            return Torch.zeros(a.device(), outShape);
        }
        try (Operand opA = operand(a, m, k); Operand opB = operand(b, k, n)) {
            GemmShape gemm = GemmShape.of(m, n, k).withTransA(opA.transposed()).withTransB(opB.transposed())
                    .withBatch(batch, opA.batchStride(), opB.batchStride(), (long) m * n);
            return Tensor.compute(a.device(), outShape,
                    c -> a.backend().gemm(gemm, opA.dense().buffer(), opB.dense().buffer(), null, c),
                    opA.dense(), opB.dense());
        }
    }

    static Tensor bmm(Tensor a, Tensor b) {
        Tensor.requireOpen("a", a, "bmm");
        Tensor.requireOpen("b", b, "bmm");
        if (a.dim() != 3 || b.dim() != 3 || a.shape(0) != b.shape(0)) {
            throw new IllegalArgumentException("bmm: a " + Shapes.str(a.shape()) + " and b " + Shapes.str(b.shape())
                    + " must be [batch, m, k] and [batch, k, n] with the same batch");
        }
        return matmul(a, b);
    }

    private static void requireFloat(String op, Tensor a, Tensor b) {
        if (!a.dtype().isFloatingPoint() || !b.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs floating-point operands, got " + a.dtype() + " and "
                    + b.dtype());
        }
    }

    /**
     * {@code input [..., in] x weight[out, in]^T + bias[out] -> [..., out]} as one gemm with the bias
     * fused, as {@code torch.nn.functional.linear}. A 1-D input {@code [in]} gives {@code [out]}.
     */
    static Tensor linear(Tensor input, Tensor weight, Tensor bias, Activation activation) {
        Tensor.requireOpen("input", input, "linear");
        if (activation == null) {
            throw new IllegalArgumentException("linear: activation must not be null (use Activation.NONE)");
        }
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
        requireFloat("linear", input, weight);
        if (bias != null) {
            Tensor.requireOpen("bias", bias, "linear");
            input.requireSameDevice("linear", "bias", bias);
            if (bias.dim() != 1 || bias.shape(0) != out) {
                throw new IllegalArgumentException("linear: bias " + Shapes.str(bias.shape()) + " must be [" + out
                        + "] for weight " + Shapes.str(w));
            }
        }
        int[] outShape = x.clone();
        outShape[outShape.length - 1] = out;
        if (Shapes.numel(outShape) == 0 || in == 0) {
            try (Tensor zeros = Torch.zeros(input.device(), outShape);
                 Tensor biased = bias == null ? zeros.reshape(outShape) : zeros.add(bias)) {
                return activated(biased, activation);
            }
        }
        try (Tensor rows = input.reshape(-1, in);
             Tensor a = rows.dense(DType.FLOAT32);
             Tensor wt = weight.dense(DType.FLOAT32);
             Tensor b = bias == null ? null : bias.dense(DType.FLOAT32)) {
            int m = Shapes.rows("linear: input", x, a.shape(0));
            GemmShape gemm = GemmShape.of(m, out, in).withTransB(true)
                    .withBias(bias == null ? GemmShape.Bias.NONE : GemmShape.Bias.PER_COLUMN)
                    .withActivation(activation.op());
            return Tensor.compute(input.device(), outShape,
                    y -> input.backend().gemm(gemm, a.buffer(), wt.buffer(), b == null ? null : b.buffer(), y),
                    a, wt, b);
        }
    }

    /** {@code x} with {@code activation} applied, as a new tensor (x itself is left to the caller to close). */
    static Tensor activated(Tensor x, Activation activation) {
        return switch (activation) {
            case NONE -> x.reshape(x.shape());
            case RELU -> x.relu();
            case GELU -> x.gelu();
            case GELU_TANH -> x.gelu("tanh");
        };
    }

    /**
     * {@code softmax(q k^T / sqrt(E) + mask) v}, composed from two batched products and one softmax.
     * A bool mask is true where attention is allowed; a float mask is added to the scores.
     */
    static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, boolean isCausal) {
        Tensor.requireOpen("q", q, "scaledDotProductAttention");
        Tensor.requireOpen("k", k, "scaledDotProductAttention");
        Tensor.requireOpen("v", v, "scaledDotProductAttention");
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.shape(-1) != k.shape(-1) || k.shape(-2) != v.shape(-2)) {
            throw new IllegalArgumentException("scaledDotProductAttention: q " + Shapes.str(q.shape()) + ", k "
                    + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape())
                    + " must be [..., L, E], [..., S, E] and [..., S, Ev]");
        }
        if (attnMask != null && isCausal) {
            throw new IllegalArgumentException("scaledDotProductAttention: give either attnMask or isCausal, not both");
        }
        int targetLength = q.shape(-2);
        int sourceLength = k.shape(-2);
        double scale = 1.0 / Math.sqrt(q.shape(-1));
        try (TensorScope scope = TensorScope.open()) {
            Tensor scores = matmul(q, k.transpose(-2, -1)).mul(scale);
            Tensor mask = attnMask;
            if (isCausal) {
                boolean[] allowed = new boolean[targetLength * sourceLength];
                for (int i = 0; i < targetLength; i++) {
                    for (int j = 0; j <= i && j < sourceLength; j++) {
                        allowed[i * sourceLength + j] = true;
                    }
                }
                mask = Torch.tensor(q.device(), allowed, targetLength, sourceLength);
            }
            if (mask != null) {
                Tensor.requireOpen("attnMask", mask, "scaledDotProductAttention");
                scores = mask.dtype() == DType.BOOL
                        ? scores.maskedFill(mask.logicalNot(), Double.NEGATIVE_INFINITY)
                        : scores.add(mask);
            }
            Tensor weights = scores.softmax(-1);
            return scope.keep(matmul(weights, v));
        }
    }
}
