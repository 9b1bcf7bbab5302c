package org.torchcl.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * What {@link BatchNorm1d}, {@link BatchNorm2d} and {@link LazyBatchNorm2d} share, as PyTorch's
 * {@code _BatchNorm}: per-channel (dim 1) normalization with parameters {@code weight} (ones) and
 * {@code bias} (zeros) and buffers {@code running_mean} (zeros), {@code running_var} (ones) and
 * {@code num_batches_tracked} (an INT64 scalar, shape {@code []}), so torchvision's state dicts load
 * unchanged.
 *
 * <p>In eval mode (after {@link #eval()}, the inference case) it normalizes with the running
 * statistics. In training mode, PyTorch's default, it normalizes with the batch's own mean and
 * biased variance over every dim but 1, and updates the running statistics with momentum 0.1
 * (the variance's estimate unbiased) and counts the batch, as {@code nn.BatchNorm2d} does.
 *
 * <p>A lazy subclass starts with uninitialized parameters and buffers and materializes all five at
 * once, under the same contract as {@link LazyLinear}.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d, LazyBatchNorm2d {

    /** PyTorch's default epsilon added to the variance. */
    public static final double DEFAULT_EPS = 1e-5;
    /** The weight of a new batch's statistics in the running ones, PyTorch's default. */
    public static final double MOMENTUM = 0.1;

    private final double eps;
    // Written once, under the lock, weight last: a thread that sees the materialized weight sees the rest.
    private volatile Parameter weight;
    private volatile Parameter bias;
    private volatile int numFeatures;

    /** A materialized batch norm over {@code numFeatures} channels. */
    BatchNorm(int numFeatures, double eps, Device device) {
        this(eps, device);
        LinearParameters.checkFeatures("numFeatures", numFeatures);
        materialize(numFeatures, true);
    }

    /**
     * A lazy batch norm: nothing allocated until the channel count is known. The placeholders fix the
     * state-dict order (weight, bias, running_mean, running_var, num_batches_tracked) that
     * materializing keeps.
     */
    BatchNorm(double eps, Device device) {
        super(device);
        this.eps = checkEps(eps);
        String owner = getClass().getSimpleName() + ".";
        this.weight = registerParameter("weight", new UninitializedParameter(owner + "weight"));
        this.bias = registerParameter("bias", new UninitializedParameter(owner + "bias"));
        registerUninitializedBuffer("running_mean", owner + "running_mean");
        registerUninitializedBuffer("running_var", owner + "running_var");
        registerUninitializedBuffer("num_batches_tracked", owner + "num_batches_tracked");
    }

    private static double checkEps(double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        return eps;
    }

    /**
     * Throws naming the input's shape unless its rank fits this layer ({@code [N, C]} or
     * {@code [N, C, L]} for 1-d, {@code [N, C, H, W]} for 2-d).
     */
    abstract void checkRank(int[] inputShape);

    /** Allocates (and with {@code initialize}, fills) the parameters and buffers once; later calls see them set. */
    final synchronized void materialize(int channels, boolean initialize) {
        if (weight.isInitialized()) {
            return;
        }
        checkNotClosed();
        Device device = device();
        Tensor[] made = new Tensor[5];
        try {
            made[0] = initialize ? Torch.ones(device, channels) : Torch.empty(device, channels);
            made[1] = initialize ? Torch.zeros(device, channels) : Torch.empty(device, channels);
            made[2] = initialize ? Torch.zeros(device, channels) : Torch.empty(device, channels);
            made[3] = initialize ? Torch.ones(device, channels) : Torch.empty(device, channels);
            made[4] = initialize ? Torch.zeros(device, DType.INT64) : Torch.empty(device, DType.INT64);
        } catch (RuntimeException | Error e) {
            for (Tensor t : made) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        numFeatures = channels;
        registerBuffer("running_mean", made[2]);
        registerBuffer("running_var", made[3]);
        registerBuffer("num_batches_tracked", made[4]);
        bias = registerParameter("bias", new Parameter(made[1]));
        weight = registerParameter("weight", new Parameter(made[0]));
    }

    @Override
    public Tensor forward(Tensor input) {
        String name = getClass().getSimpleName();
        if (input == null) {
            throw new IllegalArgumentException(name + ".forward: input must not be null");
        }
        if (input.isClosed()) {
            throw new IllegalStateException(name + ".forward: input " + input + " is closed");
        }
        int[] shape = input.shape();
        checkRank(shape);
        if (!weight.isInitialized()) {
            if (!input.device().equals(device())) {
                throw new IllegalArgumentException(name + ".forward: input is on " + input.device()
                        + " but the layer materializes on " + device() + "; move one with .to(device)");
            }
            materialize(shape[1], true);
        }
        checkChannels(shape);
        if (!isTraining()) {
            return Torch.batchNorm(input, buffer("running_mean"), buffer("running_var"), weight.data(), bias.data(), eps);
        }
        return trainingForward(input);
    }

    private void checkChannels(int[] shape) {
        if (shape[1] != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + extraRepr() + "): input shape "
                    + Arrays.toString(shape) + " has " + shape[1] + " channels (dim 1) but num_features is " + numFeatures);
        }
    }

    /** Normalizes with the batch's statistics and folds them into the running ones. */
    private Tensor trainingForward(Tensor input) {
        long perChannel = input.numel() / numFeatures;
        if (perChannel <= 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected more than 1 value per channel "
                    + "when training, got input shape " + Arrays.toString(input.shape()) + " (call eval() for inference)");
        }
        int[] dims = new int[input.dim() - 1];
        dims[0] = 0;
        for (int d = 2; d < input.dim(); d++) {
            dims[d - 1] = d;
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor mean = input.mean(dims, false);
            Tensor var = input.var(dims, false, false);
            Tensor y = Torch.batchNorm(input, mean, var, weight.data(), bias.data(), eps);
            synchronized (this) {
                Tensor runningMean = buffer("running_mean");
                Tensor runningVar = buffer("running_var");
                Tensor count = buffer("num_batches_tracked");
                runningMean.copyFrom(runningMean.mul(1 - MOMENTUM).add(mean.mul(MOMENTUM)));
                runningVar.copyFrom(runningVar.mul(1 - MOMENTUM).add(var.mul(MOMENTUM * perChannel / (perChannel - 1.0))));
                count.copyFrom(count.add(1.0));
            }
            return scope.keep(y);
        }
    }

    /** 0 until a lazy layer is materialized, then the channel count. */
    public int numFeatures() {
        return numFeatures;
    }

    public double eps() {
        return eps;
    }

    /** The scale, ones at first; an {@link UninitializedParameter} until a lazy layer is materialized. */
    public Parameter weight() {
        return weight;
    }

    /** The shift, zeros at first; an {@link UninitializedParameter} until a lazy layer is materialized. */
    public Parameter bias() {
        return bias;
    }

    /** The {@code running_mean} buffer {@code [C]}. @throws IllegalStateException while lazy and uninitialized */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** The {@code running_var} buffer {@code [C]}. @throws IllegalStateException while lazy and uninitialized */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** The {@code num_batches_tracked} buffer: an INT64 scalar. @throws IllegalStateException while lazy and uninitialized */
    public Tensor numBatchesTracked() {
        return buffer("num_batches_tracked");
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        checkRank(inputShape);
        if (!weight.isInitialized()) {
            materialize(inputShape[1], true);
        }
        checkChannels(inputShape);
        return inputShape;
    }

    @Override
    protected void checkState(String prefix, Map<String, Tensor> own, List<String> problems) {
        if (weight.isInitialized()) {
            super.checkState(prefix, own, problems);
            return;
        }
        int[] w = own.get("weight").shape();
        if (w.length != 1) {
            problems.add(prefix + "weight has shape " + Arrays.toString(w) + " but " + getClass().getSimpleName()
                    + " needs [num_features]");
            return;
        }
        for (String name : List.of("bias", "running_mean", "running_var")) {
            if (!Arrays.equals(own.get(name).shape(), w)) {
                problems.add(prefix + name + " has shape " + Arrays.toString(own.get(name).shape()) + " but weight has "
                        + Arrays.toString(w));
            }
        }
        if (own.get("num_batches_tracked").dim() != 0) {
            problems.add(prefix + "num_batches_tracked has shape " + Arrays.toString(own.get("num_batches_tracked").shape())
                    + " but must be a scalar []");
        }
    }

    @Override
    protected void materializeFromState(Map<String, Tensor> own) {
        materialize(own.get("weight").shape(0), false);
    }

    @Override
    public Module to(Device target) {
        synchronized (this) {
            return super.to(target);
        }
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + MOMENTUM + ", affine=true, track_running_stats=true";
    }
}
