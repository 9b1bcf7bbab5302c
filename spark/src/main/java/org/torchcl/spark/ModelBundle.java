package org.torchcl.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's files as bytes (weights in safetensors or .onnx, a tokenizer's JSON, ...), named, in
 * order, with a SHA-256 over names and contents that keys the executors' {@link ModelCache}. Immutable:
 * the arrays are copied in and never handed out.
 */
public final class ModelBundle implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, byte[]> files;
    private final String hash;

    private ModelBundle(LinkedHashMap<String, byte[]> files) {
        this.files = files;
        this.hash = sha256(files);
    }

    /** A bundle of one file. */
    public static ModelBundle of(String name, byte[] bytes) {
        return of(Map.of(name == null ? "" : name, bytes == null ? new byte[0] : bytes));
    }

    /** A bundle of the given files, in the map's iteration order. */
    public static ModelBundle of(Map<String, byte[]> files) {
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("a model bundle needs at least one file, got " + files);
        }
        LinkedHashMap<String, byte[]> copy = new LinkedHashMap<>();
        files.forEach((name, bytes) -> {
            if (name == null || name.isEmpty() || bytes == null || bytes.length == 0) {
                throw new IllegalArgumentException("model file names and contents must be non-empty; got '" + name
                        + "' with " + (bytes == null ? "null" : bytes.length + " bytes"));
            }
            copy.put(name, bytes.clone());
        });
        return new ModelBundle(copy);
    }

    /** The hex SHA-256 of every file's name and bytes, in order. */
    public String hash() {
        return hash;
    }

    /**
     * A copy of file {@code name} (writable and array-backed, as the readers that hand bytes to an
     * OpenCL device need; a model is loaded once per JVM, so the copy is paid once).
     */
    public ByteBuffer file(String name) {
        byte[] bytes = files.get(name);
        if (bytes == null) {
            throw new IllegalArgumentException("model bundle " + shortHash() + " has no file '" + name + "'; it has "
                    + files.keySet());
        }
        return ByteBuffer.wrap(bytes.clone());
    }

    /** The file names, in order. */
    public Iterable<String> names() {
        return Collections.unmodifiableSet(files.keySet());
    }

    /** The total size of the files. */
    public long byteSize() {
        return files.values().stream().mapToLong(bytes -> bytes.length).sum();
    }

    /** The first 12 hex digits of {@link #hash()}, for logs and messages. */
    public String shortHash() {
        return hash.substring(0, 12);
    }

    @Override
    public String toString() {
        return "ModelBundle " + shortHash() + " " + files.keySet() + " (" + byteSize() + " bytes)";
    }

    private static String sha256(Map<String, byte[]> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            files.forEach((name, bytes) -> {
                // Lengths first, so ("ab", "c") and ("a", "bc") cannot collide.
                byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(12).putInt(nameBytes.length).putLong(bytes.length).array());
                digest.update(nameBytes);
                digest.update(bytes);
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
