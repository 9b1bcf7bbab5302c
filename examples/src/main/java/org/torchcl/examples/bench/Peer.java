package org.torchcl.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library a user would otherwise pick, measured in the same run through {@code peer_bench.py}
 * (bundled in this jar): numpy/OpenBLAS on the CPU, PyTorch CUDA (TF32 off) on an NVIDIA GPU. The
 * interpreter is {@code TORCHCL_PYTHON}, else {@code /usr/bin/python3}; without it the peer
 * columns stay empty.
 */
public final class Peer {

    private static final Logger LOG = LoggerFactory.getLogger(Peer.class);
    private static final Pattern NUMBER = Pattern.compile("-?[0-9.]+(?:[eE][-+]?[0-9]+)?|null");

    /** What the peer measured: its name and the median seconds of each case (null where it has none). */
    public record Measurement(String name, List<Double> seconds) {
    }

    private Peer() {
    }

    /**
     * Asks the peer to time {@code cases} (each a map as peer_bench.py documents) on {@code device}
     * ({@code cpu} or {@code cuda}); empty when there is no interpreter or it fails.
     */
    static Optional<Measurement> measure(String device, int warmup, int repeats, List<Map<String, Object>> cases) {
        String python = Optional.ofNullable(System.getenv("TORCHCL_PYTHON")).orElse("/usr/bin/python3");
        if (!Files.isExecutable(Path.of(python))) {
            LOG.info("no peer: {} is not an executable Python (set TORCHCL_PYTHON)", python);
            return Optional.empty();
        }
        String request = "{\"device\":\"" + device + "\",\"warmup\":" + warmup + ",\"repeats\":" + repeats
                + ",\"cases\":[" + cases.stream().map(Peer::json).collect(Collectors.joining(",")) + "]}";
        try {
            Path script = Files.createTempFile("torchcl-peer", ".py");
            try (InputStream in = Peer.class.getResourceAsStream("peer_bench.py")) {
                Files.write(script, in.readAllBytes());
            }
            try {
                Process process = new ProcessBuilder(python, script.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(request.getBytes(StandardCharsets.UTF_8));
                }
                String answer = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    LOG.warn("the peer ({} {}) failed; peer columns stay empty", python, device);
                    return Optional.empty();
                }
                return Optional.of(parse(answer));
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("the peer could not run: {}", e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reads {@code {"peer": "...", "results": [..]}}: the peer's fixed output, not general JSON. */
    static Measurement parse(String answer) {
        Matcher name = Pattern.compile("\"peer\":\\s*\"([^\"]*)\"").matcher(answer);
        Matcher list = Pattern.compile("\"results\":\\s*\\[([^\\]]*)\\]").matcher(answer);
        if (!name.find() || !list.find()) {
            throw new IllegalArgumentException("unexpected peer output: " + answer);
        }
        List<Double> seconds = new ArrayList<>();
        Matcher number = NUMBER.matcher(list.group(1));
        while (number.find()) {
            seconds.add(number.group().equals("null") ? null : Double.valueOf(number.group()));
        }
        return new Measurement(name.group(1), seconds);
    }

    private static String json(Map<String, Object> fields) {
        return fields.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + (e.getValue() instanceof String s ? "\"" + s + "\"" : e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }
}
