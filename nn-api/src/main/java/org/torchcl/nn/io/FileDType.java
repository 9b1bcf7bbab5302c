package org.torchcl.nn.io;

import org.torchcl.DType;

/**
 * The element types a safetensors file can name. Those with a torchcl {@link DType} load as that
 * dtype, bytes unchanged; F64 loads as float32 (rounded); the rest are recognized so the error
 * can say what the file holds.
 */
enum FileDType {
    F64(8, DType.FLOAT32),
    F32(4, DType.FLOAT32),
    F16(2, DType.FLOAT16),
    BF16(2, DType.BFLOAT16),
    F8_E4M3(1, null),
    F8_E5M2(1, null),
    I64(8, DType.INT64),
    I32(4, DType.INT32),
    I16(2, null),
    I8(1, null),
    U64(8, null),
    U32(4, null),
    U16(2, null),
    U8(1, null),
    BOOL(1, DType.BOOL);

    final int bytes;
    private final DType loadsAs;

    FileDType(int bytes, DType loadsAs) {
        this.bytes = bytes;
        this.loadsAs = loadsAs;
    }

    boolean loadable() {
        return loadsAs != null;
    }

    /** The torchcl dtype this file type loads as, or null. */
    DType loadsAs() {
        return loadsAs;
    }

    /** The dtype called {@code name}, or null when safetensors has no such type. */
    static FileDType named(String name) {
        for (FileDType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
