package org.torchcl.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.torchcl.Tensor;
import org.torchcl.nn.io.OnnxAttribute;
import org.torchcl.nn.io.OnnxNode;

/**
 * Load-time rewrites of subgraphs that exporters spell op by op into torchcl's fused kernels:
 * <ul>
 *   <li>LayerNorm: {@code ReduceMean → Sub → Pow 2 → ReduceMean → Add eps → Sqrt → Div} (then
 *       optionally {@code Mul gamma}, {@code Add beta}) over the last axis → {@code Torch.layerNorm};</li>
 *   <li>exact GELU: {@code Div √2 → Erf → Add 1 → Mul x → Mul 0.5} → {@code Torch.gelu};</li>
 *   <li>{@code MatMul} by a constant matrix followed by {@code Add} of a constant vector →
 *       {@code Torch.linear} (one gemm with the bias fused), the weight transposed once at load;</li>
 *   <li>attention: {@code MatMul(q, kᵀ) → Div d → Add mask → Softmax → MatMul v} →
 *       {@code Torch.scaledDotProductAttention} (when d is √head at run time; else the same ops).</li>
 * </ul>
 * A pattern is fused only when its inner values feed nothing outside it and are not graph outputs,
 * so the rewrite cannot change any value the rest of the graph sees.
 */
final class Fusion {

    private final Function<String, Value> constants;
    private final Map<String, Value> newConstants;
    private final Set<String> graphOutputs;
    private final long opset;
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
    private final Set<OnnxNode> removed = new HashSet<>();
    private final Map<OnnxNode, OnnxNode> replacements = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    private Fusion(List<OnnxNode> nodes, Function<String, Value> constants, Map<String, Value> newConstants,
                   Set<String> graphOutputs, long opset) {
        this.constants = constants;
        this.newConstants = newConstants;
        this.graphOutputs = graphOutputs;
        this.opset = opset;
        for (OnnxNode node : nodes) {
            for (String input : node.inputs()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** The result of {@link #apply}: the rewritten node list and how many subgraphs of each kind were fused. */
    record Result(List<OnnxNode> nodes, Map<String, Integer> fused) {
    }

    /**
     * Rewrites {@code nodes} (topologically ordered, none of them constant-foldable); transposed weights
     * the rewrite makes are added to {@code newConstants} under fresh names.
     */
    static Result apply(List<OnnxNode> nodes, Function<String, Value> constants, Map<String, Value> newConstants,
                        Set<String> graphOutputs, long opset) {
        Fusion fusion = new Fusion(nodes, constants, newConstants, graphOutputs, opset);
        for (OnnxNode node : nodes) {
            if (!fusion.removed.contains(node) && node.domain().isEmpty()) {
                switch (node.opType()) {
                    case "ReduceMean" -> fusion.layerNorm(node);
                    case "Div" -> fusion.gelu(node);
                    case "MatMul" -> {
                        fusion.linear(node);
                        if (!fusion.removed.contains(node)) {
                            fusion.attention(node);
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        List<OnnxNode> result = new ArrayList<>();
        for (OnnxNode node : nodes) {
            OnnxNode replacement = fusion.replacements.get(node);
            if (replacement != null) {
                result.add(replacement);
            } else if (!fusion.removed.contains(node)) {
                result.add(node);
            }
        }
        return new Result(result, Map.copyOf(fusion.counts));
    }

    // ---------------------------------------------------------------- patterns

    private void layerNorm(OnnxNode mean) {
        if (!lastAxisMean(mean)) {
            return;
        }
        String x = mean.inputs().get(0);
        OnnxNode sub = onlyConsumer(mean, "Sub");
        if (sub == null || !sub.inputs().get(0).equals(x) || !sub.inputs().get(1).equals(out(mean))) {
            return;
        }
        List<OnnxNode> subReaders = consumers.getOrDefault(out(sub), List.of());
        if (subReaders.size() != 2 || graphOutputs.contains(out(sub))) {
            return;
        }
        OnnxNode pow = subReaders.stream().filter(n -> n.opType().equals("Pow")).findFirst().orElse(null);
        OnnxNode div = subReaders.stream().filter(n -> n.opType().equals("Div")).findFirst().orElse(null);
        if (pow == null || div == null || !pow.inputs().get(0).equals(out(sub)) || !isScalar(pow.inputs().get(1), 2)
                || !div.inputs().get(0).equals(out(sub))) {
            return;
        }
        OnnxNode variance = onlyConsumer(pow, "ReduceMean");
        if (variance == null || !lastAxisMean(variance)) {
            return;
        }
        OnnxNode addEps = onlyConsumer(variance, "Add");
        String eps = addEps == null ? null : other(addEps, out(variance));
        Double epsilon = eps == null ? null : scalar(eps);
        if (epsilon == null) {
            return;
        }
        OnnxNode sqrt = onlyConsumer(addEps, "Sqrt");
        if (sqrt == null || onlyConsumer(sqrt, "Div") != div || !div.inputs().get(1).equals(out(sqrt))) {
            return;
        }
        List<OnnxNode> pattern = new ArrayList<>(List.of(mean, sub, pow, variance, addEps, sqrt, div));
        String gamma = "";
        String beta = "";
        OnnxNode last = div;
        OnnxNode mul = onlyConsumer(div, "Mul");
        if (mul != null && isVector(other(mul, out(div)))) {
            gamma = other(mul, out(div));
            pattern.add(mul);
            last = mul;
            OnnxNode add = onlyConsumer(mul, "Add");
            if (add != null && isVector(other(add, out(mul)))) {
                beta = other(add, out(mul));
                pattern.add(add);
                last = add;
            }
        }
        replace(pattern, last, fused("LayerNorm", last, List.of(x, gamma, beta),
                Map.of("epsilon", floatAttribute("epsilon", epsilon.floatValue()))));
    }

    private void gelu(OnnxNode div) {
        String x = div.inputs().get(0);
        if (!isScalar(div.inputs().get(1), Math.sqrt(2))) {
            return;
        }
        OnnxNode erf = onlyConsumer(div, "Erf");
        OnnxNode addOne = erf == null ? null : onlyConsumer(erf, "Add");
        if (addOne == null || !isScalar(other(addOne, out(erf)), 1)) {
            return;
        }
        OnnxNode mulX = onlyConsumer(addOne, "Mul");
        if (mulX == null || !x.equals(other(mulX, out(addOne)))) {
            return;
        }
        OnnxNode half = onlyConsumer(mulX, "Mul");
        if (half == null || !isScalar(other(half, out(mulX)), 0.5)) {
            return;
        }
        replace(List.of(div, erf, addOne, mulX, half), half, fused("Gelu", half, List.of(x), Map.of()));
    }

    private void linear(OnnxNode matmul) {
        String weightName = matmul.inputs().get(1);
        Value weight = constants.apply(weightName);
        if (weight == null || weight.tensor() == null || weight.tensor().dim() != 2
                || !weight.tensor().dtype().isFloatingPoint()) {
            return;
        }
        OnnxNode add = onlyConsumer(matmul, "Add");
        String biasName = add == null ? null : other(add, out(matmul));
        Value bias = biasName == null ? null : constants.apply(biasName);
        if (bias == null || bias.tensor() == null || bias.tensor().dim() != 1
                || bias.tensor().shape(0) != weight.tensor().shape(1)) {
            return;
        }
        String transposed = weightName + "#transposed";
        if (!newConstants.containsKey(transposed)) {
            try (Tensor view = weight.tensor().transpose(0, 1)) {
                newConstants.put(transposed, Value.of(view.contiguous()));
            }
        }
        replace(List.of(matmul, add), add, fused("Linear", add, List.of(matmul.inputs().get(0), transposed, biasName),
                Map.of()));
    }

    private void attention(OnnxNode scores) {
        if (scores.inputs().size() != 2) {
            return;
        }
        OnnxNode div = onlyConsumer(scores, "Div");
        Double divisor = div == null || !div.inputs().get(0).equals(out(scores)) ? null : scalar(div.inputs().get(1));
        if (divisor == null) {
            return;
        }
        OnnxNode add = onlyConsumer(div, "Add");
        String mask = add == null ? null : other(add, out(div));
        OnnxNode softmax = onlyConsumer(add == null ? div : add, "Softmax");
        if (softmax == null || softmax.attributes().keySet().stream().anyMatch(k -> !k.equals("axis"))) {
            return;
        }
        OnnxNode context = onlyConsumer(softmax, "MatMul");
        if (context == null || !context.inputs().get(0).equals(out(softmax)) || context.inputs().size() != 2) {
            return;
        }
        OnnxAttribute axis = softmax.attributes().get("axis");
        boolean coerce = opset < 13;
        long axisValue = axis != null ? axis.i() : coerce ? 1 : -1;
        List<String> inputs = new ArrayList<>(List.of(scores.inputs().get(0), scores.inputs().get(1),
                context.inputs().get(1)));
        if (mask != null) {
            inputs.add(mask);
        }
        List<OnnxNode> pattern = new ArrayList<>(List.of(scores, div, softmax, context));
        if (add != null) {
            pattern.add(add);
        }
        replace(pattern, context, fused("Attention", context, inputs, Map.of(
                "divisor", floatAttribute("divisor", divisor.floatValue()),
                "axis", intAttribute("axis", axisValue),
                "coerce", intAttribute("coerce", coerce ? 1 : 0))));
    }

    // ---------------------------------------------------------------- helpers

    private static OnnxAttribute floatAttribute(String name, float value) {
        return new OnnxAttribute(name, value, 0, null, null, new float[0], new long[0], List.of(), false);
    }

    private static OnnxAttribute intAttribute(String name, long value) {
        return new OnnxAttribute(name, 0, value, null, null, new float[0], new long[0], List.of(), false);
    }

    private boolean lastAxisMean(OnnxNode node) {
        if (!node.opType().equals("ReduceMean") || node.inputs().size() != 1) {
            return false;
        }
        OnnxAttribute axes = node.attributes().get("axes");
        OnnxAttribute keep = node.attributes().get("keepdims");
        return axes != null && axes.ints().length == 1 && axes.ints()[0] == -1 && (keep == null || keep.i() == 1)
                && node.attributes().keySet().stream().allMatch(k -> k.equals("axes") || k.equals("keepdims"));
    }

    private static String out(OnnxNode node) {
        return node.outputs().get(0);
    }

    /** The single reader of {@code node}'s only output, when it has {@code opType} and the value is internal. */
    private OnnxNode onlyConsumer(OnnxNode node, String opType) {
        if (node.outputs().size() != 1 || graphOutputs.contains(out(node))) {
            return null;
        }
        List<OnnxNode> readers = consumers.getOrDefault(out(node), List.of());
        if (readers.size() != 1) {
            return null;
        }
        OnnxNode reader = readers.get(0);
        return reader.opType().equals(opType) && reader.domain().isEmpty() && !removed.contains(reader) ? reader : null;
    }

    /** The input of a two-input node that is not {@code value}, or null. */
    private static String other(OnnxNode node, String value) {
        if (node.inputs().size() != 2) {
            return null;
        }
        if (node.inputs().get(0).equals(value)) {
            return node.inputs().get(1);
        }
        return node.inputs().get(1).equals(value) ? node.inputs().get(0) : null;
    }

    /** The value of a one-element float constant, or null. */
    private Double scalar(String name) {
        Value v = name == null ? null : constants.apply(name);
        if (v == null || v.tensor() == null || v.tensor().numel() != 1 || !v.tensor().dtype().isFloatingPoint()) {
            return null;
        }
        return (double) v.tensor().toArray()[0];
    }

    private boolean isScalar(String name, double expected) {
        Double value = scalar(name);
        return value != null && Math.abs(value - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
    }

    private boolean isVector(String name) {
        Value v = name == null ? null : constants.apply(name);
        return v != null && v.tensor() != null && v.tensor().dim() == 1 && v.tensor().dtype().isFloatingPoint();
    }

    private OnnxNode fused(String op, OnnxNode last, List<String> inputs, Map<String, OnnxAttribute> attributes) {
        return new OnnxNode(last.name(), op, NnOps.FUSED, inputs, last.outputs(), attributes);
    }

    private void replace(List<OnnxNode> pattern, OnnxNode last, OnnxNode fused) {
        removed.addAll(pattern);
        replacements.put(last, fused);
        counts.merge(fused.opType(), 1, Integer::sum);
    }
}
