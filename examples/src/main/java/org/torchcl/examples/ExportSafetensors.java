package org.torchcl.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.Conv2d;
import org.torchcl.nn.Conv2dOptions;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.io.Safetensors;

/**
 * The other direction: torchcl initializes a LazyLinear and a Conv2d on the device, runs them, and
 * writes weights, inputs and outputs to a safetensors file ({@code --out FILE}, by default
 * {@code torchcl-export.safetensors} in the temporary directory) that PyTorch reads;
 * {@code examples/python/check_torchcl_file.py FILE} recomputes the outputs in PyTorch and compares.
 */
public final class ExportSafetensors {

    /** In the temporary directory rather than wherever the JVM happens to run. */
    static final Path DEFAULT_FILE = Path.of(System.getProperty("java.io.tmpdir"), "torchcl-export.safetensors");

    static final Usage USAGE = Usage.of("ExportSafetensors",
            "torchcl's weights and outputs saved for PyTorch (examples/python/check_torchcl_file.py checks them).")
            .text("--out", "FILE", "the safetensors file to write (default " + DEFAULT_FILE + ")");

    public static void main(String[] args) {
        CommandLine.launch(USAGE, args, ExportSafetensors::run);
    }

    private ExportSafetensors() {
    }

    static void run(Device device, PrintStream out, List<String> args) {
        Path file = CommandLine.option(args, "--out").map(Path::of).orElse(DEFAULT_FILE).toAbsolutePath();
        CommandLine.header(out, "ExportSafetensors", device);
        Torch.manualSeed(3);
        try (LazyLinear fc = new LazyLinear(7, LinearOptions.defaults().withDevice(device));
             Conv2d conv = new Conv2d(2, 3, 3, Conv2dOptions.defaults().withPadding(1).withDevice(device));
             Tensor x = Torch.randn(device, 4, 11);
             Tensor y = fc.forward(x);
             Tensor images = Torch.randn(device, 2, 2, 5, 5);
             Tensor z = conv.forward(images)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            fc.stateDict().forEach((name, t) -> tensors.put("fc." + name, t));
            conv.stateDict().forEach((name, t) -> tensors.put("conv." + name, t));
            tensors.put("x", x);
            tensors.put("y", y);
            tensors.put("img", images);
            tensors.put("z", z);
            Safetensors.save(tensors, Map.of("written_by", "torchcl on " + device), file);
            out.println("wrote " + tensors.keySet() + " to " + file);
            out.println("check it with PyTorch: /usr/bin/python3 examples/python/check_torchcl_file.py " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
