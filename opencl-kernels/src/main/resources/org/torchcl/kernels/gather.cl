// out[i] = src[i with coordinate DIM replaced by index[i]]: torch.gather, and index_select as a
// gather with an expanded (zero-stride) index. -DDATA_TYPE names src's and out's storage, moved
// raw (no conversion); -DINDEX_TYPE is 3 (int64) or 4 (int32); see common.h. The dims are not
// merged, since the coordinate along dim is needed; the shape is out's (and index's).
//
// An index outside [0, src_dim_size) is never read through: its output is 0, and the smallest such
// row-major position is recorded for the host. A 32-bit atomic_min suffices for any size because
// positions are kept in blocks of 2^31: bad[i >> 31] holds the smallest bad i & 0x7fffffff of its
// block, or 0xffffffff (as the host initializes it) when there is none.

__kernel void gather_strided(__global const STORAGE(DATA_TYPE)* restrict src, const long src_offset,
                             const long8 src_strides,
                             __global const STORAGE(INDEX_TYPE)* restrict index, const long index_offset,
                             const long8 index_strides,
                             __global STORAGE(DATA_TYPE)* restrict out, const long out_offset,
                             const long8 out_strides,
                             const int rank, const int8 shape, const int dim, const long src_dim_size,
                             const ulong count, __global uint* restrict bad) {
    const ulong i = get_global_id(0);
    if (i >= count) {
        return;
    }
    int dims[MAX_RANK];
    long src_steps[MAX_RANK];
    long index_steps[MAX_RANK];
    long out_steps[MAX_RANK];
    vstore8(shape, 0, dims);
    vstore8(src_strides, 0, src_steps);
    vstore8(index_strides, 0, index_steps);
    vstore8(out_strides, 0, out_steps);
    long s = src_offset;
    long x = index_offset;
    long o = out_offset;
    ulong rest = i;
    for (int d = rank - 1; d >= 0; d--) {
        const ulong size = (ulong) dims[d];
        const long coordinate = (long) (rest % size);
        rest /= size;
        x += coordinate * index_steps[d];
        o += coordinate * out_steps[d];
        if (d != dim) {
            s += coordinate * src_steps[d];
        }
    }
    const long k = (long) index[x];
    if (k >= 0 && k < src_dim_size) {
        out[o] = src[s + k * src_steps[dim]];
    } else {
        out[o] = (STORAGE(DATA_TYPE)) 0;
        atomic_min(&bad[i >> 31], (uint) (i & 0x7fffffffUL));
    }
}
