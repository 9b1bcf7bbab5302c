package org.torchcl.nn;

import org.torchcl.Tensor;

/**
 * Runs its children in order, each on the previous one's output; children are named {@code 0},
 * {@code 1}, ... as in PyTorch, so parameters read {@code 0.weight}, {@code 2.bias}. Each
 * intermediate output is closed as soon as the next module has consumed it.
 */
public final class Sequential extends IndexedModules {

    public Sequential(Module... modules) {
        super(modules);
    }

    /** Adds {@code module} at the end, named by its position; returns this. */
    public Sequential append(Module module) {
        appendIndexed(module);
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("Sequential.forward: input must not be null");
        }
        Tensor current = input;
        try {
            for (Module module : children()) {
                Tensor next = module.forward(current);
                closeIntermediate(current, next, input);
                current = next;
            }
        } catch (RuntimeException | Error e) {
            closeIntermediate(current, null, input);
            throw e;
        }
        if (current == input) {
            // An empty Sequential (or identity children): hand back a view, never the caller's own object.
            return input.reshape(input.shape());
        }
        return current;
    }

    private static void closeIntermediate(Tensor current, Tensor next, Tensor input) {
        if (current != input && current != next) {
            current.close();
        }
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        int[] shape = inputShape;
        for (Module module : children()) {
            shape = propagateShape(module, shape);
        }
        return shape;
    }
}
