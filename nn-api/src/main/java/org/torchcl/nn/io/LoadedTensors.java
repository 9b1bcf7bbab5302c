package org.torchcl.nn.io;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.torchcl.Tensor;

/**
 * The tensors of a safetensors file, by name in file order, plus its {@code __metadata__}. A
 * read-only {@code Map}, so it goes straight into {@code module.loadStateDict(...)}; the tensors
 * belong to it, and {@link #close()} frees them all.
 */
public final class LoadedTensors extends AbstractMap<String, Tensor> implements AutoCloseable {

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    LoadedTensors(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = metadata;
    }

    /** The file's {@code __metadata__} (empty when it has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors whose names start with {@code prefix}, with the prefix removed (a sub-module's state). */
    public Map<String, Tensor> withPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null (use \"\" for all)");
        }
        Map<String, Tensor> selected = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> {
            if (name.startsWith(prefix)) {
                selected.put(name.substring(prefix.length()), tensor);
            }
        });
        return Collections.unmodifiableMap(selected);
    }

    @Override
    public Set<Entry<String, Tensor>> entrySet() {
        return tensors.entrySet();
    }

    @Override
    public void close() {
        tensors.values().forEach(Tensor::close);
    }
}
