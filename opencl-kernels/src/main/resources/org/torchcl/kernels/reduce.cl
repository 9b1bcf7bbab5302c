// Reductions over the trailing dims (ReduceOp; -DOP=NAME, -DSRC_TYPE, -DDST_TYPE, see common.h).
// The source is rows x n: a row's base comes from its index over the merged leading dims, its
// elements from their index j over the merged reduced dims, so any strides work. dst is contiguous,
// one value per row. -DFLOAT_MATH=1 accumulates in float (float results; ARGMAX/ARGMIN of a float
// source), else in long, wrapping as int64 does.
//
// Each op is a state with initial(), accumulate(state, x, j), merge(state, state) and store_result();
// merge is order-free, so the state of any subset of a row can be combined with any other:
// - reduce_serial: one work-item per row (short rows, or rows whose elements lie apart in memory).
// - reduce_rows: one work-group of GROUP work-items per row (-DGROUP, a power of two): each work-item
//   accumulates every GROUP-th element, then the states meet in a tree in local memory.
// - reduce_chunks + reduce_partials: a few very long rows, split into chunks so that every compute
//   unit gets work-groups; the chunks' states (at most 16 bytes each) are merged by a second launch.
//
// Float sums are Neumaier-compensated in every work-item and at every merge: summing 10^7 copies of
// 0.1f comes out right to float precision on any device, fp64 or not. VAR is Welford's, with Chan's
// merge; its divisor is max(0, n - correction).

#define SUM 1
#define MEAN 2
#define AMAX 3
#define AMIN 4
#define PROD 5
#define VAR 6
#define ARGMAX 7
#define ARGMIN 8

#if (OP == SUM || OP == MEAN) && FLOAT_MATH

typedef struct {
    float sum;
    float carry;  // the low-order bits the additions to sum rounded away
} state_t;

inline state_t initial(void) {
    const state_t s = {0.0f, 0.0f};
    return s;
}

inline state_t accumulate(state_t s, const float x, const long j) {
    const float t = s.sum + x;
    s.carry += fabs(s.sum) >= fabs(x) ? (s.sum - t) + x : (x - t) + s.sum;
    s.sum = t;
    return s;
}

inline state_t merge(state_t a, const state_t b) {
    a = accumulate(a, b.sum, 0);
    a.carry += b.carry;
    return a;
}

inline void store_result(__global STORAGE(DST_TYPE)* dst, const long i, const state_t s, const long n,
                         const float correction) {
    // Once the sum is infinite or NaN the carry is NaN (inf - inf) and means nothing.
    const float sum = isfinite(s.sum) ? s.sum + s.carry : s.sum;
#if OP == MEAN
    STOREF(DST_TYPE, dst, i, sum / (float) n);
#else
    STOREF(DST_TYPE, dst, i, sum);
#endif
}

#elif OP == SUM || OP == PROD || OP == AMAX || OP == AMIN

typedef MATH state_t;

#if OP == SUM
#define IDENTITY 0
#define COMBINE(a, b) ((long) ((ulong) (a) + (ulong) (b)))
#elif OP == PROD && FLOAT_MATH
#define IDENTITY 1.0f
#define COMBINE(a, b) ((a) * (b))
#elif OP == PROD
#define IDENTITY 1
#define COMBINE(a, b) ((long) ((ulong) (a) * (ulong) (b)))
#elif FLOAT_MATH
// torch.amax/amin: a NaN wins.
#define IDENTITY (OP == AMAX ? -INFINITY : INFINITY)
#define COMBINE(a, b) ((OP == AMAX ? (a) > (b) : (a) < (b)) || isnan(a) ? (a) : (b))
#else
#define IDENTITY (OP == AMAX ? LONG_MIN : LONG_MAX)
#define COMBINE(a, b) (OP == AMAX ? max(a, b) : min(a, b))
#endif

inline state_t initial(void) {
    return IDENTITY;
}

inline state_t merge(const state_t a, const state_t b) {
    return COMBINE(a, b);
}

inline state_t accumulate(const state_t s, const MATH x, const long j) {
    return merge(s, x);
}

inline void store_result(__global STORAGE(DST_TYPE)* dst, const long i, const state_t s, const long n,
                         const float correction) {
    STORE(DST_TYPE, dst, i, s);
}

#elif OP == VAR

typedef struct {
    long count;
    float mean;
    float m2;  // the sum of squared deviations from mean
} state_t;

inline state_t initial(void) {
    const state_t s = {0, 0.0f, 0.0f};
    return s;
}

inline state_t accumulate(state_t s, const float x, const long j) {
    s.count++;
    const float delta = x - s.mean;
    s.mean += delta / (float) s.count;
    s.m2 += delta * (x - s.mean);
    return s;
}

inline state_t merge(state_t a, const state_t b) {
    if (b.count == 0) {
        return a;
    }
    if (a.count == 0) {
        return b;
    }
    const long count = a.count + b.count;
    const float delta = b.mean - a.mean;
    const float weight = (float) b.count / (float) count;
    a.mean += delta * weight;
    a.m2 += b.m2 + delta * delta * (float) a.count * weight;
    a.count = count;
    return a;
}

inline void store_result(__global STORAGE(DST_TYPE)* dst, const long i, const state_t s, const long n,
                         const float correction) {
    // An empty row keeps m2 = 0: 0 / 0 is NaN, as in PyTorch.
    STOREF(DST_TYPE, dst, i, s.m2 / fmax(0.0f, (float) n - correction));
}

#elif OP == ARGMAX || OP == ARGMIN

typedef struct {
    MATH value;
    long index;  // LONG_MAX until an element has been seen
} state_t;

#if FLOAT_MATH
#define IS_NAN(v) isnan(v)
#define WORST (OP == ARGMAX ? -INFINITY : INFINITY)
#else
#define IS_NAN(v) 0
#define WORST (OP == ARGMAX ? LONG_MIN : LONG_MAX)
#endif

inline state_t initial(void) {
    const state_t s = {WORST, LONG_MAX};
    return s;
}

// Whether a comes first: NaN beats every number, then the larger (ARGMAX) or smaller value, then the
// smaller index, so the first of equal extremes wins in whatever order states meet.
inline bool precedes(const state_t a, const state_t b) {
    if (IS_NAN(a.value) || IS_NAN(b.value)) {
        return IS_NAN(a.value) && (!IS_NAN(b.value) || a.index < b.index);
    }
    if (a.value != b.value) {
        return OP == ARGMAX ? a.value > b.value : a.value < b.value;
    }
    return a.index < b.index;
}

inline state_t merge(const state_t a, const state_t b) {
    return precedes(b, a) ? b : a;
}

inline state_t accumulate(const state_t s, const MATH x, const long j) {
    const state_t element = {x, j};
    return merge(s, element);
}

inline void store_result(__global STORAGE(DST_TYPE)* dst, const long i, const state_t s, const long n,
                         const float correction) {
    STOREL(DST_TYPE, dst, i, s.index);
}

#endif

// Combines the work-group's states through local memory; every work-item gets the result.
inline state_t group_merge(const state_t s, __local state_t* scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = GROUP / 2; width > 0; width >>= 1) {
        if (lid < width) {
            scratch[lid] = merge(scratch[lid], scratch[lid + width]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[0];
}

// The state of elements [first, end) of the row at base, each work-item taking every GROUP-th.
inline state_t group_reduce(__global const STORAGE(SRC_TYPE)* src, const long base,
                            const int row_rank, const int8 row_shape, const long8 row_strides,
                            const long first, const long end, __local state_t* scratch) {
    state_t s = initial();
    for (long j = first + get_local_id(0); j < end; j += GROUP) {
        s = accumulate(s, LOAD(SRC_TYPE, src, element_offset(j, row_rank, row_shape, row_strides, base)), j);
    }
    return group_merge(s, scratch);
}

__kernel void reduce_serial(__global const STORAGE(SRC_TYPE)* src, const long src_offset,
                            const int lead_rank, const int8 lead_shape, const long8 lead_strides,
                            const int row_rank, const int8 row_shape, const long8 row_strides,
                            const long n, const ulong rows,
                            __global STORAGE(DST_TYPE)* dst, const long dst_offset, const float correction) {
    const ulong row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    const long base = element_offset(row, lead_rank, lead_shape, lead_strides, src_offset);
    state_t s = initial();
    for (long j = 0; j < n; j++) {
        s = accumulate(s, LOAD(SRC_TYPE, src, element_offset(j, row_rank, row_shape, row_strides, base)), j);
    }
    store_result(dst, dst_offset + (long) row, s, n, correction);
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void reduce_rows(__global const STORAGE(SRC_TYPE)* src, const long src_offset,
                 const int lead_rank, const int8 lead_shape, const long8 lead_strides,
                 const int row_rank, const int8 row_shape, const long8 row_strides, const long n,
                 __global STORAGE(DST_TYPE)* dst, const long dst_offset, const float correction) {
    __local state_t scratch[GROUP];
    const ulong row = get_group_id(0);
    const long base = element_offset(row, lead_rank, lead_shape, lead_strides, src_offset);
    const state_t s = group_reduce(src, base, row_rank, row_shape, row_strides, 0, n, scratch);
    if (get_local_id(0) == 0) {
        store_result(dst, dst_offset + (long) row, s, n, correction);
    }
}

// Work-group (c, row) reduces elements [c * chunk, (c + 1) * chunk) of its row into partials.
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void reduce_chunks(__global const STORAGE(SRC_TYPE)* src, const long src_offset,
                   const int lead_rank, const int8 lead_shape, const long8 lead_strides,
                   const int row_rank, const int8 row_shape, const long8 row_strides, const long n,
                   const long chunk, __global state_t* partials) {
    __local state_t scratch[GROUP];
    const long c = get_group_id(0);
    const ulong row = get_group_id(1);
    const long base = element_offset(row, lead_rank, lead_shape, lead_strides, src_offset);
    const state_t s = group_reduce(src, base, row_rank, row_shape, row_strides, c * chunk, min(n, (c + 1) * chunk),
                                   scratch);
    if (get_local_id(0) == 0) {
        partials[row * get_num_groups(0) + c] = s;
    }
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void reduce_partials(__global const state_t* partials, const int chunks, const long n,
                     __global STORAGE(DST_TYPE)* dst, const long dst_offset, const float correction) {
    __local state_t scratch[GROUP];
    const ulong row = get_group_id(0);
    state_t s = initial();
    for (int c = get_local_id(0); c < chunks; c += GROUP) {
        s = merge(s, partials[row * chunks + c]);
    }
    s = group_merge(s, scratch);
    if (get_local_id(0) == 0) {
        store_result(dst, dst_offset + (long) row, s, n, correction);
    }
}
