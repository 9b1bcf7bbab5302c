package org.torchcl.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * A layer or a model: parameters, buffers and child modules, registered by name, and a
 * {@link #forward}. Names are PyTorch's: a child {@code fc}'s weight is {@code fc.weight} in
 * {@link #namedParameters()}, {@link #stateDict()} and {@link #loadStateDict}, and a batch norm's
 * statistics are {@code bn.running_mean} in {@link #namedBuffers()} and the state dict.
 *
 * <p>Buffers are state that is not learned (running statistics, counters): they travel with the
 * module in {@link #to}, {@link #close()} and state dicts, but are not {@link #parameters()}.
 *
 * <p>A module is in training mode when made, as in PyTorch; {@link #eval()} switches it and every
 * descendant to inference behaviour (batch norm uses its running statistics, dropout passes its
 * input through), {@link #train()} back.
 *
 * <p>A module lives on one {@link Device} (the options' device, else the default device when it is
 * made); {@link #to} moves it, and a lazy module materializes on the device it was moved to.
 * {@link #close()} frees every parameter's and buffer's memory.
 *
 * <p>{@code forward} returns a new tensor the caller owns; intermediates are closed inside.
 */
public abstract class Module implements AutoCloseable {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    // Each buffer sits in a Parameter-shaped holder so moves, closing and lazy placeholders work as for parameters.
    private final Map<String, Parameter> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private volatile Device device;
    private volatile boolean closed;
    private volatile boolean training = true;

    /**
     * A module that follows the default device until {@link #to} pins it: for modules without
     * parameters of their own (containers, activations), so making one never resolves a device.
     */
    protected Module() {
        this.device = null;
    }

    /** A module on {@code device}, or on the default device of this moment when it is null. */
    protected Module(Device device) {
        this.device = device == null ? Torch.defaultDevice() : device;
    }

    /** Computes this module's output; the result belongs to the caller. */
    public abstract Tensor forward(Tensor input);

    /** The device this module's parameters live on, or will be materialized on. */
    public Device device() {
        Device pinned = device;
        return pinned == null ? Torch.defaultDevice() : pinned;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Adds (or replaces) a parameter; {@code null} registers the name with no parameter, as a
     * disabled bias. Returns {@code parameter}.
     */
    public <P extends Parameter> P registerParameter(String name, P parameter) {
        checkName(name, children.containsKey(name) ? "a child module" : buffers.containsKey(name) ? "a buffer" : null);
        synchronized (parameters) {
            parameters.put(name, parameter);
        }
        return parameter;
    }

    /**
     * Adds (or replaces) a buffer: state saved in the state dict and moved with the module, but not
     * learned, as {@code register_buffer}. The module takes ownership of {@code tensor} (no
     * {@link TensorScope} closes it from now on; {@link #close()} does) and closes the tensor of a
     * buffer it replaces. Returns {@code tensor}.
     */
    public Tensor registerBuffer(String name, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("buffer '" + name + "' must not be null");
        }
        if (tensor.isClosed()) {
            throw new IllegalArgumentException("buffer '" + name + "' is a closed tensor");
        }
        putBuffer(name, new Parameter(tensor));
        return tensor;
    }

    /**
     * The current tensor of this module's own buffer {@code name} (after {@link #to} it is a new
     * one, so fetch it when needed rather than keeping it).
     *
     * @throws IllegalArgumentException when there is no such buffer
     * @throws IllegalStateException while it is a lazy module's uninitialized buffer
     */
    protected final Tensor buffer(String name) {
        Parameter holder;
        synchronized (buffers) {
            holder = buffers.get(name);
        }
        if (holder == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'");
        }
        return holder.data();
    }

    /** For lazy modules: a buffer whose shape is not known yet, loaded or materialized later. */
    void registerUninitializedBuffer(String name, String owner) {
        putBuffer(name, new UninitializedParameter(owner));
    }

    private void putBuffer(String name, Parameter holder) {
        checkName(name, children.containsKey(name) ? "a child module" : parameters.containsKey(name) ? "a parameter" : null);
        Parameter replaced;
        synchronized (buffers) {
            replaced = buffers.put(name, holder);
        }
        if (replaced != null && replaced.isInitialized() && replaced.data() != holder.data()) {
            replaced.close();
        }
    }

    /** Adds (or replaces) a child module; returns it. */
    public <M extends Module> M registerModule(String name, M module) {
        checkName(name, parameters.containsKey(name) ? "a parameter" : buffers.containsKey(name) ? "a buffer" : null);
        if (module == null) {
            throw new IllegalArgumentException("module '" + name + "' must not be null");
        }
        if (module == this || ((Module) module).contains(this)) {
            throw new IllegalArgumentException("registering '" + name + "' would make a cycle: it already contains this "
                    + getClass().getSimpleName());
        }
        synchronized (children) {
            children.put(name, module);
        }
        return module;
    }

    private static void checkName(String name, String takenBy) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("name '" + name + "' must be non-empty and contain no '.'");
        }
        if (takenBy != null) {
            throw new IllegalArgumentException("name '" + name + "' is already used by " + takenBy);
        }
    }

    // ---------------------------------------------------------------- traversal

    /** This module's own parameters (not its children's), by name; absent ones (null) skipped. */
    protected final Map<String, Parameter> ownParameters() {
        Map<String, Parameter> own = new LinkedHashMap<>();
        synchronized (parameters) {
            parameters.forEach((name, p) -> {
                if (p != null) {
                    own.put(name, p);
                }
            });
        }
        return own;
    }

    /** This module's own buffer holders, by name, uninitialized placeholders included. */
    private Map<String, Parameter> ownBufferHolders() {
        synchronized (buffers) {
            return new LinkedHashMap<>(buffers);
        }
    }

    /** This module's own state (parameters, then buffers) by name, as its part of the state dict. */
    private Map<String, Parameter> ownState() {
        Map<String, Parameter> own = ownParameters();
        own.putAll(ownBufferHolders());
        return own;
    }

    /** Direct children, by name, in registration order. */
    public Map<String, Module> namedChildren() {
        synchronized (children) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(children));
        }
    }

    public List<Module> children() {
        return new ArrayList<>(namedChildren().values());
    }

    /** Every parameter of this module and its descendants, by dotted name: own first, then each child's. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        forEachModule("", (prefix, module) -> module.ownParameters().forEach((name, p) -> all.put(prefix + name, p)));
        return Collections.unmodifiableMap(all);
    }

    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Every materialized buffer of this module and its descendants, by dotted name ({@code bn1.running_mean}):
     * own first, then each child's. The tensors are the module's own: read them, don't close them. A lazy
     * module's buffers appear once it is materialized.
     */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        forEachModule("", (prefix, module) -> module.ownBufferHolders().forEach((name, b) -> {
            if (b.isInitialized()) {
                all.put(prefix + name, b.data());
            }
        }));
        return Collections.unmodifiableMap(all);
    }

    /** Every parameter and buffer slot here and below, by dotted name, in state-dict order. */
    private Map<String, Parameter> stateHolders() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        forEachModule("", (prefix, module) -> module.ownState().forEach((name, p) -> all.put(prefix + name, p)));
        return all;
    }

    /** Whether {@code other} is this module or one below it. */
    private boolean contains(Module other) {
        return other == this || children().stream().anyMatch(child -> child.contains(other));
    }

    /** Visits this module and its descendants depth-first with their name prefixes ({@code ""}, {@code "fc."}). */
    private void forEachModule(String prefix, BiConsumer<String, Module> visitor) {
        visitor.accept(prefix, this);
        namedChildren().forEach((name, child) -> child.forEachModule(prefix + name + ".", visitor));
    }

    /** Whether any parameter (or a lazy module's buffer) here or below is still uninitialized. */
    public boolean hasUninitializedParams() {
        return stateHolders().values().stream().anyMatch(p -> !p.isInitialized());
    }

    private List<String> uninitializedNames() {
        List<String> names = new ArrayList<>();
        stateHolders().forEach((name, p) -> {
            if (!p.isInitialized()) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * The number of parameter values.
     *
     * @throws IllegalStateException while lazy parameters are uninitialized: their size is unknown
     */
    public long numParameters() {
        List<String> uninitialized = uninitializedNames();
        if (!uninitialized.isEmpty()) {
            throw new IllegalStateException("the parameter count is not known yet: " + uninitialized
                    + " are uninitialized (run a forward pass, call initialize(inputShape...), or load a state dict)");
        }
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    // ---------------------------------------------------------------- modes

    /** Whether this module is in training mode (the default, as in PyTorch) rather than eval mode. */
    public boolean isTraining() {
        return training;
    }

    /** Puts this module and every descendant in training mode; returns this. */
    public Module train() {
        return train(true);
    }

    /** Puts this module and every descendant in training ({@code true}) or eval mode; returns this. */
    public Module train(boolean mode) {
        forEachModule("", (prefix, module) -> module.training = mode);
        return this;
    }

    /**
     * Puts this module and every descendant in eval mode, for inference: batch norm normalizes with
     * its running statistics and dropout is the identity. Returns this.
     */
    public Module eval() {
        return train(false);
    }

    // ---------------------------------------------------------------- devices and lifecycle

    /**
     * Moves every parameter and buffer to {@code target}; lazy modules remember it and materialize
     * there. Returns this. Tensors already on {@code target} stay as they are; a real move replaces
     * them (tensors taken from {@link #stateDict()} before are closed), so do not move a model while
     * other threads run it.
     */
    public Module to(Device target) {
        if (target == null) {
            throw new IllegalArgumentException("target device must not be null");
        }
        ownState().values().forEach(p -> {
            if (p.isInitialized()) {
                p.moveTo(target);
            }
        });
        device = target;
        // Through each child's own to(), so overrides (LazyLinear's lock against materializing) apply.
        children().forEach(child -> child.to(target));
        return this;
    }

    /**
     * Frees the memory of every parameter and buffer here and below. A closed module stays closed:
     * a lazy one refuses to materialize afterwards.
     */
    @Override
    public void close() {
        forEachModule("", (prefix, module) -> {
            module.closed = true;
            module.ownState().values().forEach(Parameter::close);
        });
    }

    /** Whether {@link #close()} was called on this module or on one above it. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Throws naming this module if it was closed: what lazy layers check before they allocate, so a
     * forward after {@code close()} cannot bring new weights to life.
     */
    protected final void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + "(" + extraRepr()
                    + ") is closed: its memory was freed and it does not materialize new parameters");
        }
    }

    // ---------------------------------------------------------------- shape-driven initialization

    /**
     * Materializes every lazy layer for inputs of {@code inputShape}, without running data where the
     * layers can propagate shapes (all built-in layers can); returns this.
     */
    public Module initialize(int... inputShape) {
        if (inputShape == null || inputShape.length == 0) {
            throw new IllegalArgumentException("initialize needs the input shape, e.g. initialize(32, 256)");
        }
        for (int d : inputShape) {
            if (d < 1) {
                throw new IllegalArgumentException("initialize: input shape " + Arrays.toString(inputShape)
                        + " has a dim < 1");
            }
        }
        propagateShape(inputShape.clone());
        return this;
    }

    /**
     * Lets a composite module chain its children's shape propagation from its own
     * {@link #propagateShape} override.
     */
    protected static int[] propagateShape(Module child, int[] inputShape) {
        return child.propagateShape(inputShape);
    }

    /**
     * Materializes what {@code inputShape} determines and returns the output shape. This default
     * runs a forward pass on zeros, which works for any module; built-in layers override it with
     * pure shape arithmetic.
     */
    protected int[] propagateShape(int[] inputShape) {
        try (Tensor probe = Torch.zeros(device(), inputShape); Tensor out = forward(probe)) {
            return out.shape();
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * Every parameter's and buffer's tensor by dotted name, in PyTorch's order: a module's own
     * parameters, then its own buffers, then each child's entries. The tensors are the module's own
     * (not copies): read them, don't close them.
     *
     * @throws IllegalStateException naming the parameters and buffers that are still uninitialized
     */
    public Map<String, Tensor> stateDict() {
        List<String> uninitialized = uninitializedNames();
        if (!uninitialized.isEmpty()) {
            throw new IllegalStateException("stateDict: " + uninitialized
                    + " are uninitialized; run a forward pass, call initialize(inputShape...), or load a state dict first");
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        stateHolders().forEach((name, p) -> state.put(name, p.data()));
        return Collections.unmodifiableMap(state);
    }

    /**
     * Copies {@code state} into the parameters and buffers (from any device, converted to each one's
     * dtype), strictly: every key must name a parameter or buffer and every one must be present,
     * with its shape. Uninitialized lazy layers are materialized from the stored shapes. Everything
     * is checked before anything changes; all problems are reported in one exception.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        Map<String, Parameter> expected = stateHolders();
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new LinkedHashSet<>(state.keySet());
        unexpected.removeAll(expected.keySet());
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing keys " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected keys " + unexpected);
        }
        state.forEach((name, tensor) -> {
            if (tensor == null || tensor.isClosed()) {
                problems.add(name + " is " + (tensor == null ? "null" : "closed"));
            }
        });
        if (problems.isEmpty()) {
            forEachModule("", (prefix, module) -> module.checkState(prefix, ownState(module, prefix, state), problems));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": "
                    + String.join("; ", problems));
        }
        forEachModule("", (prefix, module) -> {
            Map<String, Tensor> own = ownState(module, prefix, state);
            if (module.ownState().values().stream().anyMatch(p -> !p.isInitialized())) {
                module.materializeFromState(own);
            }
            module.ownState().forEach((name, p) -> p.data().copyFrom(own.get(name)));
        });
    }

    private static Map<String, Tensor> ownState(Module module, String prefix, Map<String, Tensor> state) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        for (String name : module.ownState().keySet()) {
            own.put(name, state.get(prefix + name));
        }
        return own;
    }

    /**
     * Adds to {@code problems} what would stop {@code own} (this module's entries, keyed by
     * parameter or buffer name) from loading. The default compares shapes; a lazy module checks the
     * uninitialized ones against what it can become.
     */
    protected void checkState(String prefix, Map<String, Tensor> own, List<String> problems) {
        Map<String, Parameter> slots = ownState();
        own.forEach((name, tensor) -> {
            Parameter p = slots.get(name);
            if (p.isInitialized() && !Arrays.equals(p.shape(), tensor.shape())) {
                problems.add(prefix + name + " has shape " + Arrays.toString(tensor.shape()) + " but the parameter is "
                        + Arrays.toString(p.shape()));
            } else if (!p.isInitialized()) {
                problems.add(prefix + name + " is uninitialized and " + getClass().getSimpleName()
                        + " cannot materialize it from a state dict");
            }
        });
    }

    /** Materializes uninitialized parameters and buffers to fit {@code own}, already checked by {@link #checkState}. */
    protected void materializeFromState(Map<String, Tensor> own) {
        throw new IllegalStateException(getClass().getSimpleName() + " cannot materialize from a state dict");
    }

    // ---------------------------------------------------------------- printing

    /** The part inside the parentheses of this module's line, e.g. {@code in_features=4, out_features=2}. */
    protected String extraRepr() {
        return "";
    }

    /** A tree like PyTorch's: {@code Sequential(\n  (0): Linear(in_features=4, ...)\n)}. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName().isEmpty() ? getClass().getName() : getClass().getSimpleName();
        Map<String, Module> kids = namedChildren();
        if (kids.isEmpty()) {
            return name + "(" + extraRepr() + ")";
        }
        StringBuilder out = new StringBuilder(name).append("(");
        if (!extraRepr().isEmpty()) {
            out.append("\n  ").append(extraRepr());
        }
        kids.forEach((childName, child) -> out.append("\n  (").append(childName).append("): ")
                .append(child.toString().replace("\n", "\n  ")));
        return out.append("\n)").toString();
    }
}
