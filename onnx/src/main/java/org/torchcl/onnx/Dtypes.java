package org.torchcl.onnx;

import java.util.function.Supplier;
import org.torchcl.DType;
import org.torchcl.nn.io.OnnxDataType;

/** ONNX element types to torchcl dtypes: the six torchcl has; double, strings, 8/16-bit and unsigned integers are refused. */
final class Dtypes {

    private Dtypes() {
    }

    static DType of(long code, Supplier<String> where) throws UnsupportedOnnxException {
        OnnxDataType type = null;
        for (OnnxDataType t : OnnxDataType.values()) {
            if (t.code == code) {
                type = t;
            }
        }
        return of(type, code, where);
    }

    static DType of(OnnxDataType type, long code, Supplier<String> where) throws UnsupportedOnnxException {
        if (type == null) {
            throw new UnsupportedOnnxException(where.get() + " has element type " + code + ", which ONNX does not define");
        }
        // DOUBLE loads as float32 in the weight readers, but a graph computing in double would then answer in float.
        if (type.loadsAs() == null || type == OnnxDataType.DOUBLE) {
            throw new UnsupportedOnnxException(where.get() + " is " + type + "; torchcl runs FLOAT, FLOAT16, BFLOAT16,"
                    + " INT64, INT32 and BOOL");
        }
        return type.loadsAs();
    }
}
