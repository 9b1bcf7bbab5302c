package org.torchcl.nn;

import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Generator;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * A lookup table, as {@code nn.Embedding(n, d)}: integer ids of any shape pick rows of the
 * parameter {@code weight [n, d]}, giving {@code [..., d]}. The weight starts N(0, 1) from the
 * default generator, PyTorch's init, filled on the device.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, null);
    }

    /** On {@code device}, or on the default device of this moment when it is null. */
    public Embedding(int numEmbeddings, int embeddingDim, Device device) {
        super(device);
        LinearParameters.checkFeatures("numEmbeddings", numEmbeddings);
        LinearParameters.checkFeatures("embeddingDim", embeddingDim);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Tensor w = Torch.empty(device(), numEmbeddings, embeddingDim);
        try {
            w.fillNormal(0f, 1f, Generator.defaultGenerator());
        } catch (RuntimeException | Error e) {
            w.close();
            throw e;
        }
        this.weight = registerParameter("weight", new Parameter(w));
    }

    /** {@code ids} (INT64 or INT32, any shape, each in {@code [0, n)}) to {@code [..., d]}. */
    @Override
    public Tensor forward(Tensor ids) {
        return Torch.embedding(ids, weight.data());
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public Parameter weight() {
        return weight;
    }

    /** Ids of {@code inputShape} give {@code [...inputShape, d]}. */
    @Override
    protected int[] propagateShape(int[] inputShape) {
        int[] output = Arrays.copyOf(inputShape, inputShape.length + 1);
        output[inputShape.length] = embeddingDim;
        return output;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
