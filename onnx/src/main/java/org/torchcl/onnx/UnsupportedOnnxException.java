package org.torchcl.onnx;

import java.io.IOException;

/**
 * The model is a valid ONNX file but uses something torchcl does not run: an op, an attribute or
 * attribute value, a dtype, or an opset outside 7..17. Thrown when the model loads, never while it
 * runs; the message names the op, the node and the opset.
 */
public final class UnsupportedOnnxException extends IOException {

    public UnsupportedOnnxException(String message) {
        super(message);
    }
}
