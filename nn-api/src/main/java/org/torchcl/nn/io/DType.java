package org.torchcl.nn.io;

/**
 * The element types safetensors names. torchcl loads the floating-point ones into float32
 * ({@link #loadable()}); the rest are recognized so the error can say what the file holds.
 */
enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F8_E4M3(1, false),
    F8_E5M2(1, false),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U64(8, false),
    U32(4, false),
    U16(2, false),
    U8(1, false),
    BOOL(1, false);

    final int bytes;
    private final boolean loadable;

    DType(int bytes, boolean loadable) {
        this.bytes = bytes;
        this.loadable = loadable;
    }

    boolean loadable() {
        return loadable;
    }

    /** The dtype called {@code name}, or null when safetensors has no such type. */
    static DType named(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
