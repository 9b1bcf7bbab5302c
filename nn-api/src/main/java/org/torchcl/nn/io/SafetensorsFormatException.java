package org.torchcl.nn.io;

import java.io.IOException;

/**
 * A file is not valid safetensors, or holds something torchcl cannot load: the message names the
 * tensor (when there is one) and the offending value. The only exception the reader throws for bad
 * content, however the file is damaged.
 */
public final class SafetensorsFormatException extends IOException {

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
