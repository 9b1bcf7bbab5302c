package org.torchcl.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.nn.io.OnnxFormatException;
import org.torchcl.nn.io.OnnxGraph;
import org.torchcl.nn.io.OnnxNode;
import org.torchcl.nn.io.OnnxTensor;
import org.torchcl.nn.io.OnnxValueInfo;

/**
 * An ONNX model loaded onto one device, ready to run: its graph compiled once into a list of
 * torchcl ops with ONNX's semantics at the model's opset (up to 17).
 *
 * <pre>{@code
 * try (OnnxModel model = OnnxModel.load(Path.of("model.onnx"), Device.auto());
 *      Tensor ids = Torch.tensor(new long[] {101, 7592, 102}, 1, 3)) {
 *     Map<String, Tensor> out = model.run(Map.of("input_ids", ids, ...));
 *     ...  // close the output tensors
 * }
 * }</pre>
 *
 * <p><b>Loading</b> reads every weight once, from the memory-mapped file, straight to the device.
 * Every node is compiled up front: an op outside the supported set, an attribute the op's
 * compiler does not understand, or a dtype torchcl lacks fails here with an
 * {@link UnsupportedOnnxException} naming the op, the node and the opset, so a model that loads
 * never silently computes something else. Nodes whose inputs are all constants (Constant nodes,
 * shape arithmetic on weights, {@code Shape} of an input with fixed dims) run once at load time.
 * Subgraphs exporters spell op by op (LayerNorm, erf-GELU, MatMul + Add, attention) are fused into
 * torchcl's fused kernels ({@link #fusedSubgraphs()}).
 *
 * <p><b>Running</b>: small integer values (the Shape → Gather → Concat → Reshape arithmetic of
 * exported graphs) are computed on the host; tensor work stays on the device. Each intermediate is
 * freed right after its last reader. {@link #run} is thread-safe: runs share only the immutable
 * plan and the weights.
 */
public final class OnnxModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

    /**
     * The opsets of ONNX's default domain this runtime implements: 7 to 17, and the older ones as far
     * as their ops agree (an op whose pre-7 version differs is told apart by its attributes, such as
     * {@code broadcast} or {@code consumed_inputs}, which are refused).
     */
    public static final long MIN_OPSET = 1;
    public static final long MAX_OPSET = 17;

    private static final Map<String, Compiler> OPS = operators();

    private final Device device;
    private final long opset;
    private final List<OnnxTensorInfo> inputs;
    private final List<OnnxTensorInfo> outputs;
    private final int[] inputSlots;
    private final int[] outputSlots;
    private final Value[] constants;
    private final List<Step> steps;
    private final Map<String, Integer> fused;
    private final int foldedNodes;
    private final AtomicLong lastRunPeakBytes = new AtomicLong();
    private volatile boolean closed;

    /** One node of the plan: the slots it reads and writes, and the slots whose last reader it is. */
    private record Step(String describe, Kernel kernel, int[] inputs, int[] outputs, int[] freeAfter) {
    }

    private OnnxModel(Device device, long opset, List<OnnxTensorInfo> inputs, List<OnnxTensorInfo> outputs,
                      int[] inputSlots, int[] outputSlots, Value[] constants, List<Step> steps,
                      Map<String, Integer> fused, int foldedNodes) {
        this.device = device;
        this.opset = opset;
        this.inputs = inputs;
        this.outputs = outputs;
        this.inputSlots = inputSlots;
        this.outputSlots = outputSlots;
        this.constants = constants;
        this.steps = steps;
        this.fused = fused;
        this.foldedNodes = foldedNodes;
    }

    private static Map<String, Compiler> operators() {
        Map<String, Compiler> ops = new HashMap<>();
        ElementwiseOps.register(ops);
        ShapeOps.register(ops);
        NnOps.register(ops);
        return Collections.unmodifiableMap(ops);
    }

    /** The ONNX op types this runtime implements (default domain). */
    public static Set<String> supportedOps() {
        Set<String> names = new java.util.TreeSet<>();
        OPS.keySet().stream().filter(k -> !k.contains(":")).forEach(names::add);
        return names;
    }

    // ---------------------------------------------------------------- loading

    /** Loads the model file at {@code path} (memory-mapped) onto {@code device}. */
    public static OnnxModel load(Path path, Device device) throws IOException {
        if (path == null || device == null) {
            throw new IllegalArgumentException("load: path and device must not be null, got " + path + " and " + device);
        }
        try {
            return new Planner(OnnxGraph.read(path), java.nio.file.Files.size(path), device).plan();
        } catch (UnsupportedOnnxException e) {
            throw new UnsupportedOnnxException(path.getFileName() + ": " + e.getMessage());
        }
    }

    /** Loads a model held in memory (a classpath resource, say) onto {@code device}. */
    public static OnnxModel load(ByteBuffer bytes, Device device) throws IOException {
        if (bytes == null || device == null) {
            throw new IllegalArgumentException("load: bytes and device must not be null, got " + bytes + " and "
                    + device);
        }
        return new Planner(OnnxGraph.read(bytes), bytes.remaining(), device).plan();
    }

    /** Compiles a graph: validates, folds constants, fuses, and assigns every value a slot with its last use. */
    private static final class Planner {
        private final OnnxGraph graph;
        private final Device device;
        private final Map<String, Value> constants = new LinkedHashMap<>();
        private final Map<String, int[]> staticShapes = new HashMap<>();
        private final Set<String> graphOutputs = new HashSet<>();
        private long opset;
        /** What folding may still allocate: the file's size, so a hostile file cannot make loading allocate more. */
        private long foldBudget;

        Planner(OnnxGraph graph, long fileBytes, Device device) {
            this.graph = graph;
            this.device = device;
            this.foldBudget = fileBytes;
        }

        OnnxModel plan() throws IOException {
            try {
                return build();
            } catch (IOException | RuntimeException | Error e) {
                constants.values().forEach(Value::close);
                throw e;
            }
        }

        private OnnxModel build() throws IOException {
            opset = graph.opsetVersion();
            if (opset < 0) {
                throw new OnnxFormatException("the model imports no opset of ONNX's default domain (opset_import)");
            }
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new UnsupportedOnnxException("the model imports opset " + opset + " of ONNX's default domain;"
                        + " torchcl runs opsets " + MIN_OPSET + " to " + MAX_OPSET);
            }
            for (OnnxTensor tensor : graph.initializers().values()) {
                DType dtype = Dtypes.of(tensor.dataType(), tensor.dataType().code,
                        () -> "initializer \"" + tensor.name() + "\"");
                constants.put(tensor.name(), ShapeOps.constantValue(device, tensor, dtype));
            }
            List<OnnxTensorInfo> inputInfos = new ArrayList<>();
            for (OnnxValueInfo info : graph.inputInfos()) {
                if (!constants.containsKey(info.name())) {
                    OnnxTensorInfo described = describe("input", info);
                    inputInfos.add(described);
                    int[] fixed = fixedShape(described);
                    if (fixed != null) {
                        staticShapes.put(info.name(), fixed);
                    }
                }
            }
            List<OnnxTensorInfo> outputInfos = new ArrayList<>();
            for (OnnxValueInfo info : graph.outputInfos()) {
                outputInfos.add(describe("output", info));
                graphOutputs.add(info.name());
            }
            List<OnnxNode> pending = new ArrayList<>();
            int folded = 0;
            for (OnnxNode node : graph.nodes()) {
                NodeContext context = context(node);
                Kernel kernel = compile(context);
                if ((context.readsNoInputs() || allInputsConstant(node)) && fold(context, kernel)) {
                    folded++;
                } else {
                    pending.add(node);
                }
            }
            Map<String, Value> made = new LinkedHashMap<>();
            Fusion.Result fusion;
            try {
                fusion = Fusion.apply(pending, constants::get, made, graphOutputs, opset);
            } finally {
                constants.putAll(made);
            }
            List<OnnxNode> live = liveNodes(fusion.nodes());
            Map<String, Integer> slots = new LinkedHashMap<>();
            dropUnreadConstants(live);
            constants.keySet().forEach(name -> slots.put(name, slots.size()));
            int[] inputSlots = new int[inputInfos.size()];
            for (int i = 0; i < inputSlots.length; i++) {
                String name = inputInfos.get(i).name();
                slots.put(name, slots.size());
                inputSlots[i] = slots.get(name);
            }
            List<Kernel> kernels = new ArrayList<>();
            List<NodeContext> contexts = new ArrayList<>();
            for (OnnxNode node : live) {
                NodeContext context = context(node);
                kernels.add(compile(context));
                contexts.add(context);
                for (String input : node.inputs()) {
                    if (!input.isEmpty() && !slots.containsKey(input)) {
                        throw new OnnxFormatException(context.describe() + " reads \"" + input
                                + "\", which no earlier node, input or initializer defines");
                    }
                }
                for (String output : node.outputs()) {
                    if (!output.isEmpty()) {
                        slots.put(output, slots.size());
                    }
                }
            }
            int[] outputSlots = new int[outputInfos.size()];
            for (int i = 0; i < outputSlots.length; i++) {
                Integer slot = slots.get(outputInfos.get(i).name());
                if (slot == null) {
                    throw new OnnxFormatException("graph output \"" + outputInfos.get(i).name() + "\" is never computed");
                }
                outputSlots[i] = slot;
            }
            List<Step> steps = steps(live, kernels, contexts, slots, outputSlots);
            Value[] constantSlots = new Value[slots.size()];
            constants.forEach((name, value) -> constantSlots[slots.get(name)] = value);
            // The weights belong to the model, not to a TensorScope the caller may have loaded it in.
            constants.values().stream().filter(v -> v.tensor() != null).forEach(v -> TensorScope.detach(v.tensor()));
            OnnxModel model = new OnnxModel(device, opset, List.copyOf(inputInfos), List.copyOf(outputInfos),
                    inputSlots, outputSlots, constantSlots, steps, fusion.fused(), folded);
            LOG.info("ONNX model on {}: opset {}, {} nodes -> {} steps ({} folded at load, fused {})", device, opset,
                    graph.nodes().size(), steps.size(), folded, fusion.fused());
            return model;
        }

        private NodeContext context(OnnxNode node) throws UnsupportedOnnxException {
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx") && !node.domain().equals(NnOps.FUSED)) {
                throw new UnsupportedOnnxException(node.opType() + " node \"" + node.name() + "\" (domain \""
                        + node.domain() + "\", opset " + graph.opsetImports().get(node.domain())
                        + "): ops outside ONNX's default domain are not supported");
            }
            return new NodeContext(node, opset, constants::get, staticShapes::get);
        }

        private Kernel compile(NodeContext context) throws UnsupportedOnnxException {
            OnnxNode node = context.node();
            String key = node.domain().equals(NnOps.FUSED) ? NnOps.FUSED + ":" + node.opType() : node.opType();
            Compiler compiler = OPS.get(key);
            if (compiler == null) {
                throw context.unsupported("the op " + node.opType() + " is not supported");
            }
            Kernel kernel = compiler.compile(context);
            context.checkAllAttributesRead();
            return kernel;
        }

        private boolean allInputsConstant(OnnxNode node) {
            for (String input : node.inputs()) {
                if (!input.isEmpty() && !constants.containsKey(input)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Runs a node whose inputs are all known now; its outputs become constants (on the device, and
         * on the host when small). False when it would allocate beyond the fold budget: it runs at run
         * time then.
         */
        private boolean fold(NodeContext context, Kernel kernel) throws IOException {
            if (foldBudget <= 0) {
                return false;
            }
            OnnxNode node = context.node();
            Value[] in = new Value[node.inputs().size()];
            if (!context.readsNoInputs()) {
                for (int i = 0; i < in.length; i++) {
                    in[i] = node.inputs().get(i).isEmpty() ? null : constants.get(node.inputs().get(i));
                }
            }
            Value[] out;
            try (Args args = new Args(device, in, foldBudget)) {
                out = kernel.run(args);
            } catch (Args.TooLargeToFold e) {
                return false;
            } catch (RuntimeException e) {
                throw new OnnxFormatException(context.describe() + ": its inputs are constants, but computing it"
                        + " failed: " + e.getMessage(), e);
            }
            for (int i = 0; i < out.length; i++) {
                Value value = out[i];
                if (value == null) {
                    continue;
                }
                if (!context.wantsOutput(i)) {
                    value.close();
                    continue;
                }
                Value complete = value.tensor() != null ? value : new Value(value.host().upload(device), value.host());
                foldBudget -= complete.tensor().numel() * complete.tensor().dtype().byteSize();
                Value previous = constants.put(node.outputs().get(i), complete);
                if (previous != null) {
                    previous.close();
                }
            }
            return true;
        }

        /** The nodes some graph output depends on, in order; the rest would compute values nobody reads. */
        private List<OnnxNode> liveNodes(List<OnnxNode> nodes) {
            Set<String> needed = new HashSet<>(graphOutputs);
            List<OnnxNode> live = new ArrayList<>();
            for (int i = nodes.size() - 1; i >= 0; i--) {
                OnnxNode node = nodes.get(i);
                if (node.outputs().stream().anyMatch(needed::contains)) {
                    live.add(node);
                    node.inputs().stream().filter(n -> !n.isEmpty()).forEach(needed::add);
                }
            }
            Collections.reverse(live);
            return live;
        }

        /** Frees constants that only folded or fused-away nodes read (a MatMul weight replaced by its transpose). */
        private void dropUnreadConstants(List<OnnxNode> live) {
            Set<String> read = new HashSet<>(graphOutputs);
            live.forEach(node -> read.addAll(node.inputs()));
            constants.entrySet().removeIf(entry -> {
                if (read.contains(entry.getKey())) {
                    return false;
                }
                entry.getValue().close();
                return true;
            });
        }

        private List<Step> steps(List<OnnxNode> live, List<Kernel> kernels, List<NodeContext> contexts,
                                 Map<String, Integer> slots, int[] outputSlots) {
            int[] lastUse = new int[slots.size()];
            Arrays.fill(lastUse, -1);
            for (int s = 0; s < live.size(); s++) {
                for (String input : live.get(s).inputs()) {
                    if (!input.isEmpty()) {
                        lastUse[slots.get(input)] = s;
                    }
                }
            }
            Set<Integer> kept = new HashSet<>();
            for (int slot : outputSlots) {
                kept.add(slot);
            }
            List<List<Integer>> frees = new ArrayList<>();
            live.forEach(n -> frees.add(new ArrayList<>()));
            for (int s = 0; s < live.size(); s++) {
                for (String output : live.get(s).outputs()) {
                    if (output.isEmpty()) {
                        continue;
                    }
                    int slot = slots.get(output);
                    if (!kept.contains(slot)) {
                        frees.get(Math.max(lastUse[slot], s)).add(slot);
                    }
                }
            }
            List<Step> steps = new ArrayList<>();
            for (int s = 0; s < live.size(); s++) {
                OnnxNode node = live.get(s);
                int[] in = node.inputs().stream().mapToInt(n -> n.isEmpty() ? -1 : slots.get(n)).toArray();
                int[] out = node.outputs().stream().mapToInt(n -> n.isEmpty() ? -1 : slots.get(n)).toArray();
                int[] free = frees.get(s).stream().mapToInt(Integer::intValue).toArray();
                steps.add(new Step(contexts.get(s).describe(), kernels.get(s), in, out, free));
            }
            return List.copyOf(steps);
        }

        private OnnxTensorInfo describe(String role, OnnxValueInfo info) throws UnsupportedOnnxException {
            if (!info.kind().equals("tensor")) {
                throw new UnsupportedOnnxException("graph " + role + " \"" + info.name() + "\" is a " + info.kind()
                        + "; torchcl runs tensors only");
            }
            DType dtype = Dtypes.of(info.elemType(), info.elemCode(), () -> "graph " + role + " \"" + info.name() + "\"");
            List<OnnxTensorInfo.Dim> dims = null;
            if (info.shape() != null) {
                dims = new ArrayList<>();
                for (OnnxValueInfo.Dim d : info.shape()) {
                    boolean fixed = d.size() >= 0 && d.size() <= Integer.MAX_VALUE && d.symbol() == null;
                    dims.add(new OnnxTensorInfo.Dim(fixed ? (int) d.size() : -1, d.symbol()));
                }
                dims = List.copyOf(dims);
            }
            return new OnnxTensorInfo(info.name(), dtype, dims);
        }

        private static int[] fixedShape(OnnxTensorInfo info) {
            if (info.shape() == null) {
                return null;
            }
            int[] shape = new int[info.shape().size()];
            for (int i = 0; i < shape.length; i++) {
                if (!info.shape().get(i).isFixed()) {
                    return null;
                }
                shape[i] = info.shape().get(i).size();
            }
            return shape;
        }
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs the graph on {@code feeds} (every graph input by name, on this model's device, of the
     * declared dtype and fixed dims) and returns every graph output by name, in the model's order.
     * The caller owns and closes the returned tensors; the feeds stay the caller's.
     *
     * @throws IllegalArgumentException      for a missing, unknown, closed or mismatched input, or when
     *                                       a node cannot run on these shapes (the message names the node)
     * @throws UnsupportedOperationException when the inputs ask for something torchcl does not do
     *                                       (training-mode Dropout with a non-zero ratio)
     */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        if (closed) {
            throw new IllegalStateException("run: the model is closed");
        }
        if (feeds == null) {
            throw new IllegalArgumentException("run: feeds must not be null");
        }
        checkFeeds(feeds);
        Value[] slots = constants.clone();
        boolean[] owned = new boolean[slots.length];
        for (int i = 0; i < inputSlots.length; i++) {
            slots[inputSlots[i]] = Value.of(feeds.get(inputs.get(i).name()));
        }
        long base = device.memoryStats().allocatedBytes();
        long peak = 0;
        Map<String, Tensor> results = new LinkedHashMap<>();
        try {
            for (Step step : steps) {
                Value[] in = new Value[step.inputs.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = step.inputs[i] < 0 ? null : slots[step.inputs[i]];
                }
                Value[] out;
                try (Args args = new Args(device, in)) {
                    out = step.kernel.run(args);
                } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
                    throw new IllegalArgumentException(step.describe + ": " + e.getMessage(), e);
                } catch (UnsupportedOperationException e) {
                    throw new UnsupportedOperationException(step.describe + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    throw new IllegalStateException(step.describe + ": " + e.getMessage(), e);
                }
                for (int i = 0; i < out.length; i++) {
                    if (out[i] == null) {
                        continue;
                    }
                    if (i < step.outputs.length && step.outputs[i] >= 0) {
                        slots[step.outputs[i]] = out[i];
                        owned[step.outputs[i]] = true;
                    } else {
                        out[i].close();
                    }
                }
                peak = Math.max(peak, device.memoryStats().allocatedBytes() - base);
                for (int slot : step.freeAfter) {
                    if (owned[slot]) {
                        slots[slot].close();
                        slots[slot] = null;
                        owned[slot] = false;
                    }
                }
            }
            for (int i = 0; i < outputSlots.length; i++) {
                int slot = outputSlots[i];
                Value value = slots[slot];
                Tensor result;
                if (value.tensor() == null) {
                    result = value.host().upload(device);
                } else if (owned[slot]) {
                    result = value.tensor();
                    owned[slot] = false;
                    slots[slot] = Value.of(result);
                } else {
                    result = ShapeOps.alias(value.tensor());
                }
                results.put(outputs.get(i).name(), result);
            }
            lastRunPeakBytes.set(peak);
            return results;
        } catch (RuntimeException | Error e) {
            results.values().forEach(Tensor::close);
            throw e;
        } finally {
            for (int slot = 0; slot < slots.length; slot++) {
                if (owned[slot]) {
                    slots[slot].close();
                }
            }
        }
    }

    private void checkFeeds(Map<String, Tensor> feeds) {
        Set<String> names = new HashSet<>();
        inputs.forEach(info -> names.add(info.name()));
        for (String name : feeds.keySet()) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("run: \"" + name + "\" is not an input of the model; its inputs are "
                        + names);
            }
        }
        for (OnnxTensorInfo info : inputs) {
            Tensor t = feeds.get(info.name());
            if (t == null) {
                throw new IllegalArgumentException("run: input \"" + info.name() + "\" (" + info + ") is missing");
            }
            if (t.isClosed()) {
                throw new IllegalArgumentException("run: input \"" + info.name() + "\" is closed");
            }
            if (!t.device().equals(device)) {
                throw new IllegalArgumentException("run: input \"" + info.name() + "\" is on " + t.device()
                        + " but the model is on " + device + "; move it with .to(device)");
            }
            if (t.dtype() != info.dtype()) {
                throw new IllegalArgumentException("run: input \"" + info.name() + "\" is " + t.dtype()
                        + " but the model declares " + info.dtype());
            }
            if (info.shape() != null) {
                int[] shape = t.shape();
                boolean matches = shape.length == info.shape().size();
                for (int d = 0; matches && d < shape.length; d++) {
                    matches = !info.shape().get(d).isFixed() || info.shape().get(d).size() == shape[d];
                }
                if (!matches) {
                    throw new IllegalArgumentException("run: input \"" + info.name() + "\" has shape "
                            + Arrays.toString(shape) + " but the model declares " + info.shape());
                }
            }
        }
    }

    // ---------------------------------------------------------------- description

    public Device device() {
        return device;
    }

    /** The opset of ONNX's default domain the model imports. */
    public long opsetVersion() {
        return opset;
    }

    /** The graph inputs a run needs (initializers that older exporters also list as inputs are not among them). */
    public List<OnnxTensorInfo> inputs() {
        return inputs;
    }

    public List<OnnxTensorInfo> outputs() {
        return outputs;
    }

    /**
     * The most device memory the last completed run held at once beyond what was allocated when it
     * started (intermediates and outputs; the weights are not counted), sampled after every step.
     * Concurrent runs on the same device count each other's tensors.
     */
    public long lastRunPeakBytes() {
        return lastRunPeakBytes.get();
    }

    /**
     * How many spelled-out subgraphs were fused at load, by fused op ({@code LayerNorm}, {@code Gelu},
     * {@code Linear}, {@code Attention}).
     */
    public Map<String, Integer> fusedSubgraphs() {
        return fused;
    }

    /** The number of ops a run executes, after folding and fusion. */
    public int stepCount() {
        return steps.size();
    }

    /** The number of nodes computed once at load time because their inputs were constants. */
    public int foldedNodeCount() {
        return foldedNodes;
    }

    /** Frees the weights. Runs must have finished. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Value constant : constants) {
            if (constant != null) {
                constant.close();
            }
        }
    }

    @Override
    public String toString() {
        return "OnnxModel(opset " + opset + ", inputs " + inputs + ", outputs " + outputs + ", " + steps.size()
                + " steps on " + device + ")";
    }
}
