package org.torchcl.models;

import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.nn.AdaptiveAvgPool2d;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.MaxPool2d;
import org.torchcl.nn.Module;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

/**
 * A ResNet of {@link BasicBlock}s as torchvision builds it (He et al., "Deep Residual Learning for
 * Image Recognition", 2015), with torchvision's child names, so a torchvision state dict (converted
 * to safetensors) loads unchanged: the stem {@code conv1} (7x7, stride 2), {@code bn1},
 * {@code relu}, {@code maxpool} (3x3, stride 2), then {@code layer1} ... {@code layer4}, each a
 * {@link Sequential} of blocks ({@code layer2.0.conv1}, {@code layer2.0.downsample.0}, ...) with
 * 64, 128, 256 and 512 channels, the first block of layers 2 to 4 halving the resolution; then
 * {@code avgpool} (adaptive, to 1x1), a flatten and {@code fc}.
 *
 * <p>Input {@code [N, 3, H, W]} (ImageNet-normalized images of any size; 224x224 is what the
 * ImageNet weights were trained on), output logits {@code [N, numClasses]}. Like torchvision's model, the BatchNorms normalize
 * with the batch's statistics until {@link #eval()} is called: call it before inference.
 *
 * <p>The lazy variant ({@link #resnet18Lazy}) uses {@code LazyConv2d}/{@code LazyBatchNorm2d}
 * everywhere but the stem and a {@code LazyLinear} head: it allocates nothing for them until the
 * first forward, {@link #initialize} or {@link #loadStateDict}, and then equals the eager model.
 * The stem stays eager because it fixes the input contract (3 channels).
 *
 * <p>A forward keeps only the tensors it still needs: each intermediate is closed as soon as the
 * next layer has consumed it, so repeated calls do not grow device memory.
 */
public final class ResNet extends Module {

    private static final int[] RESNET18_LAYERS = {2, 2, 2, 2};
    private static final int[] STAGE_PLANES = {64, 128, 256, 512};

    private final Sequential[] stages;
    private final Module fc;
    /** Everything before the flatten, in order: stem, stages, avgpool. */
    private final Module[] features;

    /**
     * A ResNet with {@code layers[i]} basic blocks in stage {@code i + 1}, on {@code device}
     * (null: the default device when it is made); {@code {2, 2, 2, 2}} is ResNet-18,
     * {@code {3, 4, 6, 3}} ResNet-34. With {@code lazy}, every layer after the stem infers its
     * input size as described above.
     */
    public ResNet(int[] layers, int numClasses, Device device, boolean lazy) {
        super(device);
        if (layers == null || layers.length != STAGE_PLANES.length || Arrays.stream(layers).anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("ResNet: layers must hold " + STAGE_PLANES.length
                    + " block counts of at least 1, got " + Arrays.toString(layers));
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("ResNet: numClasses must be at least 1, got " + numClasses);
        }
        Layers stem = Layers.eager(device);
        Layers body = lazy ? Layers.lazy(device) : stem;
        int inPlanes = STAGE_PLANES[0];
        Module conv1 = registerModule("conv1", stem.conv(3, inPlanes, 7, 2, 3));
        Module bn1 = registerModule("bn1", stem.batchNorm(inPlanes));
        Module relu = registerModule("relu", new ReLU());
        Module maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1));
        this.stages = new Sequential[STAGE_PLANES.length];
        for (int i = 0; i < stages.length; i++) {
            int planes = STAGE_PLANES[i];
            int stride = i == 0 ? 1 : 2;
            Sequential stage = new Sequential();
            for (int b = 0; b < layers[i]; b++) {
                int blockStride = b == 0 ? stride : 1;
                boolean downsample = b == 0 && (stride != 1 || inPlanes != planes * BasicBlock.EXPANSION);
                stage.append(new BasicBlock(body, inPlanes, planes, blockStride, downsample));
                inPlanes = planes * BasicBlock.EXPANSION;
            }
            stages[i] = registerModule("layer" + (i + 1), stage);
        }
        Module avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        this.features = new Module[] {conv1, bn1, relu, maxpool, stages[0], stages[1], stages[2], stages[3], avgpool};
        LinearOptions fcOptions = LinearOptions.defaults().withDevice(device);
        this.fc = registerModule("fc", lazy ? new LazyLinear(numClasses, fcOptions)
                : new Linear(inPlanes, numClasses, fcOptions));
    }

    /** torchvision's {@code resnet18(num_classes=numClasses)} on the default device, untrained. */
    public static ResNet resnet18(int numClasses) {
        return resnet18(numClasses, null);
    }

    /** {@link #resnet18(int)} with its parameters on {@code device} (null: the default device). */
    public static ResNet resnet18(int numClasses, Device device) {
        return new ResNet(RESNET18_LAYERS, numClasses, device, false);
    }

    /** The lazy ResNet-18 on the default device: nothing after the stem is allocated yet. */
    public static ResNet resnet18Lazy(int numClasses) {
        return resnet18Lazy(numClasses, null);
    }

    /** {@link #resnet18Lazy(int)} materializing on {@code device} (null: the default device). */
    public static ResNet resnet18Lazy(int numClasses, Device device) {
        return new ResNet(RESNET18_LAYERS, numClasses, device, true);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("ResNet.forward: input must not be null");
        }
        checkBatched(input.shape());
        try (Tensor pooled = Layers.chain(input, features); Tensor flat = pooled.flatten(1)) {
            return fc.forward(flat);
        }
    }

    /** Stage {@code index} (1 to 4), torchvision's {@code layer1} ... {@code layer4}. */
    public Sequential layer(int index) {
        if (index < 1 || index > stages.length) {
            throw new IndexOutOfBoundsException("ResNet has layer1 to layer" + stages.length + ", not layer" + index);
        }
        return stages[index - 1];
    }

    /** The classifier head: a {@code Linear}, or a {@code LazyLinear} in the lazy variant. */
    public Module fc() {
        return fc;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        checkBatched(inputShape);
        int[] shape = inputShape;
        for (Module module : features) {
            shape = propagateShape(module, shape);
        }
        return propagateShape(fc, new int[] {shape[0], shape[1] * shape[2] * shape[3]});
    }

    /** torchvision's ResNet flattens from dim 1, so it needs a batch dim: unbatched input is refused here, by name. */
    private static void checkBatched(int[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("ResNet: input must be [N, 3, H, W], got " + Arrays.toString(shape));
        }
    }
}
