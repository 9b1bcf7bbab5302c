package org.torchcl.onnx;

import java.util.List;
import org.torchcl.DType;

/**
 * A graph input or output as the model declares it: name, dtype and dims, each dim a fixed size or
 * a symbolic name such as {@code "batch_size"}.
 *
 * @param shape the declared dims, or null when the model does not declare the rank
 */
public record OnnxTensorInfo(String name, DType dtype, List<Dim> shape) {

    /** One dim: {@code size >= 0} when fixed, else -1 with {@code symbol} naming it (null when the model gives no name). */
    public record Dim(int size, String symbol) {

        public boolean isFixed() {
            return size >= 0;
        }

        @Override
        public String toString() {
            return size >= 0 ? Integer.toString(size) : symbol != null ? symbol : "?";
        }
    }

    @Override
    public String toString() {
        return name + ": " + dtype + (shape == null ? "[?]" : shape.toString());
    }
}
