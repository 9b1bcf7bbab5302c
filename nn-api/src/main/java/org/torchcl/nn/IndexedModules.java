package org.torchcl.nn;

/**
 * What {@link Sequential} and {@link ModuleList} share: children registered in order under the names
 * {@code 0}, {@code 1}, ..., as PyTorch names them, read back by position.
 */
abstract class IndexedModules extends Module {

    IndexedModules(Module... modules) {
        if (modules == null) {
            throw new IllegalArgumentException("modules must not be null");
        }
        for (Module module : modules) {
            appendIndexed(module);
        }
    }

    /** Registers {@code module} as the next child, named by its position. */
    final void appendIndexed(Module module) {
        registerModule(String.valueOf(size()), module);
    }

    public int size() {
        return namedChildren().size();
    }

    public Module get(int index) {
        Module module = namedChildren().get(String.valueOf(index));
        if (module == null) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range for a "
                    + getClass().getSimpleName() + " of " + size());
        }
        return module;
    }
}
