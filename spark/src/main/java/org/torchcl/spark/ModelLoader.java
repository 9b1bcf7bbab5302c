package org.torchcl.spark;

import java.io.IOException;
import java.io.Serializable;
import org.torchcl.Device;

/**
 * Builds the module tree and loads a {@link ModelBundle}'s weights into it on a device. Shipped to
 * the executors inside the task closure, so it must be serializable: a lambda cast to this type, or
 * a small class naming which model to build (see {@link SafetensorsModel}, {@link SentenceEmbeddingModel}).
 */
@FunctionalInterface
public interface ModelLoader extends Serializable {

    /** A ready-to-score model; on failure it must free whatever it had allocated. */
    BatchModel load(ModelBundle bundle, Device device) throws IOException;
}
