package org.torchcl.nn;

import java.util.Iterator;
import org.torchcl.Tensor;

/**
 * Holds modules in a list, as {@code nn.ModuleList}: they are registered as children named
 * {@code 0}, {@code 1}, ..., so their parameters read {@code 0.weight}, {@code layers.3.norm1.bias}
 * from a parent, and they move, close, switch modes and load state with it. It has no forward of
 * its own: the owner decides how to run them (iterate it).
 */
public final class ModuleList extends IndexedModules implements Iterable<Module> {

    public ModuleList(Module... modules) {
        super(modules);
    }

    /** Appends {@code module}, named by its position; returns this. */
    public ModuleList add(Module module) {
        appendIndexed(module);
        return this;
    }

    /** The modules in order, over a snapshot taken now. */
    @Override
    public Iterator<Module> iterator() {
        return children().iterator();
    }

    /** @throws UnsupportedOperationException always, as PyTorch's ModuleList has no forward either */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward: iterate it and call each module");
    }
}
