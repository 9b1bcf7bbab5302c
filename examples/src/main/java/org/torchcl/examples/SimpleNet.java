package org.torchcl.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Module;

/** Conv2d(3, 64, 5) -> flatten -> LazyLinear(10): the classifier's width comes from the conv output. */
public final class SimpleNet {

    private SimpleNet() {
    }

    /** The model, written the way a PyTorch user writes one. */
    static final class Net extends Module {
        final Conv2d conv;
        final LazyLinear fc;

        Net(Device device) {
            super(device);
            conv = registerModule("conv", new Conv2d(3, 64, 5, Conv2dOptions.defaults().withDevice(device)));
            fc = registerModule("fc", new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
        }

        @Override
        public Tensor forward(Tensor x) {
            try (Tensor features = conv.forward(x); Tensor flat = features.reshape(features.shape(0), -1)) {
                return fc.forward(flat);
            }
        }
    }

    static final Usage USAGE = Usage.of("SimpleNet",
            "Conv2d(3, 64, 5) -> flatten -> LazyLinear(10) on [4, 3, 32, 32]: in_features = 64*28*28.");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, SimpleNet::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        CommandLine.header(out, "SimpleNet", device);
        try (Net net = new Net(device); Tensor x = Torch.randn(device, 4, 3, 32, 32)) {
            out.println(net);
            out.println("fc.in_features before forward: " + net.fc.inFeatures());
            try (Tensor y = net.forward(x)) {
                out.println("input shape: " + Arrays.toString(x.shape()));
                out.println("output shape: " + Arrays.toString(y.shape()));
            }
            out.println("fc.in_features after forward: " + net.fc.inFeatures() + " (= 64 * 28 * 28)");
        }
    }
}
