// Shared by the dtype-generic kernels (prepended to their source by the host).
//
// Element types: the host names each operand's storage type with a code, -DX_TYPE=n:
//   0 float32, 1 float16 (bits in a ushort), 2 bfloat16 (ushort), 3 int64, 4 int32, 5 bool (uchar)
// LOADF/LOADL read an element as float / long, STOREF/STOREL write one, converting as PyTorch does:
// float to 16 bits rounds to nearest even, float to integer truncates, nonzero is true. The 16-bit
// conversions use integer arithmetic only, the same code as HalfFloats.java, so every device
// rounds alike (vstore_half's NaN payloads and flush-to-zero modes vary between drivers).

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#define STORAGE_0 float
#define STORAGE_1 ushort
#define STORAGE_2 ushort
#define STORAGE_3 long
#define STORAGE_4 int
#define STORAGE_5 uchar
#define STORAGE(code) CAT(STORAGE_, code)

inline float half_bits_to_float(const ushort h) {
    const uint sign = ((uint) h & 0x8000u) << 16;
    const uint exponent = ((uint) h >> 10) & 0x1fu;
    const uint mantissa = (uint) h & 0x3ffu;
    if (exponent == 0x1fu) {
        return as_float(sign | 0x7f800000u | (mantissa == 0u ? 0u : (0x00400000u | (mantissa << 13))));
    }
    if (exponent == 0u) {
        if (mantissa == 0u) {
            return as_float(sign);
        }
        const uint shift = clz(mantissa) - 21u;
        return as_float(sign | ((113u - shift) << 23) | (((mantissa << shift) & 0x3ffu) << 13));
    }
    return as_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

inline ushort float_to_half_bits(const float f) {
    const uint bits = as_uint(f);
    const uint sign = (bits >> 16) & 0x8000u;
    const uint magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
        return (ushort) (sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    }
    if (magnitude >= 0x477ff000u) {
        return (ushort) (sign | 0x7c00u);
    }
    if (magnitude >= 0x38800000u) {
        const uint rebased = magnitude - 0x38000000u;
        return (ushort) (sign | ((rebased + 0x0fffu + ((rebased >> 13) & 1u)) >> 13));
    }
    if (magnitude <= 0x33000000u) {
        return (ushort) sign;
    }
    const uint mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    const uint shift = 126u - (magnitude >> 23);
    uint half_value = mantissa >> shift;
    const uint rest = mantissa & ((1u << shift) - 1u);
    const uint midpoint = 1u << (shift - 1u);
    if (rest > midpoint || (rest == midpoint && (half_value & 1u) == 1u)) {
        half_value++;
    }
    return (ushort) (sign | half_value);
}

inline ushort float_to_bfloat16_bits(const float f) {
    const uint bits = as_uint(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return (ushort) 0x7fc0u;
    }
    return (ushort) ((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

#define LOADF_0(p, i) ((p)[i])
#define LOADF_1(p, i) half_bits_to_float((p)[i])
#define LOADF_2(p, i) as_float(((uint) (p)[i]) << 16)
#define LOADF_3(p, i) ((float) (p)[i])
#define LOADF_4(p, i) ((float) (p)[i])
#define LOADF_5(p, i) ((float) (p)[i])
#define LOADF(code, p, i) CAT(LOADF_, code)(p, i)

#define LOADL_0(p, i) ((long) (p)[i])
#define LOADL_1(p, i) ((long) half_bits_to_float((p)[i]))
#define LOADL_2(p, i) ((long) as_float(((uint) (p)[i]) << 16))
#define LOADL_3(p, i) ((p)[i])
#define LOADL_4(p, i) ((long) (p)[i])
#define LOADL_5(p, i) ((long) (p)[i])
#define LOADL(code, p, i) CAT(LOADL_, code)(p, i)

#define STOREF_0(p, i, v) ((p)[i] = (v))
#define STOREF_1(p, i, v) ((p)[i] = float_to_half_bits(v))
#define STOREF_2(p, i, v) ((p)[i] = float_to_bfloat16_bits(v))
#define STOREF_3(p, i, v) ((p)[i] = (long) (v))
#define STOREF_4(p, i, v) ((p)[i] = (int) (long) (v))
#define STOREF_5(p, i, v) ((p)[i] = (uchar) ((v) != 0.0f))
#define STOREF(code, p, i, v) CAT(STOREF_, code)(p, i, v)

#define STOREL_0(p, i, v) ((p)[i] = (float) (v))
#define STOREL_1(p, i, v) ((p)[i] = float_to_half_bits((float) (v)))
#define STOREL_2(p, i, v) ((p)[i] = float_to_bfloat16_bits((float) (v)))
#define STOREL_3(p, i, v) ((p)[i] = (v))
#define STOREL_4(p, i, v) ((p)[i] = (int) (v))
#define STOREL_5(p, i, v) ((p)[i] = (uchar) ((v) != 0))
#define STOREL(code, p, i, v) CAT(STOREL_, code)(p, i, v)

// Kernels built with -DFLOAT_MATH=1 compute in float, with -DFLOAT_MATH=0 in long (so that int64
// values survive): MATH is that type, LOAD/STORE read and write it, APPLY is the op's F_ or L_ macro
// (-DOP=NAME).
#ifdef FLOAT_MATH
#if FLOAT_MATH
#define MATH float
#define LOAD LOADF
#define STORE STOREF
#define APPLY CAT(F_, OP)
#else
#define MATH long
#define LOAD LOADL
#define STORE STOREL
#define APPLY CAT(L_, OP)
#endif
#endif

// torch.maximum/minimum semantics: a NaN on either side wins.
inline float nan_max(const float a, const float b) {
    return (a > b || isnan(a)) ? a : b;
}

inline float nan_min(const float a, const float b) {
    return (a < b || isnan(a)) ? a : b;
}

// Strided layouts: the host merges dims (Layouts.merge) and passes the rank, the shape as an int8
// and each operand's strides as a long8 (elements, unused dims 0). element_offset turns the
// row-major linear index of an element into its offset; rank 1 is the common contiguous case.
#define MAX_RANK 8

inline long element_offset(ulong index, const int rank, const int8 shape, const long8 strides, const long base) {
    if (rank == 1) {
        return base + (long) index * strides.s0;
    }
    int dims[MAX_RANK];
    long steps[MAX_RANK];
    vstore8(shape, 0, dims);
    vstore8(strides, 0, steps);
    long offset = base;
    for (int d = rank - 1; d > 0; d--) {
        const ulong size = (ulong) dims[d];
        offset += (long) (index % size) * steps[d];
        index /= size;
    }
    return offset + (long) index * steps[0];
}
