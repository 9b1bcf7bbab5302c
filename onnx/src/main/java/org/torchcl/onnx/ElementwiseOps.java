package org.torchcl.onnx;

import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.UnaryOperator;
import org.torchcl.DType;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/** The elementwise ops: arithmetic, comparisons, logic, activations, Cast, Where, Clip. */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    static void register(Map<String, Compiler> ops) {
        ops.put("Add", binary(Torch::add, (a, b) -> a + b, false));
        ops.put("Sub", binary(Torch::sub, (a, b) -> a - b, false));
        ops.put("Mul", binary(Torch::mul, (a, b) -> a * b, false));
        ops.put("Div", binary(ElementwiseOps::divide, ElementwiseOps::truncatingDivide, false));
        ops.put("Pow", binary(ElementwiseOps::power, null, false));
        ops.put("Equal", binary(Tensor::eq, (a, b) -> a == b ? 1 : 0, true));
        ops.put("Less", binary(Tensor::lt, (a, b) -> a < b ? 1 : 0, true));
        ops.put("Greater", binary(Tensor::gt, (a, b) -> a > b ? 1 : 0, true));
        ops.put("And", binary(Tensor::logicalAnd, (a, b) -> a != 0 && b != 0 ? 1 : 0, true));
        ops.put("Or", binary(Tensor::logicalOr, (a, b) -> a != 0 || b != 0 ? 1 : 0, true));

        ops.put("Sqrt", unary(Torch::sqrt));
        ops.put("Reciprocal", unary(Torch::reciprocal));
        ops.put("Exp", unary(Torch::exp));
        ops.put("Log", unary(Torch::log));
        ops.put("Erf", unary(Torch::erf));
        ops.put("Tanh", unary(Torch::tanh));
        ops.put("Sigmoid", unary(Torch::sigmoid));
        ops.put("Relu", unary(Torch::relu));
        ops.put("Neg", hostableUnary(Torch::neg, v -> -v));
        ops.put("Abs", hostableUnary(Torch::abs, Math::abs));
        ops.put("Not", hostableUnary(Tensor::logicalNot, v -> v == 0 ? 1 : 0));
        ops.put("LeakyRelu", ElementwiseOps::leakyRelu);
        ops.put("Gelu", ElementwiseOps::gelu);
        ops.put("Clip", ElementwiseOps::clip);
        ops.put("Cast", ElementwiseOps::cast);
        ops.put("Where", ElementwiseOps::where);
    }

    private static Tensor divide(Tensor a, Tensor b) {
        // ONNX divides integers in their own type, truncating as C does; Torch.div alone would give floats.
        return a.dtype().isInteger() && b.dtype().isInteger() ? Torch.div(a, b, "trunc") : Torch.div(a, b);
    }

    private static long truncatingDivide(long a, long b) {
        if (b == 0) {
            throw new ArithmeticException("integer division by zero in Div");
        }
        return a / b;
    }

    /** ONNX's Pow keeps the base's type whatever the exponent's. */
    private static Tensor power(Tensor base, Tensor exponent) {
        Tensor result = Torch.pow(base, exponent);
        if (result.dtype() == base.dtype()) {
            return result;
        }
        try (result) {
            return result.to(base.dtype());
        }
    }

    /**
     * A broadcasting binary op; on the host too when {@code host} is given and both inputs are host
     * integers (the result type is then BOOL for comparisons, else the inputs' type).
     */
    private static Compiler binary(BinaryOperator<Tensor> device, LongBinaryOperator host, boolean boolResult) {
        return node -> {
            node.requireArity(2, 2, 1);
            return args -> {
                if (host != null && args.allOnHost() && args.dtype(0) == args.dtype(1)) {
                    HostTensor a = args.host(0);
                    HostTensor b = args.host(1);
                    int[] shape = HostMath.broadcast(a.shape(), b.shape());
                    if (HostMath.numel(shape) <= HostTensor.MAX_ELEMENTS) {
                        DType out = boolResult ? DType.BOOL : a.dtype();
                        return new Value[] {Value.of(HostMath.binary(a, b, out, (x, y) -> HostMath.wrap(out,
                                host.applyAsLong(x, y))))};
                    }
                }
                return new Value[] {Value.of(device.apply(args.tensor(0), args.tensor(1)))};
            };
        };
    }

    private static Compiler unary(UnaryOperator<Tensor> device) {
        return node -> {
            node.requireArity(1, 1, 1);
            return args -> new Value[] {Value.of(device.apply(args.tensor(0)))};
        };
    }

    private static Compiler hostableUnary(UnaryOperator<Tensor> device, java.util.function.LongUnaryOperator host) {
        return node -> {
            node.requireArity(1, 1, 1);
            return args -> {
                if (args.onHost(0)) {
                    HostTensor x = args.host(0);
                    return new Value[] {Value.of(HostMath.unary(x, x.dtype(), v -> HostMath.wrap(x.dtype(),
                            host.applyAsLong(v))))};
                }
                return new Value[] {Value.of(device.apply(args.tensor(0)))};
            };
        };
    }

    private static Kernel leakyRelu(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        double alpha = node.f("alpha", 0.01f);
        return args -> {
            Tensor x = args.tensor(0);
            try (Tensor negative = x.lt(0); Tensor scaled = x.mul(alpha)) {
                return new Value[] {Value.of(Torch.where(negative, scaled, x))};
            }
        };
    }

    private static Kernel gelu(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        String approximate = node.s("approximate", "none");
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw node.unsupported("attribute approximate=\"" + approximate + "\" is not supported");
        }
        return args -> new Value[] {Value.of(Torch.gelu(args.tensor(0), approximate))};
    }

    /** Clip: bounds as attributes before opset 11, as optional scalar inputs from 11 on. */
    private static Kernel clip(NodeContext node) throws UnsupportedOnnxException {
        if (node.opset() < 11) {
            node.requireArity(1, 1, 1);
            double min = node.f("min", Float.NEGATIVE_INFINITY);
            double max = node.f("max", Float.POSITIVE_INFINITY);
            return args -> new Value[] {Value.of(Torch.clamp(args.tensor(0), min, max))};
        }
        node.requireArity(1, 3, 1);
        return args -> {
            double min = args.has(1) ? args.scalar(1) : Double.NEGATIVE_INFINITY;
            double max = args.has(2) ? args.scalar(2) : Double.POSITIVE_INFINITY;
            return new Value[] {Value.of(Torch.clamp(args.tensor(0), min, max))};
        };
    }

    private static Kernel cast(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(1, 1, 1);
        DType to = node.dtype("attribute to", node.i("to", 0));
        return args -> {
            if (args.onHost(0) && HostTensor.hostable(to, HostMath.numel(args.shape(0)))) {
                HostTensor x = args.host(0);
                return new Value[] {Value.of(HostMath.unary(x, to, v -> HostMath.wrap(to, v)))};
            }
            Tensor x = args.tensor(0);
            return new Value[] {Value.of(x.dtype() == to ? x.expand(x.shape()) : x.to(to))};
        };
    }

    private static Kernel where(NodeContext node) throws UnsupportedOnnxException {
        node.requireArity(3, 3, 1);
        return args -> {
            if (args.allOnHost() && args.dtype(1) == args.dtype(2)) {
                HostTensor c = args.host(0);
                HostTensor a = args.host(1);
                HostTensor b = args.host(2);
                int[] shape = HostMath.broadcast(c.shape(), HostMath.broadcast(a.shape(), b.shape()));
                if (HostMath.numel(shape) <= HostTensor.MAX_ELEMENTS) {
                    HostTensor cc = HostMath.expand(c, shape);
                    HostTensor aa = HostMath.expand(a, shape);
                    HostTensor bb = HostMath.expand(b, shape);
                    long[] out = new long[cc.numel()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = cc.values()[i] != 0 ? aa.values()[i] : bb.values()[i];
                    }
                    return new Value[] {Value.of(HostTensor.of(a.dtype(), shape, out))};
                }
            }
            return new Value[] {Value.of(Torch.where(args.tensor(0), args.tensor(1), args.tensor(2)))};
        };
    }
}
