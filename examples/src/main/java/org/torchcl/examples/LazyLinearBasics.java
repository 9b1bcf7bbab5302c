package org.torchcl.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;

/**
 * The first example, the one README's "In code" shows: LazyLinear(128) learns in_features = 256
 * from randn[32, 256].
 */
public final class LazyLinearBasics {

    private LazyLinearBasics() {
    }

    static final Usage USAGE = Usage.of("LazyLinearBasics",
            "LazyLinear(128) on randn[32, 256]: in_features 0 -> 256, and the exact bytes it allocates.");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, LazyLinearBasics::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        CommandLine.header(out, "LazyLinearBasics", device);
        long before = device.memoryStats().allocatedBytes();
        try (LazyLinear layer = new LazyLinear(128, LinearOptions.defaults().withDevice(device))) {
            out.println("layer: " + layer);
            out.println("in_features before forward: " + layer.inFeatures());
            out.println("bytes allocated by the layer before forward: "
                    + (device.memoryStats().allocatedBytes() - before));
            try (Tensor x = Torch.randn(device, 32, 256); Tensor y = layer.forward(x)) {
                out.println("input shape: " + Arrays.toString(x.shape()));
                out.println("output shape: " + Arrays.toString(y.shape()));
            }
            out.println("in_features after forward: " + layer.inFeatures());
            out.println("weight shape: " + Arrays.toString(layer.weight().shape()));
            out.println("bytes allocated by the layer after forward: "
                    + (device.memoryStats().allocatedBytes() - before) + " (= (128*256 + 128) * 4)");
        }
    }
}
