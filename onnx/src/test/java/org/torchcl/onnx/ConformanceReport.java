package org.torchcl.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.torchcl.Device;

/** The README table of {@link OnnxConformanceTest}: per op, cases passed / run on each device, then every case not run or failing with its reason. */
final class ConformanceReport {

    /** ONNX functions whose test cases come expanded into the listed ops, by the start of their case names. */
    private static final Map<String, String> FUNCTIONS = Map.of(
            "castlike", "CastLike", "mvn", "MeanVarianceNormalization", "greaterequal", "GreaterOrEqual",
            "lessequal", "LessOrEqual", "trainingdropout", "Dropout (training mode)");

    private ConformanceReport() {
    }

    /**
     * The op a case tests: its only op besides Constant; else the op its name starts with
     * ({@code test_layer_normalization_2d_axis0_expanded} → LayerNormalization (expanded)); else its ops joined.
     */
    static String group(String caseName, Set<String> ops) {
        List<String> real = ops.stream().filter(op -> !op.equals("Constant")).toList();
        String expanded = caseName.endsWith("_expanded") ? " (expanded)" : "";
        String base = caseName.replaceFirst("^test_", "").replace("_", "").toLowerCase();
        for (Map.Entry<String, String> function : FUNCTIONS.entrySet()) {
            if (base.startsWith(function.getKey())) {
                return function.getValue() + expanded;
            }
        }
        String best = null;
        for (String op : OnnxConformanceTest.OPS) {
            if (base.startsWith(op.toLowerCase()) && (best == null || op.length() > best.length())) {
                best = op;
            }
        }
        if (best != null && (real.size() != 1 || !expanded.isEmpty())) {
            return best + expanded;
        }
        if (real.size() == 1) {
            return real.get(0);
        }
        return real.isEmpty() ? "Constant" : String.join("+", real) + expanded;
    }

    static String markdown(Map<String, String> groups, Map<Device, Map<String, OnnxConformanceTest.Outcome>> outcomes,
                           Map<String, OnnxConformanceTest.Expected> notRun, Map<String, String> failing) {
        List<Device> devices = new ArrayList<>(outcomes.keySet());
        devices.sort((a, b) -> a.toString().compareTo(b.toString()));
        StringBuilder md = new StringBuilder();
        md.append("| op | cases |");
        devices.forEach(d -> md.append(" passed / run on ").append(d.isOpenCl() ? "OpenCL (" + d + ")" : d).append(" |"));
        md.append("\n|---|---|");
        devices.forEach(d -> md.append("---|"));
        md.append('\n');
        Map<String, List<String>> byGroup = new TreeMap<>();
        groups.forEach((name, group) -> byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(name));
        int[] passedTotal = new int[devices.size()];
        int[] runTotal = new int[devices.size()];
        byGroup.forEach((group, names) -> {
            md.append("| ").append(group).append(" | ").append(names.size()).append(" |");
            for (int i = 0; i < devices.size(); i++) {
                Map<String, OnnxConformanceTest.Outcome> results = outcomes.get(devices.get(i));
                int passed = 0;
                int run = 0;
                for (String name : names) {
                    OnnxConformanceTest.Outcome o = results.get(name);
                    if (o != null && o.status() != OnnxConformanceTest.Status.NOT_RUN) {
                        run++;
                        passed += o.status() == OnnxConformanceTest.Status.PASSED ? 1 : 0;
                    }
                }
                passedTotal[i] += passed;
                runTotal[i] += run;
                md.append(' ').append(passed).append(" / ").append(run).append(" |");
            }
            md.append('\n');
        });
        md.append("| **all** | ").append(groups.size()).append(" |");
        for (int i = 0; i < devices.size(); i++) {
            md.append(" **").append(passedTotal[i]).append(" / ").append(runTotal[i]).append("** |");
        }
        md.append("\n\nNot run (").append(notRun.size()).append("):\n\n");
        new TreeMap<>(notRun).forEach((name, e) -> md.append("- `").append(name).append("`: ").append(e.reason())
                .append(e.kind() == OnnxConformanceTest.Exclusion.DTYPE ? " (outside the 348)" : "").append('\n'));
        md.append("\nRun but failing (").append(failing.size()).append("):\n\n");
        new TreeMap<>(failing).forEach((name, reason) -> md.append("- `").append(name).append("`: ").append(reason)
                .append('\n'));
        return md.toString();
    }
}
