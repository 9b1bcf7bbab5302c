package org.torchcl.backend.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiled kernel binaries on disk, so a new JVM skips the source compile (hundreds of ms per
 * program). A binary is keyed by everything that could change it: device, vendor, driver and
 * OpenCL versions, build options and the source text. The directory is {@value #PROPERTY} or
 * {@value #ENV}, else {@code $XDG_CACHE_HOME/torchcl} or {@code ~/.cache/torchcl}; the value
 * {@code off} disables caching. A cache that cannot be written is logged once and ignored.
 */
final class KernelCache {

    static final String PROPERTY = "torchcl.cache.dir";
    static final String ENV = "TORCHCL_CACHE_DIR";

    private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);

    private final Path directory;
    private final AtomicBoolean warned = new AtomicBoolean();

    private KernelCache(Path directory) {
        this.directory = directory;
    }

    /** The cache the property, the environment and the defaults point at; may be disabled. */
    static KernelCache configured() {
        return new KernelCache(resolve(System.getProperty(PROPERTY), System.getenv(ENV), System.getenv("XDG_CACHE_HOME"),
                System.getProperty("user.home")));
    }

    /** The cache directory for these settings, or null when caching is off. */
    static Path resolve(String property, String env, String xdgCacheHome, String userHome) {
        String chosen = property != null && !property.isBlank() ? property : env;
        if (chosen != null && !chosen.isBlank()) {
            return chosen.trim().equalsIgnoreCase("off") ? null : Path.of(chosen.trim());
        }
        if (xdgCacheHome != null && !xdgCacheHome.isBlank()) {
            return Path.of(xdgCacheHome, "torchcl");
        }
        return userHome == null ? null : Path.of(userHome, ".cache", "torchcl");
    }

    boolean enabled() {
        return directory != null;
    }

    /** Where tuned settings and binaries live; null when caching is off. */
    Path directory() {
        return directory;
    }

    static String key(OpenClDeviceInfo device, String programName, String options, String source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {device.name(), device.vendor(), device.platformName(), device.driverVersion(),
                device.deviceVersion(), options, source}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            String stem = programName.replaceAll("[^A-Za-z0-9_-]", "_");
            return stem + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    Optional<byte[]> load(String key) {
        if (directory == null) {
            return Optional.empty();
        }
        Path file = file(key);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            warnOnce("cannot read " + file, e);
            return Optional.empty();
        }
    }

    void store(String key, byte[] binary) {
        if (directory == null) {
            return;
        }
        Path file = file(key);
        try {
            Files.createDirectories(file.getParent());
            Path partial = Files.createTempFile(file.getParent(), key, ".partial");
            try {
                Files.write(partial, binary);
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException | RuntimeException e) {
            warnOnce("cannot write " + file + "; kernels will be compiled from source in each JVM", e);
        }
    }

    void remove(String key) {
        if (directory != null) {
            try {
                Files.deleteIfExists(file(key));
            } catch (IOException e) {
                warnOnce("cannot delete " + file(key), e);
            }
        }
    }

    private Path file(String key) {
        return directory.resolve("kernels").resolve(key + ".bin");
    }

    private void warnOnce(String what, Exception cause) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn("kernel cache: {} ({}); set {} to another directory, or to off", what, cause.toString(), ENV);
        }
    }
}
