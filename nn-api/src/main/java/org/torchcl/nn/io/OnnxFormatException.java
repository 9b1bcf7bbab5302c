package org.torchcl.nn.io;

import java.io.IOException;

/**
 * A file is not a valid ONNX model, or holds something torchcl cannot load: the message names the
 * message field or tensor and the byte offset of the problem. The only exception the ONNX reader
 * throws for bad content, however the file is damaged.
 */
public final class OnnxFormatException extends IOException {

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
