package org.torchcl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Closes every tensor created inside it, on its thread, except those {@link #keep kept}:
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *     Tensor h = x.matmul(w).relu();           // closed when the scope closes
 *     return scope.keep(h.add(bias));          // survives: the caller owns it
 * }
 * }</pre>
 *
 * Scopes nest; a kept tensor moves to the enclosing scope, or out of scope management when there
 * is none. A module's parameters are never scope-managed ({@link #detach}), so a layer
 * materialized inside a scope keeps its weights. A scope belongs to the thread that opened it and
 * must be closed there, innermost first.
 */
public final class TensorScope implements AutoCloseable {

    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread owner = Thread.currentThread();
    private final Set<Tensor> tensors = new LinkedHashSet<>();
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /** Opens a scope on this thread, nested in the current one if any. */
    public static TensorScope open() {
        TensorScope scope = new TensorScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** Called for every new tensor: the innermost open scope of this thread takes it. */
    static void register(Tensor tensor) {
        TensorScope scope = CURRENT.get();
        if (scope != null) {
            scope.add(tensor);
        }
    }

    /**
     * Takes {@code tensor} out of this scope: it moves to the enclosing scope, or to the caller when
     * there is none. Returns it, so {@code return scope.keep(result);} reads naturally.
     */
    public Tensor keep(Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("keep: tensor must not be null");
        }
        if (tensor.scope() != this) {
            throw new IllegalArgumentException("keep: " + tensor + " does not belong to this scope");
        }
        remove(tensor);
        if (parent != null) {
            parent.add(tensor);
        }
        return tensor;
    }

    /** Takes {@code tensor} out of whatever scope holds it; the caller (or a module) owns it now. */
    public static Tensor detach(Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("detach: tensor must not be null");
        }
        TensorScope scope = tensor.scope();
        if (scope != null) {
            scope.remove(tensor);
        }
        return tensor;
    }

    private synchronized void add(Tensor tensor) {
        tensors.add(tensor);
        tensor.scope(this);
    }

    private synchronized void remove(Tensor tensor) {
        tensors.remove(tensor);
        tensor.scope(null);
    }

    /** The number of tensors this scope would close now. */
    public synchronized int size() {
        return tensors.size();
    }

    /**
     * Closes the tensors this scope holds, newest first, and makes the enclosing scope current.
     *
     * @throws IllegalStateException on another thread, or while a scope opened inside it is still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a TensorScope must be closed on the thread that opened it (" + owner.getName()
                    + "), not on " + Thread.currentThread().getName());
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("close the inner TensorScope before this one");
        }
        closed = true;
        List<Tensor> owned;
        synchronized (this) {
            owned = new ArrayList<>(tensors);
            tensors.clear();
        }
        CURRENT.set(parent);
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).scope(null);
                owned.get(i).close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
