// dst[i] = convert(src[i]) over any two layouts and dtypes (-DSRC_TYPE, -DDST_TYPE; see common.h).
// Integers go through long so that int64 values survive; anything with a float side through float.

#if SRC_TYPE >= 3 && DST_TYPE >= 3
#define MOVE(d, di, s, si) STOREL(DST_TYPE, d, di, LOADL(SRC_TYPE, s, si))
#else
#define MOVE(d, di, s, si) STOREF(DST_TYPE, d, di, LOADF(SRC_TYPE, s, si))
#endif

__kernel void copy_strided(__global const STORAGE(SRC_TYPE)* restrict src, const long src_offset, const long8 src_strides,
                           __global STORAGE(DST_TYPE)* restrict dst, const long dst_offset, const long8 dst_strides,
                           const int rank, const int8 shape, const ulong count) {
    const ulong i = get_global_id(0);
    if (i < count) {
        const long s = element_offset(i, rank, shape, src_strides, src_offset);
        const long d = element_offset(i, rank, shape, dst_strides, dst_offset);
        MOVE(dst, d, src, s);
    }
}
