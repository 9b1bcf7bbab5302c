package org.torchcl.backend;

/**
 * The elementwise functions of two tensors (broadcast by {@code Torch} into equal shapes with zero
 * strides). Operands arrive in their own dtypes; the backend computes
 * in float32 when either operand (or, for {@link Kind#FLOAT}, the result) is floating point and in
 * 64-bit integers otherwise, and stores into the output's dtype.
 */
public enum BinaryOp {
    ADD(Kind.PROMOTED),
    SUB(Kind.PROMOTED),
    MUL(Kind.PROMOTED),
    /** True division: integers divide as floats, as in PyTorch. */
    DIV(Kind.FLOAT),
    /** Division rounded toward zero ({@code rounding_mode="trunc"}); integers stay integers. */
    DIV_TRUNC(Kind.PROMOTED),
    /** Division rounded down ({@code rounding_mode="floor"}); integers stay integers. */
    DIV_FLOOR(Kind.PROMOTED),
    POW(Kind.PROMOTED),
    /** NaN wins, as {@code torch.maximum}. */
    MAXIMUM(Kind.PROMOTED),
    MINIMUM(Kind.PROMOTED),
    EQ(Kind.BOOL),
    NE(Kind.BOOL),
    LT(Kind.BOOL),
    LE(Kind.BOOL),
    GT(Kind.BOOL),
    GE(Kind.BOOL),
    LOGICAL_AND(Kind.BOOL),
    LOGICAL_OR(Kind.BOOL);

    /** What an op's result dtype is. */
    public enum Kind {
        /** The operands' promoted dtype. */
        PROMOTED,
        /** The promoted dtype when floating point, else float32. */
        FLOAT,
        /** Always bool; the operands are compared in their promoted dtype. */
        BOOL
    }

    private final Kind kind;

    BinaryOp(Kind kind) {
        this.kind = kind;
    }

    public Kind resultKind() {
        return kind;
    }
}
