package org.torchcl.backend;

/**
 * A (batched) matrix product {@code C[b] = act(op(A[b]) * op(B[b]) (+ bias))}, all row-major and
 * contiguous. {@code op(A)} is {@code [m, k]}: A stored as {@code [m, k]}, or as {@code [k, m]}
 * when {@code transA}. {@code op(B)} is {@code [k, n]}: B stored as {@code [k, n]}, or as
 * {@code [n, k]} when {@code transB} (a Linear weight). The batch strides are in elements; a stride
 * of 0 shares one matrix across the batch. {@code activation}, when not null, is applied to every
 * element of C after the bias: {@link UnaryOp#RELU}, {@link UnaryOp#GELU} or {@link UnaryOp#GELU_TANH}.
 */
public record GemmShape(int batch, int m, int n, int k, boolean transA, boolean transB,
                        long strideA, long strideB, long strideC, Bias bias, UnaryOp activation) {

    /** How the bias vector, if any, is added to C. */
    public enum Bias {
        /** No bias; the bias buffer is ignored and may be null. */
        NONE,
        /** {@code bias[n]} added to every row: the Linear layer's bias. */
        PER_COLUMN,
        /** {@code bias[m]} added to every column: a convolution's per-channel bias. */
        PER_ROW
    }

    public GemmShape {
        if (batch < 1 || m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException(
                    "gemm sizes must be positive: batch=" + batch + ", m=" + m + ", n=" + n + ", k=" + k);
        }
        if (strideA < 0 || strideB < 0 || strideC < 0) {
            throw new IllegalArgumentException("gemm strides must not be negative: strideA=" + strideA
                    + ", strideB=" + strideB + ", strideC=" + strideC);
        }
        if (bias == null) {
            throw new IllegalArgumentException("bias mode must not be null (use Bias.NONE)");
        }
        if (activation != null && activation != UnaryOp.RELU && activation != UnaryOp.GELU
                && activation != UnaryOp.GELU_TANH) {
            throw new IllegalArgumentException("gemm activation must be null, RELU, GELU or GELU_TANH, got "
                    + activation);
        }
    }

    /** A product without activation. */
    public GemmShape(int batch, int m, int n, int k, boolean transA, boolean transB,
                     long strideA, long strideB, long strideC, Bias bias) {
        this(batch, m, n, k, transA, transB, strideA, strideB, strideC, bias, null);
    }

    /** A single {@code [m, k] x [k, n]} product, no transposes, no bias. */
    public static GemmShape of(int m, int n, int k) {
        return new GemmShape(1, m, n, k, false, false, 0, 0, 0, Bias.NONE);
    }

    public GemmShape withTransA(boolean transpose) {
        return new GemmShape(batch, m, n, k, transpose, transB, strideA, strideB, strideC, bias, activation);
    }

    public GemmShape withTransB(boolean transpose) {
        return new GemmShape(batch, m, n, k, transA, transpose, strideA, strideB, strideC, bias, activation);
    }

    public GemmShape withBias(Bias mode) {
        return new GemmShape(batch, m, n, k, transA, transB, strideA, strideB, strideC, mode, activation);
    }

    /** This product with {@code op} (null: none) applied to C after the bias. */
    public GemmShape withActivation(UnaryOp op) {
        return new GemmShape(batch, m, n, k, transA, transB, strideA, strideB, strideC, bias, op);
    }

    public GemmShape withBatch(int count, long strideOfA, long strideOfB, long strideOfC) {
        return new GemmShape(count, m, n, k, transA, transB, strideOfA, strideOfB, strideOfC, bias, activation);
    }

    /** Element offset of {@code op(A)[row, col]} inside one batch entry of A. */
    public long indexA(int row, int col) {
        return transA ? (long) col * m + row : (long) row * k + col;
    }

    /** Element offset of {@code op(B)[row, col]} inside one batch entry of B. */
    public long indexB(int row, int col) {
        return transB ? (long) col * k + row : (long) row * n + col;
    }

    /** Multiply-adds times two. */
    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}
