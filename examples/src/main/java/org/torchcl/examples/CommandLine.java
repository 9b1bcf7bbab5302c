package org.torchcl.examples;

import java.io.PrintStream;
import java.util.ArrayList;
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
     * Parses {@code args}; a bad {@code --device} value is an {@link IllegalArgumentException} whose
     * one-line message lists the devices found.
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
     * Runs {@code example} with {@code args}; a bad {@code --device} ends the JVM with status 2 and a
     * one-line message listing the devices found.
     */
    public static void launch(String name, String[] args, Example example) {
        CommandLine line;
        try {
            line = parse(args);
        } catch (IllegalArgumentException e) {
            exitOnBadArguments(name, e);
            return;
        }
        LOG.info("running {} on {}", name, line.device());
        example.run(line.device(), System.out, line.rest());
    }

    /** An example run on options already parsed from the arguments after {@code --device}. */
    interface Configured<O> {
        void run(Device device, PrintStream out, O options);
    }

    /**
     * As {@link #launch(String, String[], Example)}, reading the example's own options with {@code parse}
     * first: a bad one (an {@link IllegalArgumentException}) ends the JVM with status 2 and its message.
     */
    static <O> void launch(String name, String[] args, Function<List<String>, O> parse, Configured<O> example) {
        launch(name, args, (device, out, rest) -> {
            O options;
            try {
                options = parse.apply(rest);
            } catch (IllegalArgumentException e) {
                exitOnBadArguments(name, e);
                return;
            }
            example.run(device, out, options);
        });
    }

    private static void exitOnBadArguments(String name, IllegalArgumentException e) {
        System.err.println(name + ": " + e.getMessage());
        System.exit(2);
    }

    /** The first line each example prints. */
    public static void header(PrintStream out, String name, Device device) {
        out.println("== " + name + " on " + device + " ==");
    }
}
