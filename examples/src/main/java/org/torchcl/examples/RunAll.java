package org.torchcl.examples;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.torchcl.Device;

/** Runs every scenario in sequence on one device (the default device unless --device says otherwise). */
public final class RunAll {

    /** The scenarios, in the order they are run and printed. */
    static final Map<String, Example> EXAMPLES = examples();

    private RunAll() {
    }

    private static Map<String, Example> examples() {
        Map<String, Example> all = new LinkedHashMap<>();
        all.put("LazyLinearBasics", LazyLinearBasics::run);
        all.put("SimpleNet", SimpleNet::run);
        all.put("DynamicMlp", DynamicMlp::run);
        all.put("InitializationState", InitializationState::run);
        all.put("FeatureExtractor", FeatureExtractor::run);
        all.put("DigitsInference", DigitsInference::run);
        return all;
    }

    static final Usage USAGE = Usage.of("RunAll", "Every example in sequence: " + String.join(", ", EXAMPLES.keySet()) + ".")
            .integer("--width", "N", 1, "DynamicMlp's input width (default " + DynamicMlp.DEFAULT_WIDTH + ")");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, RunAll::run);
    }

    static void run(Device device, PrintStream out, List<String> args) {
        for (Example example : EXAMPLES.values()) {
            example.run(device, out, args);
            out.println();
        }
        out.println("all " + EXAMPLES.size() + " examples ran on " + device);
    }
}
