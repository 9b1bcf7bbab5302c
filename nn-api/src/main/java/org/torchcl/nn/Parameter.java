package org.torchcl.nn;

import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;

/**
 * A module's learnable tensor. The module owns it: {@link Module#close()} and {@link Module#to}
 * manage its memory, so callers should not close {@link #data()} themselves.
 */
public class Parameter {

    private volatile Tensor data;

    /** Takes ownership of {@code data}: no {@link TensorScope} will close it from now on. */
    public Parameter(Tensor data) {
        if (data == null) {
            throw new IllegalArgumentException("parameter data must not be null (use UninitializedParameter)");
        }
        this.data = TensorScope.detach(data);
    }

    /** For {@link UninitializedParameter}, which has no data yet. */
    Parameter() {
        this.data = null;
    }

    /** The tensor holding the values. */
    public Tensor data() {
        return data;
    }

    public int[] shape() {
        return data().shape();
    }

    public long numel() {
        return data().numel();
    }

    public boolean isInitialized() {
        return true;
    }

    /**
     * Moves the values to {@code target} and releases the old copy; nothing happens when they are
     * there already, so tensors handed out by {@code stateDict()} stay valid.
     */
    void moveTo(Device target) {
        Tensor old = data;
        if (old.device().equals(target)) {
            return;
        }
        data = TensorScope.detach(old.to(target));
        old.close();
    }

    void close() {
        Tensor current = data;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public String toString() {
        Tensor current = data;
        return "Parameter(shape=" + java.util.Arrays.toString(current.shape()) + ", device=" + current.device() + ")";
    }
}
