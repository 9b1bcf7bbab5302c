package org.torchcl.spark;

import java.util.Locale;

/** What the output column holds: the model's whole output vector, or the index of its largest value. */
public enum OutputType {
    /** {@code array<float>}: embeddings, logits, scores. */
    ARRAY,
    /** {@code int}: the predicted class (first index of the maximum, as torch.argmax). */
    ARGMAX;

    /** {@code array} or {@code argmax}, case-insensitive. */
    public static OutputType parse(String name) {
        for (OutputType type : values()) {
            if (type.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return type;
            }
        }
        throw new IllegalArgumentException("outputType '" + name + "': expected array or argmax");
    }

    /** The param value: {@code array} or {@code argmax}. */
    public String paramValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
