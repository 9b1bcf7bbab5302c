// dst[i] = OP(src[i]) over any two layouts (UnaryOp; -DOP=NAME, -DSRC_TYPE, -DDST_TYPE, see common.h).
// -DFLOAT_MATH=1 computes in float (a float operand or result, or a FLOAT-kind op), else in long:
// each op is one F_ line and, unless it always computes in float, one L_ line. p0, p1 are the op's
// parameters (CLAMP's bounds, the host turns an infinite bound into the type's extreme).
// Accuracy matters more than speed here: no native_* functions, no relaxed math.

#define F_NEG(x) (-(x))
#define F_ABS(x) fabs(x)
#define F_EXP(x) exp(x)
#define F_LOG(x) log(x)
#define F_SQRT(x) sqrt(x)
#define F_RSQRT(x) rsqrt(x)
#define F_RECIPROCAL(x) (1.0f / (x))
#define F_ERF(x) erf(x)
// PoCL gives tanh(±inf) = ±0.99999994; PyTorch gives ±1.
#define F_TANH(x) (isinf(x) ? copysign(1.0f, (x)) : tanh(x))
#define F_SIGMOID(x) (1.0f / (1.0f + exp(-(x))))
// x < 0 is false for NaN, so NaN passes through as in torch.relu.
#define F_RELU(x) ((x) < 0.0f ? 0.0f : (x))
// PyTorch's formula. erfc(-z) for 1 + erf(z) would keep relative accuracy in the far negative tail
// (absolute error stays below 1e-6 either way) but runs 3.5x slower on PoCL.
#define F_GELU(x) (0.5f * (x) * (1.0f + erf((x) * M_SQRT1_2_F)))
// 0.5 (1 + tanh(u)) = 1 / (1 + exp(-2u)) with u = sqrt(2 / pi) (x + 0.044715 x^3): no cancellation
// for negative x.
#define F_GELU_TANH(x) ((x) / (1.0f + exp(-1.5957691216f * ((x) + 0.044715f * (x) * (x) * (x)))))
#define F_SILU(x) ((x) / (1.0f + exp(-(x))))
#define F_CLAMP(x) nan_min(nan_max(x, p0), p1)
#define F_LOGICAL_NOT(x) ((float) ((x) == 0.0f))

#define L_NEG(x) ((long) (0ul - (ulong) (x)))
#define L_ABS(x) ((x) < 0 ? L_NEG(x) : (x))
#define L_RELU(x) ((x) < 0 ? 0l : (x))
#define L_CLAMP(x) min(max(x, p0), p1)
#define L_LOGICAL_NOT(x) ((long) ((x) == 0))

__kernel void unary(__global const STORAGE(SRC_TYPE)* src, const long src_offset, const long8 src_strides,
                    __global STORAGE(DST_TYPE)* dst, const long dst_offset, const long8 dst_strides,
                    const int rank, const int8 shape, const ulong count, const MATH p0, const MATH p1) {
    const ulong i = get_global_id(0);
    if (i < count) {
        const MATH x = LOAD(SRC_TYPE, src, element_offset(i, rank, shape, src_strides, src_offset));
        STORE(DST_TYPE, dst, element_offset(i, rank, shape, dst_strides, dst_offset), APPLY(x));
    }
}
