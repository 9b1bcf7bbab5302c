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
import org.torchcl.Torch;

/**
 * A layer or a model: parameters and child modules, registered by name, and a {@link #forward}.
 * Names are PyTorch's: a child {@code fc}'s weight is {@code fc.weight} in
 * {@link #namedParameters()}, {@link #stateDict()} and {@link #loadStateDict}.
 *
 * <p>A module lives on one {@link Device} (the options' device, else the default device when it is
 * made); {@link #to} moves it, and a lazy module materializes on the device it was moved to.
 * {@link #close()} frees every parameter's memory.
 *
 * <p>{@code forward} returns a new tensor the caller owns; intermediates are closed inside.
 */
public abstract class Module implements AutoCloseable {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private volatile Device device;

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
        checkName(name, children.containsKey(name) ? "a child module" : null);
        synchronized (parameters) {
            parameters.put(name, parameter);
        }
        return parameter;
    }

    /** Adds (or replaces) a child module; returns it. */
    public <M extends Module> M registerModule(String name, M module) {
        checkName(name, parameters.containsKey(name) ? "a parameter" : null);
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

    /** Whether {@code other} is this module or one below it. */
    private boolean contains(Module other) {
        return other == this || children().stream().anyMatch(child -> child.contains(other));
    }

    /** Visits this module and its descendants depth-first with their name prefixes ({@code ""}, {@code "fc."}). */
    private void forEachModule(String prefix, BiConsumer<String, Module> visitor) {
        visitor.accept(prefix, this);
        namedChildren().forEach((name, child) -> child.forEachModule(prefix + name + ".", visitor));
    }

    /** Whether any parameter here or below is still an {@link UninitializedParameter}. */
    public boolean hasUninitializedParams() {
        return namedParameters().values().stream().anyMatch(p -> !p.isInitialized());
    }

    private List<String> uninitializedNames() {
        List<String> names = new ArrayList<>();
        namedParameters().forEach((name, p) -> {
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

    // ---------------------------------------------------------------- devices and lifecycle

    /**
     * Moves every parameter to {@code target}; lazy modules remember it and materialize there.
     * Returns this. Parameters already on {@code target} stay as they are; a real move replaces
     * them (tensors taken from {@link #stateDict()} before are closed), so do not move a model while
     * other threads run it.
     */
    public Module to(Device target) {
        if (target == null) {
            throw new IllegalArgumentException("target device must not be null");
        }
        ownParameters().values().forEach(p -> {
            if (p.isInitialized()) {
                p.moveTo(target);
            }
        });
        device = target;
        // Through each child's own to(), so overrides (LazyLinear's lock against materializing) apply.
        children().forEach(child -> child.to(target));
        return this;
    }

    /** Frees the memory of every parameter here and below. */
    @Override
    public void close() {
        forEachModule("", (prefix, module) -> module.ownParameters().values().forEach(Parameter::close));
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
     * Every parameter's tensor by dotted name, in {@link #namedParameters()} order. The tensors are
     * the module's own (not copies): read them, don't close them.
     *
     * @throws IllegalStateException naming the parameters that are still uninitialized
     */
    public Map<String, Tensor> stateDict() {
        List<String> uninitialized = uninitializedNames();
        if (!uninitialized.isEmpty()) {
            throw new IllegalStateException("stateDict: " + uninitialized
                    + " are uninitialized; run a forward pass, call initialize(inputShape...), or load a state dict first");
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> state.put(name, p.data()));
        return Collections.unmodifiableMap(state);
    }

    /**
     * Copies {@code state} into the parameters (from any device), strictly: every key must name a
     * parameter and every parameter must be present, with its shape. Uninitialized lazy layers are
     * materialized from the stored shapes. Everything is checked before anything changes; all
     * problems are reported in one exception.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        if (state == null) {
            throw new IllegalArgumentException("state must not be null");
        }
        Map<String, Parameter> expected = namedParameters();
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
            if (module.ownParameters().values().stream().anyMatch(p -> !p.isInitialized())) {
                module.materializeFromState(own);
            }
            module.ownParameters().forEach((name, p) -> p.data().copyFrom(own.get(name)));
        });
    }

    private static Map<String, Tensor> ownState(Module module, String prefix, Map<String, Tensor> state) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        for (String name : module.ownParameters().keySet()) {
            own.put(name, state.get(prefix + name));
        }
        return own;
    }

    /**
     * Adds to {@code problems} what would stop {@code own} (this module's entries, keyed by
     * parameter name) from loading. The default compares shapes; a lazy module checks the
     * uninitialized ones against what it can become.
     */
    protected void checkState(String prefix, Map<String, Tensor> own, List<String> problems) {
        own.forEach((name, tensor) -> {
            Parameter p = ownParameters().get(name);
            if (p.isInitialized() && !Arrays.equals(p.shape(), tensor.shape())) {
                problems.add(prefix + name + " has shape " + Arrays.toString(tensor.shape()) + " but the parameter is "
                        + Arrays.toString(p.shape()));
            } else if (!p.isInitialized()) {
                problems.add(prefix + name + " is uninitialized and " + getClass().getSimpleName()
                        + " cannot materialize it from a state dict");
            }
        });
    }

    /** Materializes uninitialized parameters to fit {@code own}, already checked by {@link #checkState}. */
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
