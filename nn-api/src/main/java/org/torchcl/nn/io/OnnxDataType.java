package org.torchcl.nn.io;

import org.torchcl.DType;

/**
 * ONNX's {@code TensorProto.DataType} codes. Those with a torchcl {@link DType} load as that dtype,
 * bytes unchanged; DOUBLE loads as float32 (rounded); the rest are recognized so an error can say
 * what the file holds.
 */
public enum OnnxDataType {
    FLOAT(1, 4, DType.FLOAT32),
    UINT8(2, 1, null),
    INT8(3, 1, null),
    UINT16(4, 2, null),
    INT16(5, 2, null),
    INT32(6, 4, DType.INT32),
    INT64(7, 8, DType.INT64),
    STRING(8, 0, null),
    BOOL(9, 1, DType.BOOL),
    FLOAT16(10, 2, DType.FLOAT16),
    DOUBLE(11, 8, DType.FLOAT32),
    UINT32(12, 4, null),
    UINT64(13, 8, null),
    COMPLEX64(14, 8, null),
    COMPLEX128(15, 16, null),
    BFLOAT16(16, 2, DType.BFLOAT16);

    /** The code in {@code TensorProto.data_type}. */
    public final int code;
    /** Bytes per element in {@code raw_data} (0 for STRING, which has no raw form). */
    public final int bytes;
    private final DType loadsAs;

    OnnxDataType(int code, int bytes, DType loadsAs) {
        this.code = code;
        this.bytes = bytes;
        this.loadsAs = loadsAs;
    }

    /** The torchcl dtype this type loads as, or null when torchcl has none. */
    public DType loadsAs() {
        return loadsAs;
    }

    /** The type with {@code code}, or null for an unknown code. */
    static OnnxDataType of(long code) {
        for (OnnxDataType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
