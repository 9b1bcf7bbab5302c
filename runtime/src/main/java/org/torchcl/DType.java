package org.torchcl;

/**
 * The element types a {@link Tensor} can hold, named as in PyTorch ({@code torch.float32} is
 * {@link #FLOAT32}). Floating-point ops compute in float32 whatever the storage type: FLOAT16
 * and BFLOAT16 are storage types that halve a weight's memory, converted with round-to-nearest-even
 * exactly as PyTorch converts. Integer ops compute in 64-bit integers.
 */
public enum DType {
    FLOAT32(4, "F32"),
    FLOAT16(2, "F16"),
    BFLOAT16(2, "BF16"),
    INT64(8, "I64"),
    INT32(4, "I32"),
    BOOL(1, "BOOL");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype's name in a safetensors header ({@code F32}, {@code BF16}, {@code I64}, ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** FLOAT32, FLOAT16 or BFLOAT16. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16;
    }

    /** INT64 or INT32 (not BOOL, as PyTorch's {@code is_integral(includeBool=False)}). */
    public boolean isInteger() {
        return this == INT64 || this == INT32;
    }

    /**
     * The dtype of an op's result on tensors of dtypes {@code a} and {@code b}, by PyTorch's
     * promotion rules for tensors of the same kind of dimension: bool &lt; integers &lt; floats;
     * within a kind the wider type wins, and FLOAT16 with BFLOAT16 gives FLOAT32.
     */
    public static DType promote(DType a, DType b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("dtypes must not be null, got " + a + " and " + b);
        }
        if (a == b) {
            return a;
        }
        if (a.isFloatingPoint() && b.isFloatingPoint()) {
            return FLOAT32;
        }
        if (a.isFloatingPoint()) {
            return a;
        }
        if (b.isFloatingPoint()) {
            return b;
        }
        if (a == BOOL) {
            return b;
        }
        if (b == BOOL) {
            return a;
        }
        return INT64;
    }

    /** The dtype named {@code name} in a safetensors header, or null if torchcl has no such dtype. */
    public static DType fromSafetensorsName(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** {@code torch.float32}-style name, for messages. */
    @Override
    public String toString() {
        return switch (this) {
            case FLOAT32 -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case BOOL -> "bool";
        };
    }
}
