package org.torchcl.onnx;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.torchcl.DType;
import org.torchcl.nn.io.OnnxAttribute;
import org.torchcl.nn.io.OnnxNode;
import org.torchcl.nn.io.OnnxTensor;

/**
 * One node while it is compiled: its attributes (each read marks it understood, so an attribute
 * the op's compiler never reads is refused as unsupported), its opset, and what the planner knows
 * about its inputs before any run (constants).
 */
final class NodeContext {

    private final OnnxNode node;
    private final long opset;
    private final Function<String, Value> constants;
    private final Function<String, int[]> staticShapes;
    private final Set<String> read = new HashSet<>();
    private boolean inputsUnread;

    NodeContext(OnnxNode node, long opset, Function<String, Value> constants, Function<String, int[]> staticShapes) {
        this.node = node;
        this.opset = opset;
        this.constants = constants;
        this.staticShapes = staticShapes;
    }

    OnnxNode node() {
        return node;
    }

    String opType() {
        return node.opType();
    }

    long opset() {
        return opset;
    }

    /** How the node is named in errors: {@code Conv node "conv1" (opset 13)}. */
    String describe() {
        return node.opType() + " node \"" + node.name() + "\" (opset " + opset + ")";
    }

    UnsupportedOnnxException unsupported(String what) {
        return new UnsupportedOnnxException(describe() + ": " + what);
    }

    // ---------------------------------------------------------------- inputs and outputs

    /** The number of input slots, omitted optional ones (empty names) included. */
    int inputCount() {
        return node.inputs().size();
    }

    boolean hasInput(int i) {
        return i < node.inputs().size() && !node.inputs().get(i).isEmpty();
    }

    /** The constant value of input {@code i}, or null when it is computed at run time (or omitted). */
    Value constantInput(int i) {
        return hasInput(i) ? constants.apply(node.inputs().get(i)) : null;
    }

    /** The shape of input {@code i} when it is known before any run (a graph input with fixed dims), else null. */
    int[] staticShape(int i) {
        return hasInput(i) ? staticShapes.apply(node.inputs().get(i)) : null;
    }

    /** Declares that the kernel reads no input values, so the planner can run it once at load time. */
    void inputsUnread() {
        inputsUnread = true;
    }

    boolean readsNoInputs() {
        return inputsUnread;
    }

    int outputCount() {
        return node.outputs().size();
    }

    /** Whether output {@code i} exists and is named (an empty name is an omitted optional output). */
    boolean wantsOutput(int i) {
        return i < node.outputs().size() && !node.outputs().get(i).isEmpty();
    }

    /** Refuses inputs or outputs beyond the counts the op defines at this opset. */
    void requireArity(int minInputs, int maxInputs, int maxOutputs) throws UnsupportedOnnxException {
        int given = 0;
        for (int i = 0; i < inputCount(); i++) {
            given = hasInput(i) ? i + 1 : given;
        }
        if (given < minInputs || given > maxInputs) {
            throw unsupported("has " + given + " inputs; the op takes " + (minInputs == maxInputs ? minInputs
                    : minInputs + " to " + maxInputs));
        }
        for (int i = maxOutputs; i < outputCount(); i++) {
            if (wantsOutput(i)) {
                throw unsupported("output " + i + " (\"" + node.outputs().get(i) + "\") is not supported; the op"
                        + " gives " + maxOutputs);
            }
        }
    }

    // ---------------------------------------------------------------- attributes

    boolean has(String name) {
        return node.attributes().containsKey(name);
    }

    private OnnxAttribute attribute(String name) {
        read.add(name);
        return node.attributes().get(name);
    }

    long i(String name, long fallback) {
        OnnxAttribute a = attribute(name);
        return a == null ? fallback : a.i();
    }

    float f(String name, float fallback) {
        OnnxAttribute a = attribute(name);
        return a == null ? fallback : a.f();
    }

    String s(String name, String fallback) {
        OnnxAttribute a = attribute(name);
        return a == null || a.s() == null ? fallback : a.s();
    }

    /** The ints of {@code name}, or null when the attribute is absent. */
    long[] ints(String name) {
        OnnxAttribute a = attribute(name);
        return a == null ? null : a.ints();
    }

    float[] floats(String name) {
        OnnxAttribute a = attribute(name);
        return a == null ? null : a.floats();
    }

    OnnxTensor t(String name) {
        OnnxAttribute a = attribute(name);
        return a == null ? null : a.t();
    }

    /** The attribute values as ints, checked to fit. */
    int[] intArray(String name, int[] fallback) throws UnsupportedOnnxException {
        long[] values = ints(name);
        if (values == null) {
            return fallback;
        }
        int[] result = new int[values.length];
        for (int k = 0; k < values.length; k++) {
            if (values[k] != (int) values[k]) {
                throw unsupported("attribute " + name + " value " + values[k] + " is outside the int range");
            }
            result[k] = (int) values[k];
        }
        return result;
    }

    /** Refuses a boolean-ish attribute unless it has one of {@code allowed}. */
    void requireIn(String name, long fallback, long... allowed) throws UnsupportedOnnxException {
        long value = i(name, fallback);
        for (long a : allowed) {
            if (value == a) {
                return;
            }
        }
        throw unsupported("attribute " + name + "=" + value + " is not supported");
    }

    /** Fails on any attribute the compiler did not read: torchcl would otherwise ignore it and answer wrongly. */
    void checkAllAttributesRead() throws UnsupportedOnnxException {
        for (String name : node.attributes().keySet()) {
            if (!read.contains(name)) {
                throw unsupported("attribute " + name + " is not supported");
            }
        }
    }

    /** The torchcl dtype of ONNX type code {@code code}, or an error naming it. */
    DType dtype(String what, long code) throws UnsupportedOnnxException {
        return Dtypes.of(code, () -> describe() + ": " + what);
    }
}
