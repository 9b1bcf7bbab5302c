package org.torchcl.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

/**
 * Five LazyLinear(256) layers with ReLU between, built before the input width is known: the width
 * comes from the command line ({@code --width N}, default 784).
 */
public final class DynamicMlp {

    static final int DEFAULT_WIDTH = 784;

    private DynamicMlp() {
    }

    static Sequential build(Device device) {
        Sequential mlp = new Sequential();
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                mlp.append(new ReLU());
            }
            mlp.append(new LazyLinear(256, LinearOptions.defaults().withDevice(device)));
        }
        return mlp;
    }

    static final Usage USAGE = Usage.of("DynamicMlp",
            "Five LazyLinear(256) layers with ReLU; the input width comes from the command line.")
            .integer("--width", "N", 1, "the input width (default " + DEFAULT_WIDTH + ")");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, DynamicMlp::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        int width = CommandLine.intOption(args, "--width", DEFAULT_WIDTH);
        CommandLine.header(out, "DynamicMlp", device);
        try (Sequential mlp = build(device); Tensor x = Torch.randn(device, 16, width)) {
            out.println("input width chosen at run time: " + width);
            out.println("uninitialized parameters before forward: " + mlp.hasUninitializedParams());
            try (Tensor y = mlp.forward(x)) {
                out.println("input shape: " + Arrays.toString(x.shape()));
                out.println("output shape: " + Arrays.toString(y.shape()));
            }
            for (int i = 0; i < mlp.size(); i += 2) {
                LazyLinear layer = (LazyLinear) mlp.get(i);
                out.println("layer " + i + ": in_features=" + layer.inFeatures() + ", out_features="
                        + layer.outFeatures());
            }
            out.println("parameters: " + mlp.numParameters());
        }
    }
}
