package org.torchcl.backend;

/**
 * The elementwise functions of one tensor. Each backend maps every constant to code in one place
 * (the CPU backend's table, the OpenCL kernel template's {@code OP_*} macros); {@code Torch} decides
 * the result dtype with {@link #resultKind}.
 */
public enum UnaryOp {
    NEG(Kind.SAME),
    ABS(Kind.SAME),
    EXP(Kind.FLOAT),
    LOG(Kind.FLOAT),
    SQRT(Kind.FLOAT),
    RSQRT(Kind.FLOAT),
    RECIPROCAL(Kind.FLOAT),
    ERF(Kind.FLOAT),
    TANH(Kind.FLOAT),
    SIGMOID(Kind.FLOAT),
    RELU(Kind.SAME),
    /** The exact GELU: {@code x * (1 + erf(x / sqrt 2)) / 2}. */
    GELU(Kind.FLOAT),
    /** PyTorch's {@code approximate="tanh"} GELU. */
    GELU_TANH(Kind.FLOAT),
    SILU(Kind.FLOAT),
    /** {@code min(max(x, a), b)} with the op's two parameters; NaN stays NaN. */
    CLAMP(Kind.SAME),
    LOGICAL_NOT(Kind.BOOL);

    /** What an op's result dtype is. */
    public enum Kind {
        /** The input's dtype. */
        SAME,
        /** The input's dtype when floating point, else float32 (as {@code torch.exp} of an int tensor). */
        FLOAT,
        /** Always bool. */
        BOOL
    }

    private final Kind kind;

    UnaryOp(Kind kind) {
        this.kind = kind;
    }

    public Kind resultKind() {
        return kind;
    }
}
