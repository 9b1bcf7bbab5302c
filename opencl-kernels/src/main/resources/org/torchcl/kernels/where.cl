// out[i] = cond[i] ? a[i] : b[i] over any four layouts (-DA_TYPE, -DB_TYPE, -DOUT_TYPE, see common.h;
// cond is bool). Values move through float when any of a, b, out is floating point, else through long,
// so that int64 values survive.

__kernel void where(__global const uchar* cond, const long cond_offset, const long8 cond_strides,
                    __global const STORAGE(A_TYPE)* a, const long a_offset, const long8 a_strides,
                    __global const STORAGE(B_TYPE)* b, const long b_offset, const long8 b_strides,
                    __global STORAGE(OUT_TYPE)* out, const long out_offset, const long8 out_strides,
                    const int rank, const int8 shape, const ulong count) {
    const ulong i = get_global_id(0);
    if (i < count) {
        const long o = element_offset(i, rank, shape, out_strides, out_offset);
        if (cond[element_offset(i, rank, shape, cond_strides, cond_offset)]) {
            STORE(OUT_TYPE, out, o, LOAD(A_TYPE, a, element_offset(i, rank, shape, a_strides, a_offset)));
        } else {
            STORE(OUT_TYPE, out, o, LOAD(B_TYPE, b, element_offset(i, rank, shape, b_strides, b_offset)));
        }
    }
}
