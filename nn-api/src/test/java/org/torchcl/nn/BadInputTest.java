package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.Generator;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.io.Safetensors;

/**
 * The bad-input table of the README's reliability section, case by case, on every device: each
 * public entry point refuses bad arguments with the documented exception, a message naming the
 * argument and the values, and no memory left behind.
 */
class BadInputTest {

    /** A case: what is wrong, the call, the exception type, and words its message must contain. */
    record Case(String what, Executable call, Class<? extends Throwable> type, String... words) {
    }

    static Stream<Arguments> cases() {
        return TestDevices.all().flatMap(device -> table(device).map(c -> Arguments.of(device, c.what(), c)));
    }

    /** Everything the cases hold, closed after the class. */
    private static final List<AutoCloseable> HELD = new ArrayList<>();

    private static <T extends AutoCloseable> T held(T resource) {
        HELD.add(resource);
        return resource;
    }

    @AfterAll
    static void closeHeld() throws Exception {
        for (AutoCloseable resource : HELD) {
            resource.close();
        }
    }

    /** The arguments are made here, not in the calls, so a call's own allocations can be checked exactly. */
    static Stream<Case> table(Device d) {
        Tensor matrix = held(Torch.zeros(d, 2, 3));
        Tensor wide = held(Torch.zeros(d, 2, 4));
        Tensor other42 = held(Torch.zeros(d, 4, 2));
        Tensor kernel = held(Torch.zeros(d, 4, 2, 3, 3));
        Tensor image = held(Torch.zeros(d, 1, 3, 8, 8));
        Tensor closed = Torch.zeros(d, 4);
        closed.close();
        Map<String, Tensor> wrongState = Map.of("weight", held(Torch.zeros(d, 5, 4)), "bias", held(Torch.zeros(d, 5)));
        Device other = d.isCpu() ? TestDevices.openCl().stream().findFirst().orElse(null) : Device.cpu();
        Tensor elsewhere = other == null ? null : held(Torch.zeros(other, 3, 4));
        LinearOptions on = LinearOptions.defaults().withDevice(d);
        Linear linear = held(new Linear(3, 5, on));
        Conv2d conv3 = held(new Conv2d(3, 4, 3, Conv2dOptions.defaults().withDevice(d)));
        Conv2d conv2 = held(new Conv2d(2, 4, 3, Conv2dOptions.defaults().withDevice(d)));
        Stream<Case> cases = Stream.of(
                new Case("wrong rank: conv2d on a matrix", () -> Torch.conv2d(matrix, kernel, null, 1, 0),
                        IllegalArgumentException.class, "input [2, 3]", "[N, C, H, W]"),
                new Case("wrong rank: Conv2d layer on a matrix", () -> conv3.forward(matrix),
                        IllegalArgumentException.class, "[2, 3]"),
                new Case("mismatched dims: matmul", () -> matrix.matmul(other42),
                        IllegalArgumentException.class, "last dim (3)", "second-to-last dim (4)"),
                new Case("mismatched dims: Linear(3, 5) on width 4", () -> linear.forward(wide),
                        IllegalArgumentException.class, "4 features", "in_features=3"),
                new Case("mismatched dims: conv channels", () -> conv2.forward(image), IllegalArgumentException.class,
                        "3 channels", "in_channels / groups = 3"),
                new Case("mismatched dims: reshape count", () -> matrix.reshape(4, 2), IllegalArgumentException.class,
                        "[2, 3]", "[4, 2]", "counts differ"),
                new Case("mismatched dims: loadStateDict shape", () -> linear.loadStateDict(wrongState),
                        IllegalArgumentException.class, "weight has shape [5, 4] but the parameter is [5, 3]"),
                new Case("closed tensor: op", () -> closed.relu(), IllegalStateException.class, "relu", "[4]", "closed"),
                new Case("closed tensor: as an argument", () -> matrix.add(closed), IllegalStateException.class,
                        "b [4]", "closed"),
                new Case("closed tensor: into a layer", () -> new LazyLinear(2, on).forward(closed),
                        IllegalStateException.class, "closed"),
                new Case("negative size: a shape", () -> Torch.zeros(d, 3, -2), IllegalArgumentException.class,
                        "[3, -2]", "dim 1 is -2"),
                new Case("shapes that do not broadcast", () -> matrix.add(other42), IllegalArgumentException.class,
                        "[2, 3]", "[4, 2]", "do not broadcast"),
                new Case("negative size: Linear features", () -> new Linear(-1, 3, on), IllegalArgumentException.class,
                        "inFeatures must be at least 1, got -1"),
                new Case("negative size: conv padding", () -> Conv2dOptions.defaults().withPadding(-1),
                        IllegalArgumentException.class, "padding must not be negative, got -1"),
                new Case("negative size: initialize", () -> new LazyLinear(2, on).initialize(-3, 4),
                        IllegalArgumentException.class, "[-3, 4]"),
                new Case("null: a tensor argument", () -> Torch.matmul(matrix, null), IllegalArgumentException.class,
                        "b must not be null"),
                new Case("null: layer input", () -> linear.forward(null), IllegalArgumentException.class,
                        "input must not be null"),
                new Case("null: a shape", () -> Torch.zeros(d, (int[]) null), IllegalArgumentException.class,
                        "shape must not be null"),
                new Case("null: a device", () -> Torch.zeros((Device) null, 2), IllegalArgumentException.class,
                        "device must not be null"),
                new Case("null: a generator", () -> matrix.fillUniform(0, 1, null), IllegalArgumentException.class,
                        "generator must not be null"),
                new Case("null: a state dict", () -> linear.loadStateDict(null), IllegalArgumentException.class,
                        "state must not be null"),
                new Case("null: a module", () -> new Sequential((Module) null), IllegalArgumentException.class,
                        "must not be null"),
                new Case("null: a file", () -> Safetensors.load((Path) null, d), IllegalArgumentException.class,
                        "path must not be null"),
                new Case("bad value: a device string", () -> Device.parse("cuda:0"), IllegalArgumentException.class,
                        "unknown device 'cuda:0'", "devices found: cpu"),
                new Case("bad value: a dim index", () -> matrix.shape(5), IllegalArgumentException.class, "dim 5",
                        "rank 2"),
                new Case("bad value: uniform bounds", () -> matrix.fillUniform(2f, 1f, new Generator(0)),
                        IllegalArgumentException.class, "low=2.0", "high=1.0"),
                new Case("uninitialized: a lazy layer's weights", () -> new LazyLinear(2, on).weight().data(),
                        IllegalStateException.class, "UninitializedParameter", "forward pass"),
                new Case("uninitialized: stateDict", () -> new LazyLinear(2, on).stateDict(), IllegalStateException.class,
                        "[weight, bias]", "uninitialized"));
        if (elsewhere != null) {
            cases = Stream.concat(cases, Stream.of(
                    new Case("another device: matmul", () -> matrix.matmul(elsewhere), IllegalArgumentException.class,
                            "is on " + other, ".to(device)"),
                    new Case("another device: into a lazy layer", () -> new LazyLinear(2, on).forward(elsewhere),
                            IllegalArgumentException.class, "materializes on " + d)));
        }
        return cases;
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void refusedWithAClearMessageAndNothingLeaked(Device device, String what, Case c) {
        long before = device.memoryStats().allocatedBytes();
        Throwable thrown = assertThrows(c.type(), c.call(), what);
        for (String word : c.words()) {
            assertTrue(thrown.getMessage().contains(word), what + ": \"" + thrown.getMessage() + "\" lacks \"" + word + "\"");
        }
        assertEquals(before, device.memoryStats().allocatedBytes(), what + ": nothing allocated stays behind");
    }
}
