// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator PyTorch uses on CUDA. Work-item i computes block i: counter = start + i
// (a 128-bit add), key = the generator's 64-bit seed. Each block yields four 32-bit words, so
// element e of a draw always comes from word e % 4 of block e / 4, on every device.
//
// The float mappings use only exact operations (24-bit integer to float, scaling by 2^-24) and one
// explicit fma, so the CPU backend reproduces them bit for bit with Math.fma. Build this program
// without -cl-fast-relaxed-math / -cl-mad-enable.

#pragma OPENCL FP_CONTRACT OFF

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define TWO_POW_MINUS_24 5.9604644775390625e-8f

inline uint4 philox_round(uint4 ctr, uint2 key) {
    const uint hi0 = mul_hi(PHILOX_M0, ctr.x);
    const uint lo0 = PHILOX_M0 * ctr.x;
    const uint hi1 = mul_hi(PHILOX_M1, ctr.z);
    const uint lo1 = PHILOX_M1 * ctr.z;
    return (uint4)(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
}

inline uint4 philox4x32_10(uint4 ctr, uint2 key) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            key.x += PHILOX_W0;
            key.y += PHILOX_W1;
        }
        ctr = philox_round(ctr, key);
    }
    return ctr;
}

// start + block, carrying through all four 32-bit words.
inline uint4 counter_at(uint4 start, ulong block) {
    const ulong low = (ulong) start.x | ((ulong) start.y << 32);
    const ulong sum = low + block;
    const uint carry = sum < low ? 1u : 0u;
    uint4 ctr = (uint4)((uint) sum, (uint) (sum >> 32), start.z + carry, start.w);
    if (carry && ctr.z == 0u) {
        ctr.w += 1u;
    }
    return ctr;
}

// [0, 1) with 24 random bits: exact in float.
inline float unit_float(uint bits) {
    return (float) (bits & 0xFFFFFFu) * TWO_POW_MINUS_24;
}

inline uint4 block_words(uint4 start, uint2 key) {
    return philox4x32_10(counter_at(start, get_global_id(0)), key);
}

inline void store4(__global float* out, ulong count, float4 values) {
    const ulong base = get_global_id(0) * 4;
    if (base + 3 < count) {
        vstore4(values, 0, out + base);
    } else {
        if (base < count) out[base] = values.x;
        if (base + 1 < count) out[base + 1] = values.y;
        if (base + 2 < count) out[base + 2] = values.z;
    }
}

// The raw words, for known-answer tests and integer sampling.
__kernel void philox_bits(__global uint* out, const ulong count, const uint4 start, const uint2 key) {
    const uint4 w = block_words(start, key);
    store4((__global float*) out, count, as_float4(w));
}

// low + scale * u, one rounding (fma), u in [0, 1).
__kernel void philox_uniform(__global float* out, const ulong count, const uint4 start, const uint2 key,
                             const float low, const float scale) {
    const uint4 w = block_words(start, key);
    const float4 u = (float4)(unit_float(w.x), unit_float(w.y), unit_float(w.z), unit_float(w.w));
    store4(out, count, (float4)(fma(u.x, scale, low), fma(u.y, scale, low),
                                fma(u.z, scale, low), fma(u.w, scale, low)));
}

// Box-Muller on two pairs of words; u1 in (0, 1] so log(u1) is finite.
inline float2 box_muller(uint a, uint b) {
    const float u1 = (float) ((a & 0xFFFFFFu) + 1u) * TWO_POW_MINUS_24;
    const float u2 = unit_float(b);
    const float radius = sqrt(-2.0f * log(u1));
    const float angle = 6.2831853071795864769f * u2;
    return (float2)(radius * cos(angle), radius * sin(angle));
}

__kernel void philox_normal(__global float* out, const ulong count, const uint4 start, const uint2 key,
                            const float mean, const float std) {
    const uint4 w = block_words(start, key);
    const float2 z01 = box_muller(w.x, w.y);
    const float2 z23 = box_muller(w.z, w.w);
    store4(out, count, (float4)(fma(z01.x, std, mean), fma(z01.y, std, mean),
                                fma(z23.x, std, mean), fma(z23.y, std, mean)));
}
