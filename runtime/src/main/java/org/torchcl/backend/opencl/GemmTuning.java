package org.torchcl.backend.opencl;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tuner's verdicts, one line per device and driver in {@code sgemm-tuning.properties} of the
 * kernel cache directory; {@link OpenClGemm} starts from the stored configuration when there is
 * one for its device.
 */
final class GemmTuning {

    private static final Logger LOG = LoggerFactory.getLogger(GemmTuning.class);
    private static final String FILE = "sgemm-tuning.properties";

    private GemmTuning() {
    }

    static String deviceKey(OpenClDeviceInfo device) {
        return (device.name() + " | " + device.driverVersion()).replaceAll("[=:\\s]+", "_");
    }

    static Optional<GemmConfig> stored(KernelCache cache, OpenClDeviceInfo device) {
        if (!cache.enabled()) {
            return Optional.empty();
        }
        Path file = cache.directory().resolve(FILE);
        String value = read(file).getProperty(deviceKey(device));
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(GemmConfig.parse(value)).filter(config -> config.fits(device));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring the tuned sgemm config '{}' in {}: {}", value, file, e.getMessage());
            return Optional.empty();
        }
    }

    static void store(KernelCache cache, OpenClDeviceInfo device, GemmConfig config) throws IOException {
        if (!cache.enabled()) {
            throw new IOException("the kernel cache is off (" + KernelCache.ENV + "=off): nowhere to store tuning");
        }
        Path file = cache.directory().resolve(FILE);
        Files.createDirectories(file.getParent());
        Properties all = read(file);
        all.setProperty(deviceKey(device), config.toString());
        Path partial = Files.createTempFile(file.getParent(), FILE, ".partial");
        try {
            try (Writer out = Files.newBufferedWriter(partial)) {
                all.store(out, "sgemm tile configurations chosen by the torchcl tuner, per device and driver");
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static Properties read(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("cannot read {}: {}", file, e.toString());
            }
        }
        return properties;
    }
}
