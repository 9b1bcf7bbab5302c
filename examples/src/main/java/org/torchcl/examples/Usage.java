package org.torchcl.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a main accepts besides {@code --device} and {@code --help}: its options (with the kind of
 * value each takes), its flags and its free arguments. {@link CommandLine} prints it for
 * {@code --help} and checks a command line against it before the main runs, so an unknown option or
 * a bad value is one line and exit status 2, never a stack trace.
 */
public final class Usage {

    /** The value an option takes; integers and numbers are checked against their minimum. */
    private record Value(String placeholder, String help, Kind kind, double minimum) {
    }

    private enum Kind { TEXT, INTEGER, INTEGERS, NUMBER, FLAG }

    private final String name;
    private final String summary;
    private final Map<String, Value> options = new LinkedHashMap<>();
    private String operands;
    private String operandsHelp;

    private Usage(String name, String summary) {
        this.name = name;
        this.summary = summary;
    }

    /** A main called {@code name} that takes only {@code --device} until options are added. */
    public static Usage of(String name, String summary) {
        return new Usage(name, summary);
    }

    /** {@code --name VALUE}, any text (a file, a list). */
    public Usage text(String option, String placeholder, String help) {
        return add(option, new Value(placeholder, help, Kind.TEXT, 0));
    }

    /** {@code --name N}, an integer of at least {@code minimum}. */
    public Usage integer(String option, String placeholder, int minimum, String help) {
        return add(option, new Value(placeholder, help, Kind.INTEGER, minimum));
    }

    /** {@code --name 1,8,64}, a comma-separated list of integers, each at least {@code minimum}. */
    public Usage integers(String option, String placeholder, int minimum, String help) {
        return add(option, new Value(placeholder, help, Kind.INTEGERS, minimum));
    }

    /** {@code --name X}, a number of at least {@code minimum}. */
    public Usage number(String option, String placeholder, double minimum, String help) {
        return add(option, new Value(placeholder, help, Kind.NUMBER, minimum));
    }

    /** {@code --name} alone. */
    public Usage flag(String option, String help) {
        return add(option, new Value(null, help, Kind.FLAG, 0));
    }

    /** Free arguments after the options, e.g. {@code [SENTENCE...]}; without this call there may be none. */
    public Usage operands(String placeholder, String help) {
        this.operands = placeholder;
        this.operandsHelp = help;
        return this;
    }

    public String name() {
        return name;
    }

    private Usage add(String option, Value value) {
        if (!option.startsWith("--") || option.equals("--device") || option.equals("--help")
                || options.containsKey(option)) {
            throw new IllegalArgumentException(name + ": option '" + option + "' must start with --, be new and not be"
                    + " --device or --help");
        }
        options.put(option, value);
        return this;
    }

    /**
     * Checks the arguments after {@code --device} was taken out: an unknown option, a missing or bad
     * value, or a free argument where none is taken is an {@link IllegalArgumentException} with a
     * one-line message.
     */
    void check(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            Value value = options.get(arg);
            if (value == null) {
                if (arg.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'; options: " + optionList());
                }
                if (operands == null) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "'; options: " + optionList());
                }
            } else if (value.kind() != Kind.FLAG) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value: " + value.placeholder());
                }
                checkValue(arg, value, args.get(++i));
            }
        }
    }

    private static void checkValue(String option, Value value, String text) {
        switch (value.kind()) {
            case INTEGER, NUMBER -> checkNumber(option, value, text, text);
            case INTEGERS -> {
                for (String item : text.split(",", -1)) {
                    checkNumber(option, value, item, text);
                }
            }
            default -> {
            }
        }
    }

    /** Checks {@code text}, the whole value or one item of a list {@code whole}. */
    private static void checkNumber(String option, Value value, String text, String whole) {
        boolean integral = value.kind() != Kind.NUMBER;
        double number;
        try {
            number = integral ? Integer.parseInt(text.trim()) : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs " + (value.kind() == Kind.INTEGERS ? "integers separated by"
                    + " commas" : integral ? "an integer" : "a number") + ", got '" + whole + "'");
        }
        if (!(number >= value.minimum())) {
            throw new IllegalArgumentException(option + " must be at least " + format(value) + ", got " + whole);
        }
    }

    private static String format(Value value) {
        return value.kind() != Kind.NUMBER ? String.valueOf((long) value.minimum())
                : String.format(Locale.ROOT, "%s", value.minimum());
    }

    private String optionList() {
        List<String> all = new ArrayList<>(List.of("--device D"));
        options.forEach((option, value) -> all.add(value.kind() == Kind.FLAG ? option : option + " " + value.placeholder()));
        all.add("--help");
        return String.join(", ", all) + (operands == null ? "" : ", then " + operands);
    }

    /** The text {@code --help} prints. */
    String text() {
        StringBuilder text = new StringBuilder("usage: ").append(name).append(" [--device cpu|opencl|opencl:N|auto]");
        options.forEach((option, value) -> text.append(" [").append(option)
                .append(value.kind() == Kind.FLAG ? "" : " " + value.placeholder()).append(']'));
        if (operands != null) {
            text.append(' ').append(operands);
        }
        text.append("\n\n").append(summary).append("\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"--device D", "where to run (default: torchcl.device, TORCHCL_DEVICE, else auto)"});
        options.forEach((option, value) -> rows.add(new String[] {
            value.kind() == Kind.FLAG ? option : option + " " + value.placeholder(), value.help()}));
        if (operands != null) {
            rows.add(new String[] {operands, operandsHelp});
        }
        rows.add(new String[] {"--help", "print this and exit"});
        int width = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
        return text.append(rows.stream().map(row -> String.format(Locale.ROOT, "  %-" + width + "s  %s", row[0], row[1]))
                .collect(Collectors.joining("\n", "", "\n"))).toString();
    }
}
