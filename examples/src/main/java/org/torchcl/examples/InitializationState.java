package org.torchcl.examples;

import java.io.PrintStream;
import java.util.List;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.Parameter;
import org.torchcl.nn.Sequential;

/**
 * has_uninitialized_params() before and after: once by a forward pass, once by
 * {@code initialize(shape)} (no data needed), with the parameter types and the memory they hold.
 */
public final class InitializationState {

    private InitializationState() {
    }

    static final Usage USAGE = Usage.of("InitializationState",
            "hasUninitializedParams() before and after a forward, and after initialize(shape).");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, InitializationState::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        CommandLine.header(out, "InitializationState", device);
        LinearOptions options = LinearOptions.defaults().withDevice(device);
        try (Sequential byForward = new Sequential(new LazyLinear(10, options), new LazyLinear(20, options));
             Sequential byShape = new Sequential(new LazyLinear(10, options), new LazyLinear(20, options))) {
            out.println("has_uninitialized_params before: " + byForward.hasUninitializedParams());
            describe(out, byForward);
            try (Tensor x = Torch.ones(device, 5, 5); Tensor y = byForward.forward(x)) {
                out.println("after forward on [5, 5]:");
            }
            out.println("has_uninitialized_params after forward: " + byForward.hasUninitializedParams());
            describe(out, byForward);
            byShape.initialize(5, 5);
            out.println("has_uninitialized_params after initialize(5, 5): " + byShape.hasUninitializedParams());
            out.println("parameters: " + byShape.numParameters());
        }
    }

    private static void describe(PrintStream out, Sequential model) {
        model.namedParameters().forEach((name, p) -> out.println("  " + name + ": " + describe(p)));
    }

    private static String describe(Parameter p) {
        return p.isInitialized() ? "Parameter " + java.util.Arrays.toString(p.shape()) : "UninitializedParameter";
    }
}
