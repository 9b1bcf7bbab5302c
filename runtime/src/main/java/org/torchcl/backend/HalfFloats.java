package org.torchcl.backend;

/**
 * float32 to and from the two 16-bit float formats, with integer arithmetic only so that every
 * backend rounds alike: round-to-nearest-even, overflow to infinity, subnormals kept, NaN quieted.
 * The results equal PyTorch's {@code tensor.to(torch.float16 / torch.bfloat16)} and back, bit for
 * bit; the OpenCL kernels carry the same code (see {@code dtypes.h}).
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** The float32 value of the IEEE binary16 bit pattern {@code h}; NaNs come back quiet. */
    public static float halfToFloat(short h) {
        return Float.intBitsToFloat(halfToFloatBits(h));
    }

    static int halfToFloatBits(short h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return sign | 0x7f800000 | (mantissa == 0 ? 0 : 0x00400000 | mantissa << 13);
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return sign;
            }
            // A subnormal half is a normal float: shift the leading one up to the implicit bit.
            int shift = Integer.numberOfLeadingZeros(mantissa) - 21;
            return sign | (113 - shift) << 23 | (mantissa << shift & 0x3ff) << 13;
        }
        return sign | (exponent + 112) << 23 | mantissa << 13;
    }

    /** The binary16 bit pattern nearest to {@code f} (ties to even); NaN keeps its sign and top payload bits. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude > 0x7f800000) {
            return (short) (sign | 0x7e00 | (magnitude >>> 13 & 0x3ff));
        }
        if (magnitude >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (magnitude >= 0x38800000) {
            int rebased = magnitude - 0x38000000;
            return (short) (sign | (rebased + 0x0fff + (rebased >>> 13 & 1)) >>> 13);
        }
        if (magnitude <= 0x33000000) {
            return (short) sign;
        }
        int mantissa = (magnitude & 0x7fffff) | 0x800000;
        int shift = 126 - (magnitude >>> 23);
        int half = mantissa >>> shift;
        int rest = mantissa & ((1 << shift) - 1);
        int midpoint = 1 << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** The float32 value of the bfloat16 bit pattern {@code b}: its top 16 bits. */
    public static float bfloat16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** The bfloat16 nearest to {@code f} (ties to even); every NaN becomes {@code 0x7fc0}, as in PyTorch. */
    public static short floatToBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) 0x7fc0;
        }
        return (short) ((bits + 0x7fff + (bits >>> 16 & 1)) >>> 16);
    }
}
