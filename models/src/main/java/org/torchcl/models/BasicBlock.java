package org.torchcl.models;

import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.nn.Module;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

/**
 * The residual block of ResNet-18 and -34, as torchvision's {@code BasicBlock}:
 * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, where {@code conv1} is 3x3 with the
 * block's stride, {@code conv2} 3x3, and the shortcut is the identity or, when the block changes
 * the resolution or the channel count, {@code downsample} = 1x1 convolution with the stride then
 * BatchNorm. The children carry torchvision's names ({@code conv1}, {@code bn1}, {@code relu},
 * {@code conv2}, {@code bn2}, {@code downsample.0}, {@code downsample.1}), so its state dict loads
 * unchanged.
 *
 * <p>A forward keeps at most the block input, the main branch's current tensor and the shortcut
 * alive; everything else is closed as soon as it has been used.
 */
public final class BasicBlock extends Module {

    /** Output channels per {@code planes}: 1 for this block (torchvision's {@code expansion}). */
    public static final int EXPANSION = 1;

    private final Module conv1;
    private final Module bn1;
    private final Module relu;
    private final Module conv2;
    private final Module bn2;
    private final Sequential downsample;

    /**
     * A block on the default device, taking {@code inPlanes} channels to {@code planes}; it gets a
     * {@code downsample} shortcut exactly when {@code stride != 1} or {@code inPlanes != planes}.
     */
    public BasicBlock(int inPlanes, int planes, int stride) {
        this(inPlanes, planes, stride, null);
    }

    /** As {@link #BasicBlock(int, int, int)}, with its parameters on {@code device} (null: the default device). */
    public BasicBlock(int inPlanes, int planes, int stride, Device device) {
        this(Layers.eager(device), checkPositive("inPlanes", inPlanes), planes, stride,
                stride != 1 || inPlanes != planes * EXPANSION);
    }

    /**
     * A block whose convolutions and BatchNorms learn their input channel count from the first
     * input or the state dict ({@code LazyConv2d}, {@code LazyBatchNorm2d}). As the input channel
     * count is unknown, the caller says whether the block has a {@code downsample} shortcut.
     */
    public static BasicBlock lazy(int planes, int stride, boolean downsample, Device device) {
        return new BasicBlock(Layers.lazy(device), 0, planes, stride, downsample);
    }

    /** {@code inPlanes} is only read by eager layers. */
    BasicBlock(Layers layers, int inPlanes, int planes, int stride, boolean downsample) {
        super(layers.device());
        checkPositive("planes", planes);
        checkPositive("stride", stride);
        this.conv1 = registerModule("conv1", layers.conv(inPlanes, planes, 3, stride, 1));
        this.bn1 = registerModule("bn1", layers.batchNorm(planes));
        this.relu = registerModule("relu", new ReLU());
        this.conv2 = registerModule("conv2", layers.conv(planes, planes, 3, 1, 1));
        this.bn2 = registerModule("bn2", layers.batchNorm(planes));
        this.downsample = downsample
                ? registerModule("downsample", new Sequential(layers.conv(inPlanes, planes * EXPANSION, 1, stride, 0),
                        layers.batchNorm(planes * EXPANSION)))
                : null;
    }

    private static int checkPositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("BasicBlock: " + name + " must be at least 1, got " + value);
        }
        return value;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor residual = Layers.chain(input, conv1, bn1, relu, conv2, bn2);
        try {
            if (downsample == null) {
                try (Tensor sum = residual.add(input)) {
                    return relu.forward(sum);
                }
            }
            try (Tensor shortcut = downsample.forward(input); Tensor sum = residual.add(shortcut)) {
                return relu.forward(sum);
            }
        } finally {
            residual.close();
        }
    }

    /** The shortcut's 1x1 convolution and BatchNorm, or null when the shortcut is the identity. */
    public Sequential downsample() {
        return downsample;
    }

    @Override
    protected int[] propagateShape(int[] inputShape) {
        int[] shape = inputShape;
        for (Module module : new Module[] {conv1, bn1, relu, conv2, bn2}) {
            shape = propagateShape(module, shape);
        }
        if (downsample != null) {
            propagateShape(downsample, inputShape);
        }
        return shape;
    }
}
