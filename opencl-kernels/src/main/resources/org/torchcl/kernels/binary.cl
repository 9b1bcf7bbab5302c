// out[i] = OP(a[i], b[i]) over any three layouts (BinaryOp; -DOP=NAME, -DA_TYPE, -DB_TYPE, -DOUT_TYPE,
// see common.h); broadcasting arrives as zero strides. -DFLOAT_MATH=1 computes in float (a float
// operand or result, or DIV), else in long: each op is one F_ line and, unless it always computes in
// float, one L_ line. Comparisons and logical ops give 1 or 0, stored as bool by the host's choice.
// Integer arithmetic wraps (through ulong: signed overflow is undefined in OpenCL C) and integer
// division by zero gives 0 rather than trapping: on a CPU device a trap would kill the process.

#define F_ADD(a, b) ((a) + (b))
#define F_SUB(a, b) ((a) - (b))
#define F_MUL(a, b) ((a) * (b))
#define F_DIV(a, b) ((a) / (b))
#define F_DIV_TRUNC(a, b) trunc((a) / (b))
#define F_DIV_FLOOR(a, b) float_div_floor(a, b)
#define F_POW(a, b) pow(a, b)
#define F_MAXIMUM(a, b) nan_max(a, b)
#define F_MINIMUM(a, b) nan_min(a, b)
#define F_EQ(a, b) ((float) ((a) == (b)))
#define F_NE(a, b) ((float) ((a) != (b)))
#define F_LT(a, b) ((float) ((a) < (b)))
#define F_LE(a, b) ((float) ((a) <= (b)))
#define F_GT(a, b) ((float) ((a) > (b)))
#define F_GE(a, b) ((float) ((a) >= (b)))
#define F_LOGICAL_AND(a, b) ((float) ((a) != 0.0f && (b) != 0.0f))
#define F_LOGICAL_OR(a, b) ((float) ((a) != 0.0f || (b) != 0.0f))

#define L_ADD(a, b) ((long) ((ulong) (a) + (ulong) (b)))
#define L_SUB(a, b) ((long) ((ulong) (a) - (ulong) (b)))
#define L_MUL(a, b) ((long) ((ulong) (a) * (ulong) (b)))
#define L_DIV_TRUNC(a, b) div_trunc(a, b)
#define L_DIV_FLOOR(a, b) div_floor(a, b)
#define L_POW(a, b) int_pow(a, b)
#define L_MAXIMUM(a, b) max(a, b)
#define L_MINIMUM(a, b) min(a, b)
#define L_EQ(a, b) ((long) ((a) == (b)))
#define L_NE(a, b) ((long) ((a) != (b)))
#define L_LT(a, b) ((long) ((a) < (b)))
#define L_LE(a, b) ((long) ((a) <= (b)))
#define L_GT(a, b) ((long) ((a) > (b)))
#define L_GE(a, b) ((long) ((a) >= (b)))
#define L_LOGICAL_AND(a, b) ((long) ((a) != 0 && (b) != 0))
#define L_LOGICAL_OR(a, b) ((long) ((a) != 0 || (b) != 0))

// PyTorch's floor division of floats: through fmod, so that a tiny quotient still floors to -1 when
// the signs differ (floor(a / b) would round it to -0 first) and inf // x is NaN as in Python.
inline float float_div_floor(const float a, const float b) {
    if (b == 0.0f) {
        return a / b;
    }
    const float mod = fmod(a, b);
    float div = (a - mod) / b;
    if (mod != 0.0f && (b < 0.0f) != (mod < 0.0f)) {
        div -= 1.0f;
    }
    if (div == 0.0f) {
        return copysign(0.0f, a / b);
    }
    const float floored = floor(div);
    return div - floored > 0.5f ? floored + 1.0f : floored;
}

inline long div_trunc(const long a, const long b) {
    if (b == 0) {
        return 0;
    }
    // LONG_MIN / -1 overflows (and traps on x86); its wrapped value is LONG_MIN.
    return b == -1 ? L_SUB(0, a) : a / b;
}

inline long div_floor(const long a, const long b) {
    const long q = div_trunc(a, b);
    return (b != 0 && L_MUL(q, b) != a && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// As PyTorch's integer pow: a negative exponent truncates 1 / a^-e toward zero, so only |a| = 1 survives.
inline long int_pow(long base, long exponent) {
    if (exponent < 0) {
        return base == 1 ? 1 : base == -1 ? ((exponent & 1) ? -1 : 1) : 0;
    }
    ulong result = 1;
    ulong factor = (ulong) base;
    while (exponent != 0) {
        if (exponent & 1) {
            result *= factor;
        }
        factor *= factor;
        exponent >>= 1;
    }
    return (long) result;
}

__kernel void binary(__global const STORAGE(A_TYPE)* a, const long a_offset, const long8 a_strides,
                     __global const STORAGE(B_TYPE)* b, const long b_offset, const long8 b_strides,
                     __global STORAGE(OUT_TYPE)* out, const long out_offset, const long8 out_strides,
                     const int rank, const int8 shape, const ulong count) {
    const ulong i = get_global_id(0);
    if (i < count) {
        const MATH x = LOAD(A_TYPE, a, element_offset(i, rank, shape, a_strides, a_offset));
        const MATH y = LOAD(B_TYPE, b, element_offset(i, rank, shape, b_strides, b_offset));
        STORE(OUT_TYPE, out, element_offset(i, rank, shape, out_strides, out_offset), APPLY(x, y));
    }
}
