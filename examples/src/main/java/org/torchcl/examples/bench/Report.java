package org.torchcl.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.torchcl.examples.CommandLine;

/**
 * A benchmark's results: one row per device and case, with the peer's figure from the same run and
 * the ratio, printed as an aligned table and optionally written as JSON.
 */
final class Report {

    /**
     * One measurement. {@code value} is a throughput in {@code unit} (higher is better) from the
     * median of {@code runs} runs; {@code peerValue} the peer's, or null.
     */
    record Row(String device, String benchCase, double value, String unit, int runs, Double peerValue, String peer) {

        Double ratio() {
            return peerValue == null || peerValue == 0 ? null : value / peerValue;
        }
    }

    private final String title;
    private final List<Row> rows = new ArrayList<>();

    Report(String title) {
        this.title = title;
    }

    void add(Row row) {
        rows.add(row);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    void print(PrintStream out) {
        String[] header = {"device", "case", "torchcl", "peer", "ratio", "runs"};
        List<String[]> lines = new ArrayList<>();
        lines.add(header);
        for (Row r : rows) {
            lines.add(new String[] {r.device(), r.benchCase(), format(r.value()) + " " + r.unit(),
                r.peerValue() == null ? "-" : format(r.peerValue()) + " " + r.unit(),
                r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.ratio()), String.valueOf(r.runs())});
        }
        int[] widths = new int[header.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        out.println("== " + title + " ==");
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                text.append(i < 2 ? pad(line[i], widths[i]) : padLeft(line[i], widths[i])).append("  ");
            }
            out.println(text.toString().stripTrailing());
        }
        rows.stream().map(Row::peer).filter(p -> p != null).distinct()
                .forEach(peer -> out.println("peer: " + peer));
        out.println("machine: " + machine());
    }

    /** Writes the JSON table when the command line asked for it with {@code --json FILE}. */
    void writeJsonIfAsked(List<String> args) throws IOException {
        Optional<String> file = CommandLine.option(args, "--json");
        if (file.isPresent()) {
            writeJson(Path.of(file.get()));
        }
    }

    void writeJson(Path file) throws IOException {
        String body = rows.stream().map(r -> String.format(Locale.ROOT,
                "    {\"device\": %s, \"case\": %s, \"value\": %.6g, \"unit\": %s, \"runs\": %d, \"peer\": %s, "
                        + "\"peer_value\": %s, \"ratio\": %s}",
                quote(r.device()), quote(r.benchCase()), r.value(), quote(r.unit()), r.runs(), quote(r.peer()),
                r.peerValue() == null ? "null" : String.format(Locale.ROOT, "%.6g", r.peerValue()),
                r.ratio() == null ? "null" : String.format(Locale.ROOT, "%.4f", r.ratio())))
                .collect(Collectors.joining(",\n"));
        Files.writeString(file, "{\n  \"benchmark\": " + quote(title) + ",\n  \"machine\": " + quote(machine())
                + ",\n  \"rows\": [\n" + body + "\n  ]\n}\n");
    }

    /** CPU model, cores, OS and Java: enough to tell two tables' machines apart. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // Not Linux: the rest still identifies the machine.
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }

    private static String format(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.3g", value);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
