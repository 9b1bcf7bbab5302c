package org.torchcl.nn;

import java.util.Arrays;
import java.util.List;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * Multi-head attention as {@code nn.MultiheadAttention(E, H, batch_first=True)}: inputs and output
 * are {@code [batch, length, E]}. The query, key and value are projected by one packed
 * {@code in_proj_weight [3E, E]} / {@code in_proj_bias [3E]} (rows {@code 0..E} for the query,
 * then key, then value), split into {@code H} heads of {@code E/H}, attended with
 * {@link Torch#scaledDotProductAttention}, merged, and projected by {@code out_proj}. Parameter
 * names are PyTorch's, so its state dicts load unchanged.
 *
 * <p>Differences from PyTorch, all because torchcl runs inference: {@code forward} returns only
 * the attention output (PyTorch's {@code need_weights} result, the averaged attention weights, is
 * not computed); there is no attention-weight dropout, no {@code attn_mask}, no
 * {@code add_bias_kv}/{@code add_zero_attn}, and key and value have the query's width E. Inputs
 * must be batched; an unbatched {@code [L, E]} sequence takes {@code unsqueeze(0)}.
 *
 * <p>Initialization follows PyTorch: {@code in_proj_weight} Xavier-uniform, {@code in_proj_bias}
 * and {@code out_proj.bias} zeros, {@code out_proj.weight} as any {@link Linear} weight.
 */
public final class MultiheadAttention extends Module {

    private final int embedDim;
    private final int numHeads;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Linear outProj;

    /** Attention over {@code embedDim} features in {@code numHeads} heads, on the default device. */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, null);
    }

    /** As {@link #MultiheadAttention(int, int)}, with its parameters made on {@code device} (null: the default device). */
    public MultiheadAttention(int embedDim, int numHeads, Device device) {
        super(device);
        checkDims(embedDim, numHeads);
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        Tensor weight = Torch.empty(device(), 3 * embedDim, embedDim);
        Tensor bias = null;
        try {
            // xavier_uniform_: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)) = sqrt(6 / (E + 3E)).
            float bound = (float) Math.sqrt(6.0 / (4.0 * embedDim));
            Init.uniform(weight, -bound, bound);
            bias = Torch.zeros(device(), 3 * embedDim);
            this.inProjWeight = registerParameter("in_proj_weight", new Parameter(weight));
            this.inProjBias = registerParameter("in_proj_bias", new Parameter(bias));
        } catch (RuntimeException | Error e) {
            weight.close();
            if (bias != null) {
                bias.close();
            }
            throw e;
        }
        this.outProj = registerModule("out_proj",
                new Linear(embedDim, embedDim, LinearOptions.defaults().withDevice(device())));
    }

    private static void checkDims(int embedDim, int numHeads) {
        if (embedDim < 1 || numHeads < 1) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim (" + embedDim + ") and num_heads ("
                    + numHeads + ") must be at least 1");
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim
                    + " must be divisible by num_heads " + numHeads + " (each head gets embed_dim / num_heads features)");
        }
    }

    /** Self-attention: {@code forward(input, input, input)}. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, input, input, null);
    }

    /** Attention of {@code query [B, L, E]} over {@code key [B, S, E]} / {@code value [B, S, E]}; returns {@code [B, L, E]}. */
    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor)}, ignoring keys marked in {@code keyPaddingMask
     * [B, S]} (nullable): BOOL is true at padding to ignore (PyTorch MHA's convention, the
     * opposite of SDPA's), a floating-point mask is added to the attention scores. A query whose
     * keys are all masked gets NaN, as in PyTorch.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask) {
        checkInputs(query, key, value, keyPaddingMask);
        int batch = query.shape(0);
        int sourceLength = key.shape(1);
        try (TensorScope scope = TensorScope.open()) {
            List<Tensor> qkv = project(query, key, value);
            Tensor mask = null;
            if (keyPaddingMask != null) {
                Tensor perKey = keyPaddingMask.dtype() == DType.BOOL ? keyPaddingMask.logicalNot() : keyPaddingMask;
                mask = perKey.reshape(batch, 1, 1, sourceLength);
            }
            Tensor attended = Torch.scaledDotProductAttention(heads(qkv.get(0)), heads(qkv.get(1)), heads(qkv.get(2)),
                    mask, false);
            Tensor merged = attended.transpose(1, 2).reshape(batch, query.shape(1), embedDim);
            return scope.keep(outProj.forward(merged));
        }
    }

    /**
     * The projected query, key and value, each {@code [B, length, E]}. Inputs that are the same
     * tensor share one gemm over the packed weight rows (self-attention: one gemm for all three).
     */
    private List<Tensor> project(Tensor query, Tensor key, Tensor value) {
        if (query == key && key == value) {
            return packedProjection(query, 0, 3);
        }
        Tensor q = packedProjection(query, 0, 1).get(0);
        if (key == value) {
            List<Tensor> kv = packedProjection(key, 1, 2);
            return List.of(q, kv.get(0), kv.get(1));
        }
        return List.of(q, packedProjection(key, 1, 1).get(0), packedProjection(value, 2, 1).get(0));
    }

    /** {@code input} through {@code count} consecutive E-row blocks of the packed projection from block {@code first}, split per block. */
    private List<Tensor> packedProjection(Tensor input, int first, int count) {
        Tensor weight = inProjWeight.data().narrow(0, first * embedDim, count * embedDim);
        Tensor bias = inProjBias.data().narrow(0, first * embedDim, count * embedDim);
        return Torch.linear(input, weight, bias).split(embedDim, -1);
    }

    /** {@code [B, length, E] -> [B, H, length, E/H]}: a view. */
    private Tensor heads(Tensor x) {
        return x.view(x.shape(0), x.shape(1), numHeads, embedDim / numHeads).transpose(1, 2);
    }

    private void checkInputs(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask) {
        String where = "MultiheadAttention(" + extraRepr() + ").forward: ";
        if (query == null || key == null || value == null) {
            throw new IllegalArgumentException(where + "query, key and value must not be null");
        }
        int[] q = query.shape();
        int[] k = key.shape();
        int[] v = value.shape();
        boolean valid = q.length == 3 && k.length == 3 && v.length == 3
                && q[2] == embedDim && k[2] == embedDim && v[2] == embedDim
                && k[0] == q[0] && v[0] == q[0] && v[1] == k[1];
        if (!valid) {
            throw new IllegalArgumentException(where + "query " + Arrays.toString(q) + ", key " + Arrays.toString(k)
                    + " and value " + Arrays.toString(v) + " must be [B, L, " + embedDim + "], [B, S, " + embedDim
                    + "] and [B, S, " + embedDim + "] (batch first)");
        }
        if (keyPaddingMask != null) {
            int[] m = keyPaddingMask.shape();
            if (m.length != 2 || m[0] != k[0] || m[1] != k[1]) {
                throw new IllegalArgumentException(where + "keyPaddingMask " + Arrays.toString(m) + " must be [B, S] = "
                        + Arrays.toString(new int[] {k[0], k[1]}) + " for key " + Arrays.toString(k));
            }
            DType type = keyPaddingMask.dtype();
            if (type != DType.BOOL && !type.isFloatingPoint()) {
                throw new IllegalArgumentException(where + "keyPaddingMask must be bool (true = padding) or floating point "
                        + "(added to the scores), got " + type);
            }
        }
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    public Parameter inProjWeight() {
        return inProjWeight;
    }

    public Parameter inProjBias() {
        return inProjBias;
    }

    public Linear outProj() {
        return outProj;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads;
    }
}
