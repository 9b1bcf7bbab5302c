package org.torchcl;

import org.torchcl.backend.BinaryOp;
import org.torchcl.backend.Strided;
import org.torchcl.backend.UnaryOp;

/**
 * The checks and dtype rules of the elementwise ops, in one place: broadcasting, promotion, and
 * the op's result kind. The backends then run {@code unary}/{@code binary}/{@code where} on
 * layouts that already agree.
 */
final class Elementwise {

    private Elementwise() {
    }

    static Tensor unary(UnaryOp op, String name, Tensor x) {
        Tensor.requireOpen("x", x, name);
        DType type = switch (op.resultKind()) {
            case SAME -> x.dtype();
            case FLOAT -> x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT32;
            case BOOL -> DType.BOOL;
        };
        if (op.resultKind() == UnaryOp.Kind.SAME && x.dtype() == DType.BOOL && op != UnaryOp.RELU) {
            throw new IllegalArgumentException(name + ": not defined for bool tensors (got " + x + ")");
        }
        return unary(op, name, x, type, 0, 0);
    }

    private static Tensor unary(UnaryOp op, String name, Tensor x, DType type, double p0, double p1) {
        int[] shape = x.shape();
        return Tensor.compute(x.device(), type, shape,
                out -> x.backend().unary(op, x.strided(), Strided.contiguous(out, type, shape), p0, p1), x);
    }

    static Tensor clamp(Tensor x, double min, double max) {
        Tensor.requireOpen("x", x, "clamp");
        if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
            throw new IllegalArgumentException("clamp: need min <= max (use ±infinity for no bound), got min=" + min
                    + ", max=" + max);
        }
        if (x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("clamp: not defined for bool tensors (got " + x + ")");
        }
        return unary(UnaryOp.CLAMP, "clamp", x, x.dtype(), min, max);
    }

    static UnaryOp geluOp(String approximate) {
        if ("none".equals(approximate)) {
            return UnaryOp.GELU;
        }
        if ("tanh".equals(approximate)) {
            return UnaryOp.GELU_TANH;
        }
        throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    }

    static BinaryOp roundingOp(String roundingMode) {
        if ("trunc".equals(roundingMode)) {
            return BinaryOp.DIV_TRUNC;
        }
        if ("floor".equals(roundingMode)) {
            return BinaryOp.DIV_FLOOR;
        }
        throw new IllegalArgumentException("div: roundingMode must be \"trunc\" or \"floor\", got \""
                + roundingMode + "\"");
    }

    /** The dtype {@code op} gives for operands of dtypes {@code a} and {@code b}; refuses what PyTorch refuses. */
    static DType resultType(BinaryOp op, String name, DType a, DType b) {
        DType promoted = DType.promote(a, b);
        if (op == BinaryOp.SUB && promoted == DType.BOOL) {
            throw new IllegalArgumentException(name + ": subtracting bool tensors (" + a + " - " + b
                    + ") is not supported, as in PyTorch; convert them with to(DType.INT64) first");
        }
        if (op.resultKind() == BinaryOp.Kind.BOOL) {
            return DType.BOOL;
        }
        if (op.resultKind() == BinaryOp.Kind.FLOAT && !promoted.isFloatingPoint()) {
            return DType.FLOAT32;
        }
        return promoted;
    }

    static Tensor binary(BinaryOp op, String name, Tensor a, Tensor b) {
        Tensor.requireOpen("a", a, name);
        Tensor.requireOpen("b", b, name);
        a.requireSameDevice(name, "b", b);
        int[] shape = Shapes.broadcast(name, a.shape(), b.shape());
        DType type = resultType(op, name, a.dtype(), b.dtype());
        return Tensor.compute(a.device(), type, shape,
                out -> a.backend().binary(op, a.strided(shape), b.strided(shape), Strided.contiguous(out, type, shape)),
                a, b);
    }

    /**
     * {@code op(a, value)}: the scalar is a one-element tensor of a's dtype (float32 when a holds
     * integers and the value is not integral, as PyTorch promotes {@code int_tensor + 1.5}).
     */
    static Tensor binaryScalar(BinaryOp op, String name, Tensor a, double value) {
        Tensor.requireOpen("a", a, name);
        DType scalarType = scalarType(a.dtype(), value);
        try (Tensor scalar = Torch.full(a.device(), scalarType, value)) {
            return binary(op, name, a, scalar);
        }
    }

    /** PyTorch's rule for a Python number next to a tensor: it never widens within a kind, only across kinds. */
    static DType scalarType(DType tensorType, double value) {
        boolean integral = value == Math.rint(value) && !Double.isInfinite(value);
        if (tensorType.isFloatingPoint()) {
            return tensorType;
        }
        if (!integral) {
            return DType.FLOAT32;
        }
        return tensorType == DType.BOOL ? DType.INT64 : tensorType;
    }

    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Tensor.requireOpen("condition", condition, "where");
        Tensor.requireOpen("a", a, "where");
        Tensor.requireOpen("b", b, "where");
        a.requireSameDevice("where", "condition", condition);
        a.requireSameDevice("where", "b", b);
        if (condition.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + condition.dtype()
                    + " (compare it first, e.g. x.gt(0))");
        }
        int[] shape = Shapes.broadcast("where", condition.shape(), a.shape(), b.shape());
        DType type = DType.promote(a.dtype(), b.dtype());
        return Tensor.compute(a.device(), type, shape,
                out -> a.backend().where(condition.strided(shape), a.strided(shape), b.strided(shape),
                        Strided.contiguous(out, type, shape)),
                condition, a, b);
    }

    static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Tensor.requireOpen("x", x, "maskedFill");
        Tensor.requireOpen("mask", mask, "maskedFill");
        x.requireSameDevice("maskedFill", "mask", mask);
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("maskedFill: mask must be bool, got " + mask.dtype());
        }
        int[] shape = x.shape();
        int[] joint = Shapes.broadcast("maskedFill", shape, mask.shape());
        if (!java.util.Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("maskedFill: mask " + Shapes.str(mask.shape())
                    + " must broadcast to the input's shape " + Shapes.str(shape) + " without growing it");
        }
        try (Tensor fill = Torch.full(x.device(), x.dtype(), value)) {
            DType type = x.dtype();
            return Tensor.compute(x.device(), type, shape,
                    out -> x.backend().where(mask.strided(shape), fill.strided(shape), x.strided(),
                            Strided.contiguous(out, type, shape)),
                    x, mask, fill);
        }
    }
}
