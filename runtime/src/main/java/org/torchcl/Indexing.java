package org.torchcl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.torchcl.backend.Strided;

/**
 * Joining, splitting, padding and index lookups. Joins and pads are strided copies into views of
 * one output; lookups are one backend {@code gather} whose out-of-range report becomes an
 * {@link IndexOutOfBoundsException} naming the index and the size.
 */
final class Indexing {

    private Indexing() {
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor, got " + tensors);
        }
        Tensor first = tensors.get(0);
        Tensor.requireOpen("tensors[0]", first, "cat");
        int rank = first.dim();
        if (rank == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; unsqueeze them first");
        }
        int d = Shapes.dimIndex("dim", dim, rank);
        int[] outShape = first.shape();
        DType type = first.dtype();
        long total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            Tensor.requireOpen("tensors[" + i + "]", t, "cat");
            first.requireSameDevice("cat", "tensors[" + i + "]", t);
            int[] s = t.shape();
            boolean fits = s.length == rank;
            for (int k = 0; fits && k < rank; k++) {
                fits = k == d || s[k] == outShape[k];
            }
            if (!fits) {
                throw new IllegalArgumentException("cat: tensors[" + i + "] " + Shapes.str(s) + " must match tensors[0] "
                        + Shapes.str(first.shape()) + " in every dim but " + d);
            }
            total += s[d];
            type = DType.promote(type, t.dtype());
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cat: the joined dim " + d + " would have " + total + " entries");
        }
        outShape[d] = (int) total;
        Tensor out = Tensor.empty(first.device(), type, Shapes.checked("cat shape", outShape));
        try {
            int at = 0;
            for (Tensor t : tensors) {
                int length = t.shape(d);
                if (length > 0) {
                    try (Tensor slot = out.narrow(d, at, length)) {
                        slot.copyFrom(t);
                    }
                }
                at += length;
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor, got " + tensors);
        }
        Tensor.requireOpen("tensors[0]", tensors.get(0), "stack");
        int[] shape = tensors.get(0).shape();
        int d = Shapes.dimIndex("dim", dim, shape.length + 1);
        List<Tensor> lifted = new ArrayList<>(tensors.size());
        try {
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                Tensor.requireOpen("tensors[" + i + "]", t, "stack");
                if (!Arrays.equals(t.shape(), shape)) {
                    throw new IllegalArgumentException("stack: tensors[" + i + "] " + Shapes.str(t.shape())
                            + " differs from tensors[0] " + Shapes.str(shape) + "; stack needs equal shapes");
                }
                lifted.add(t.unsqueeze(d));
            }
            return cat(lifted, d);
        } finally {
            lifted.forEach(Tensor::close);
        }
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        Tensor.requireOpen("x", x, "split");
        if (x.dim() == 0) {
            throw new IllegalArgumentException("split: a zero-dimensional tensor cannot be split");
        }
        int d = Shapes.dimIndex("dim", dim, x.dim());
        int length = x.shape(d);
        if (size < 1 && !(size == 0 && length == 0)) {
            throw new IllegalArgumentException("split: size must be positive, got " + size);
        }
        List<Tensor> pieces = new ArrayList<>();
        try {
            if (length == 0) {
                pieces.add(x.narrow(d, 0, 0));
            }
            for (int at = 0; at < length; at += size) {
                pieces.add(x.narrow(d, at, Math.min(size, length - at)));
            }
            return List.copyOf(pieces);
        } catch (RuntimeException | Error e) {
            pieces.forEach(Tensor::close);
            throw e;
        }
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        Tensor.requireOpen("x", x, "indexSelect");
        Tensor.requireOpen("index", index, "indexSelect");
        x.requireSameDevice("indexSelect", "index", index);
        requireIndexType("indexSelect", index);
        if (index.dim() > 1) {
            throw new IllegalArgumentException("indexSelect: index must be 0-D or 1-D, got " + Shapes.str(index.shape()));
        }
        int rank = Math.max(1, x.dim());
        int d = Shapes.dimIndex("dim", dim, rank);
        try (Tensor source = x.dim() == 0 ? x.reshape(1) : x.reshape(x.shape());
             Tensor flatIndex = index.reshape(-1)) {
            int[] outShape = source.shape();
            outShape[d] = flatIndex.shape(0);
            long[] indexStrides = new long[outShape.length];
            indexStrides[d] = flatIndex.stride(0);
            Strided expanded = flatIndex.strided().withLayout(outShape, indexStrides);
            Tensor out = runGather("indexSelect", source, d, flatIndex, expanded, outShape,
                    position -> indexAlong(flatIndex, outShape, d, position));
            if (x.dim() == 0) {
                try (out) {
                    return out.reshape();
                }
            }
            return out;
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        Tensor.requireOpen("x", x, "gather");
        Tensor.requireOpen("index", index, "gather");
        x.requireSameDevice("gather", "index", index);
        requireIndexType("gather", index);
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("gather: index " + Shapes.str(index.shape()) + " must have as many dims as"
                    + " the input " + Shapes.str(x.shape()));
        }
        int d = Shapes.dimIndex("dim", dim, Math.max(1, x.dim()));
        int[] shape = x.shape();
        int[] indexShape = index.shape();
        for (int k = 0; k < shape.length; k++) {
            if (k != d && indexShape[k] > shape[k]) {
                throw new IllegalArgumentException("gather: index " + Shapes.str(indexShape) + " is larger than the input "
                        + Shapes.str(shape) + " in dim " + k);
            }
        }
        try (Tensor source = x.dim() == 0 ? x.reshape(1) : x.reshape(shape);
             Tensor ids = index.dim() == 0 ? index.reshape(1) : index.reshape(indexShape)) {
            Tensor out = runGather("gather", source, d, ids, ids.strided(), ids.shape(), position -> {
                try (Tensor flat = ids.reshape(-1); Tensor one = flat.narrow(0, (int) position, 1)) {
                    return one.itemLong();
                }
            });
            if (x.dim() == 0) {
                try (out) {
                    return out.reshape();
                }
            }
            return out;
        }
    }

    /** {@code weight[ids]}: rows of {@code weight [n, d]} for integer {@code ids} of any shape, giving {@code [..., d]}. */
    static Tensor embedding(Tensor ids, Tensor weight) {
        Tensor.requireOpen("ids", ids, "embedding");
        Tensor.requireOpen("weight", weight, "embedding");
        weight.requireSameDevice("embedding", "ids", ids);
        requireIndexType("embedding", ids);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight " + Shapes.str(weight.shape())
                    + " must be [num_embeddings, embedding_dim]");
        }
        int[] idsShape = ids.shape();
        int[] outShape = Arrays.copyOf(idsShape, idsShape.length + 1);
        outShape[idsShape.length] = weight.shape(1);
        try (Tensor flat = ids.reshape(-1); Tensor rows = indexSelect(weight, 0, flat)) {
            return rows.reshape(outShape);
        }
    }

    private static void requireIndexType(String op, Tensor index) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": index must be int64 or int32, got " + index.dtype());
        }
    }

    /**
     * Runs the backend gather into a new tensor of {@code outShape} and turns an out-of-range report
     * into an exception naming the offending index and the dim's size. {@code indexValueAt} reads
     * the index at a row-major output position back from the device (only on that error path).
     */
    private static Tensor runGather(String op, Tensor source, int dim, Tensor ids, Strided index, int[] outShape,
                                    java.util.function.LongUnaryOperator indexValueAt) {
        long[] bad = {-1};
        Tensor out = Tensor.compute(source.device(), source.dtype(), outShape,
                o -> bad[0] = source.backend().gather(source.strided(), dim, index,
                        Strided.contiguous(o, source.dtype(), outShape)),
                source, ids);
        if (bad[0] < 0) {
            return out;
        }
        out.close();
        throw new IndexOutOfBoundsException(op + ": index " + indexValueAt.applyAsLong(bad[0]) + " is out of range for dim "
                + dim + " of size " + source.shape(dim) + " (input " + Shapes.str(source.shape()) + ")");
    }

    /** The entry of 1-D {@code ids} used at row-major position {@code position} of {@code outShape} along {@code dim}. */
    private static long indexAlong(Tensor ids, int[] outShape, int dim, long position) {
        long inner = 1;
        for (int k = dim + 1; k < outShape.length; k++) {
            inner *= outShape[k];
        }
        int coordinate = (int) ((position / inner) % outShape[dim]);
        try (Tensor one = ids.narrow(0, coordinate, 1)) {
            return one.itemLong();
        }
    }

    /**
     * Constant padding, as {@code F.pad(x, pads, value=value)}: {@code pads} holds (before, after)
     * pairs starting from the last dim; negative pads crop.
     */
    static Tensor pad(Tensor x, int[] pads, double value) {
        Tensor.requireOpen("x", x, "pad");
        if (pads == null || pads.length % 2 != 0 || pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: pads " + Arrays.toString(pads) + " must hold (before, after) pairs"
                    + " for at most the " + x.dim() + " dims of " + Shapes.str(x.shape()));
        }
        int[] shape = x.shape();
        int[] outShape = shape.clone();
        for (int p = 0; p < pads.length / 2; p++) {
            int d = shape.length - 1 - p;
            long size = (long) shape[d] + pads[2 * p] + pads[2 * p + 1];
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: pads " + Arrays.toString(pads) + " give dim " + d + " of "
                        + Shapes.str(shape) + " the size " + size);
            }
            outShape[d] = (int) size;
        }
        Tensor out = Tensor.empty(x.device(), x.dtype(), outShape);
        try {
            out.fill(value);
            Tensor source = x.reshape(shape);
            Tensor target = out.reshape(outShape);
            try {
                for (int p = 0; p < pads.length / 2; p++) {
                    int d = shape.length - 1 - p;
                    int before = pads[2 * p];
                    int after = pads[2 * p + 1];
                    int cropStart = Math.max(0, -before);
                    int kept = shape[d] - cropStart - Math.max(0, -after);
                    if (kept <= 0) {
                        return out;
                    }
                    Tensor croppedSource = source.narrow(d, cropStart, kept);
                    source.close();
                    source = croppedSource;
                    Tensor croppedTarget = target.narrow(d, Math.max(0, before), kept);
                    target.close();
                    target = croppedTarget;
                }
                if (source.numel() > 0) {
                    target.copyFrom(source);
                }
                return out;
            } finally {
                source.close();
                target.close();
            }
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }
}
