package org.torchcl.models;

import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.nn.BatchNorm;
import org.torchcl.nn.BatchNorm2d;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.LazyBatchNorm2d;
import org.torchcl.nn.LazyConv2d;
import org.torchcl.nn.Module;

/**
 * Makes the layers in which the eager and the lazy ResNet differ, so both are built by one
 * construction code and cannot drift apart: an eager instance makes {@link Conv2d} and
 * {@link BatchNorm2d} with their channel counts, a lazy one {@link LazyConv2d} and
 * {@link LazyBatchNorm2d}, which ignore the input channel count and learn it from the first input
 * or state dict. Every layer goes to {@code device} (null: the default device when it is made).
 */
final class Layers {

    private final boolean lazy;
    private final Device device;

    private Layers(boolean lazy, Device device) {
        this.lazy = lazy;
        this.device = device;
    }

    static Layers eager(Device device) {
        return new Layers(false, device);
    }

    static Layers lazy(Device device) {
        return new Layers(true, device);
    }

    Device device() {
        return device;
    }

    /** A bias-free convolution, as every convolution of a ResNet is (BatchNorm follows it). */
    Module conv(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        Conv2dOptions options = Conv2dOptions.defaults().withStride(stride).withPadding(padding).withBias(false)
                .withDevice(device);
        return lazy ? new LazyConv2d(outChannels, kernelSize, options)
                : new Conv2d(inChannels, outChannels, kernelSize, options);
    }

    Module batchNorm(int channels) {
        return lazy ? new LazyBatchNorm2d(BatchNorm.DEFAULT_EPS, device)
                : new BatchNorm2d(channels, BatchNorm.DEFAULT_EPS, device);
    }

    /**
     * Runs {@code modules} in order, each on the previous output, closing every intermediate as
     * soon as it is consumed (and on failure), so a forward holds only the tensors still needed.
     * {@code input} stays the caller's; the result is a new tensor the caller owns.
     */
    static Tensor chain(Tensor input, Module... modules) {
        Tensor current = input;
        try {
            for (Module module : modules) {
                Tensor next = module.forward(current);
                if (current != input && current != next) {
                    current.close();
                }
                current = next;
            }
        } catch (RuntimeException | Error e) {
            if (current != input) {
                current.close();
            }
            throw e;
        }
        // Only identity modules ran: hand back a view, never the caller's own object.
        return current == input ? input.view(input.shape()) : current;
    }
}
