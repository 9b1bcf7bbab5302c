package org.torchcl.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.torchcl.Device;
import org.torchcl.Torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The command line every example main shares: {@code [--device cpu|opencl|opencl:N|auto] [own options]}. */
public final class CommandLine {

    private static final Logger LOG = LoggerFactory.getLogger(CommandLine.class);

    private final Device explicitDevice;
    private final List<String> rest;

    private CommandLine(Device explicitDevice, List<String> rest) {
        this.explicitDevice = explicitDevice;
        this.rest = rest;
    }

    /**
     * Takes {@code --device} out of {@code args}, leaving the rest unchecked (for mains that check
     * their own options; {@link #parse(Usage, String[])} checks them against a usage). A bad
     * {@code --device} value is an {@link IllegalArgumentException} whose one-line message lists the
     * devices found.
     */
    public static CommandLine parse(String[] args) {
        Device device = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--device")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--device needs a value: cpu, opencl, opencl:N or auto");
                }
                device = Device.parse(args[++i]);
            } else if (arg.startsWith("--device=")) {
                device = Device.parse(arg.substring("--device=".length()));
            } else {
                rest.add(arg);
            }
        }
        return new CommandLine(device, List.copyOf(rest));
    }

    /** The {@code --device} given, else the default device. */
    public Device device() {
        return explicitDevice == null ? Torch.defaultDevice() : explicitDevice;
    }

    /** The {@code --device} given, else every device found: what a benchmark runs on. */
    public List<Device> devicesOrAll() {
        return explicitDevice == null ? Device.available() : List.of(explicitDevice);
    }

    /** The {@code --device} given, if one was. */
    public Optional<Device> explicitDevice() {
        return Optional.ofNullable(explicitDevice);
    }

    public List<String> rest() {
        return rest;
    }

    /** The integer after {@code --name}, or {@code fallback}. */
    public static int intOption(List<String> args, String name, int fallback) {
        return option(args, name).map(value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " needs an integer, got '" + value + "'", e);
            }
        }).orElse(fallback);
    }

    /** Whether the bare flag {@code name} is present. */
    public static boolean flag(List<String> args, String name) {
        return args.contains(name);
    }

    public static Optional<String> option(List<String> args, String name) {
        int at = args.indexOf(name);
        if (at < 0) {
            return Optional.empty();
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return Optional.of(args.get(at + 1));
    }

    /**
     * Parses {@code args} and checks them against {@code usage}: an unknown option, a missing or bad
     * value or an unexpected argument is an {@link IllegalArgumentException} with a one-line message.
     */
    public static CommandLine parse(Usage usage, String[] args) {
        CommandLine line = parse(args);
        usage.check(line.rest());
        return line;
    }

    /**
     * As {@link #parse(Usage, String[])} for a main: {@code --help} prints the usage and ends the JVM
     * with status 0; bad arguments end it with status 2 and one line on stderr.
     */
    public static CommandLine parseOrExit(Usage usage, String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(usage.text());
            System.exit(0);
        }
        try {
            return parse(usage, args);
        } catch (IllegalArgumentException e) {
            throw exitOnBadArguments(usage.name(), e);
        }
    }

    /** Runs {@code example} with {@code args} as {@link #parseOrExit} accepts them. */
    public static void launch(Usage usage, String[] args, Example example) {
        CommandLine line = parseOrExit(usage, args);
        LOG.info("running {} on {}", usage.name(), line.device());
        example.run(line.device(), System.out, line.rest());
    }

    /** An example run on options already parsed from the arguments after {@code --device}. */
    interface Configured<O> {
        void run(Device device, PrintStream out, O options);
    }

    /**
     * As {@link #launch(Usage, String[], Example)}, reading the example's own options with {@code parse}
     * first: what {@code usage} cannot check (a file that must exist, say) is an
     * {@link IllegalArgumentException} that ends the JVM with status 2 and its message.
     */
    static <O> void launch(Usage usage, String[] args, Function<List<String>, O> parse, Configured<O> example) {
        launch(usage, args, (device, out, rest) -> {
            O options;
            try {
                options = parse.apply(rest);
            } catch (IllegalArgumentException e) {
                throw exitOnBadArguments(usage.name(), e);
            }
            example.run(device, out, options);
        });
    }

    /** Ends the JVM with status 2; returns an error only so callers can {@code throw} it for the compiler. */
    private static Error exitOnBadArguments(String name, IllegalArgumentException e) {
        System.err.println(name + ": " + e.getMessage() + " (--help for usage)");
        System.exit(2);
        return new AssertionError("System.exit returned");
    }

    /** The first line each example prints. */
    public static void header(PrintStream out, String name, Device device) {
        out.println("== " + name + " on " + device + " ==");
    }
}
