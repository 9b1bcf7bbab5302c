package org.torchcl.examples.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws GFLOP/s (log scale) against n for the square products: one line per device and one per
 * peer. {@code SgemmPlot sgemm.json sgemm.png} draws a table SgemmBench wrote with {@code --json}
 * on another machine (the GPU machine's runtime has no AWT).
 */
public final class SgemmPlot {

    private static final Pattern ROW = Pattern.compile("\\{\"device\": \"([^\"]*)\", \"case\": \"([^\"]*)\", "
            + "\"value\": ([^,]*), \"unit\": \"([^\"]*)\", \"runs\": (\\d+), \"peer\": (null|\"[^\"]*\"), "
            + "\"peer_value\": ([^,]*),");

    private SgemmPlot() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SgemmPlot SGEMM.json OUT.png");
            System.exit(2);
        }
        write(read(Path.of(args[0])), Path.of(args[1]));
    }

    /** Reads back the rows of a JSON table written by {@link Report#writeJson}. */
    static Report read(Path json) throws IOException {
        Report report = new Report("sgemm GFLOP/s");
        for (String line : Files.readAllLines(json)) {
            Matcher m = ROW.matcher(line.trim());
            if (m.find()) {
                String peer = m.group(6).equals("null") ? null : m.group(6).substring(1, m.group(6).length() - 1);
                report.add(new Report.Row(m.group(1), m.group(2), Double.parseDouble(m.group(3)), m.group(4),
                        Integer.parseInt(m.group(5)), m.group(7).equals("null") ? null : Double.valueOf(m.group(7)), peer));
            }
        }
        return report;
    }

    static void write(Report report, Path png) throws IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Report.Row row : report.rows()) {
            if (!row.benchCase().startsWith("square n=")) {
                continue;
            }
            // Both axes are log2 of the value, labelled back with the value: every measured n gets its
            // tick, and every GFLOP/s tick a number (a logarithmic axis labels only the decades).
            double n = log2(Double.parseDouble(row.benchCase().substring("square n=".length())));
            series.computeIfAbsent("torchcl " + row.device(), k -> new ArrayList<>()).add(new double[] {n, log2(row.value())});
            if (row.peerValue() != null) {
                series.computeIfAbsent(row.peer(), k -> new ArrayList<>()).add(new double[] {n, log2(row.peerValue())});
            }
        }
        XYChart chart = new XYChartBuilder().width(900).height(620).title("sgemm, n x n x n (float32): higher is better")
                .xAxisTitle("n").yAxisTitle("GFLOP/s (higher is better)").build();
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> String.valueOf(Math.round(Math.pow(2, x))));
        chart.getStyler().setyAxisTickLabelsFormattingFunction(y -> new BigDecimal(Math.pow(2, y))
                .round(new MathContext(2)).stripTrailingZeros().toPlainString());
        // Below the plot, where it covers no data point.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        series.forEach((name, points) -> {
            double[] xs = points.stream().mapToDouble(p -> p[0]).distinct().toArray();
            double[] ys = xs.length == points.size() ? points.stream().mapToDouble(p -> p[1]).toArray()
                    : distinctByX(points, xs);
            chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        });
        String file = png.toString();
        BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file,
                BitmapEncoder.BitmapFormat.PNG);
    }

    private static double log2(double value) {
        return Math.log(value) / Math.log(2);
    }

    /** One peer serves several devices: keep its first figure for each n. */
    private static double[] distinctByX(List<double[]> points, double[] xs) {
        double[] ys = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i];
            ys[i] = points.stream().filter(p -> p[0] == x).findFirst().orElseThrow()[1];
        }
        return ys;
    }
}
