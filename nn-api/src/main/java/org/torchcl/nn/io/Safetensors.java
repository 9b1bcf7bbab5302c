package org.torchcl.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.Module;

/**
 * Reads and writes the Hugging Face safetensors format: an 8-byte little-endian header length, a
 * JSON header ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}),
 * then the raw little-endian data. PyTorch's names ({@code fc.weight}, {@code layers.0.bias}) go
 * straight into {@link Module#loadStateDict}.
 *
 * <p>Reading memory-maps the file and copies each tensor from the mapping to its device (an F32
 * tensor reaches an OpenCL device without an intermediate copy); F16, BF16 and F64 are converted to
 * float32. The header is checked completely before any tensor is made, so a damaged or hostile file
 * fails with a {@link SafetensorsFormatException} naming the tensor and value, and cannot make the
 * reader allocate more than the file's size (twice that for 16-bit data widened to float32). No
 * format that can execute code (pickle {@code .pt}) is read.
 */
public final class Safetensors {

    /** Floats written per step: a tensor of any size goes out through one 4 MiB buffer. */
    private static final int WRITE_CHUNK_BYTES = 4 << 20;

    private Safetensors() {
    }

    /** Every tensor of the file at {@code path}, on {@code device}. The caller closes the result. */
    public static LoadedTensors load(Path path, Device device) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        requireDevice(device);
        try (FileChannel channel = openForReading(path)) {
            long size = channel.size();
            return read(size, (offset, length) -> channel.map(FileChannel.MapMode.READ_ONLY, offset, length), device);
        } catch (SafetensorsFormatException e) {
            throw new SafetensorsFormatException(path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** Opens {@code path}; a missing file is named by its absolute path, whatever directory the JVM runs in. */
    private static FileChannel openForReading(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            NoSuchFileException absolute = new NoSuchFileException(path.toAbsolutePath().toString(), null,
                    "no such safetensors file");
            absolute.initCause(e);
            throw absolute;
        }
    }

    /** Every tensor of a safetensors image held in memory (from a classpath resource, say). */
    public static LoadedTensors load(ByteBuffer bytes, Device device) throws IOException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        requireDevice(device);
        ByteBuffer whole = bytes.slice();
        return read(whole.remaining(), (offset, length) -> whole.duplicate().position((int) offset)
                .limit((int) (offset + length)).slice(), device);
    }

    /**
     * Loads the file into {@code module} on the module's device, materializing lazy layers from the
     * stored shapes; the loaded copies are freed afterwards.
     */
    public static void loadInto(Module module, Path path) throws IOException {
        if (module == null) {
            throw new IllegalArgumentException("module must not be null");
        }
        try (LoadedTensors tensors = load(path, module.device())) {
            module.loadStateDict(tensors);
        }
    }

    /** Reads only the header's {@code __metadata__}: nothing is allocated on any device. */
    public static Map<String, String> metadata(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        try (FileChannel channel = openForReading(path)) {
            return header(channel.size(), (offset, length) -> channel.map(FileChannel.MapMode.READ_ONLY, offset,
                    length)).metadata;
        } catch (SafetensorsFormatException e) {
            throw new SafetensorsFormatException(path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code length} bytes at {@code offset}; the caller has checked they lie inside the source. */
    @FunctionalInterface
    private interface Source {
        ByteBuffer bytes(long offset, int length) throws IOException;
    }

    private static SafetensorsHeader header(long size, Source source) throws IOException {
        int headerLength;
        try {
            headerLength = SafetensorsHeader.headerLength(source.bytes(0, (int) Math.min(8, size)), size);
        } catch (SafetensorsFormatException e) {
            // The framing itself is wrong: most likely some other kind of file, so say that first.
            throw new SafetensorsFormatException("not a safetensors file: " + e.getMessage(), e);
        }
        return SafetensorsHeader.parse(source.bytes(8, headerLength), size);
    }

    private static LoadedTensors read(long size, Source source, Device device) throws IOException {
        SafetensorsHeader header = header(size, source);
        for (SafetensorsHeader.Entry e : header.entries) {
            if (!e.dtype().loadable()) {
                throw new SafetensorsFormatException("tensor \"" + e.name() + "\" is " + e.dtype()
                        + "; torchcl loads F32, F16, BF16, I64, I32, BOOL and F64 (as float32)");
            }
            if (e.end() - e.begin() > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException("tensor \"" + e.name() + "\" is " + (e.end() - e.begin())
                        + " bytes; torchcl reads at most " + Integer.MAX_VALUE + " bytes per tensor");
            }
        }
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            for (SafetensorsHeader.Entry e : header.entries) {
                ByteBuffer bytes = source.bytes(header.dataStart + e.begin(), (int) (e.end() - e.begin()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                tensors.put(e.name(), e.dtype() == FileDType.F64
                        ? Torch.tensor(device, doublesAsFloats(bytes), e.shape())
                        : Torch.fromBytes(device, e.dtype().loadsAs(), nativeOrder(bytes), e.shape()));
            }
        } catch (IOException | RuntimeException | Error failure) {
            tensors.values().forEach(Tensor::close);
            throw failure;
        }
        return new LoadedTensors(tensors, header.metadata);
    }

    /** F64 values rounded to float32. */
    private static FloatBuffer doublesAsFloats(ByteBuffer bytes) {
        int count = bytes.remaining() / Double.BYTES;
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) bytes.getDouble(bytes.position() + 8 * i);
        }
        return FloatBuffer.wrap(out);
    }

    /**
     * The file's little-endian bytes in the host's order, which the backends take: on little-endian
     * hosts (x86, ARM) the mapped bytes themselves, so weights go to the device without a copy.
     */
    private static ByteBuffer nativeOrder(ByteBuffer littleEndian) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return littleEndian;
        }
        throw new UnsupportedOperationException("safetensors loading needs a little-endian host; this one is "
                + ByteOrder.nativeOrder());
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors}, each in its own dtype, in map order (e.g. {@code module.stateDict()}). */
    public static void save(Map<String, Tensor> tensors, Path path) throws IOException {
        save(tensors, Map.of(), path);
    }

    /**
     * Writes {@code tensors}, each in its own dtype, in map order, with {@code metadata} as {@code __metadata__}. The
     * file appears complete or not at all: it is written beside {@code path} and moved into place.
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path path) throws IOException {
        if (tensors == null || metadata == null || path == null) {
            throw new IllegalArgumentException("tensors, metadata and path must not be null");
        }
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(SafetensorsHeader.METADATA_KEY)).append(":{");
            String separator = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata must not hold null keys or values: " + metadata);
                }
                json.append(separator).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                separator = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor tensor = e.getValue();
            if (name == null || name.equals(SafetensorsHeader.METADATA_KEY) || tensor == null || tensor.isClosed()) {
                throw new IllegalArgumentException("cannot save entry \"" + name + "\": names must be non-null and not "
                        + SafetensorsHeader.METADATA_KEY + ", tensors open and non-null (got " + tensor + ")");
            }
            long end = offset + tensor.numel() * tensor.dtype().byteSize();
            json.append(json.length() > 1 ? "," : "").append(Json.quote(name))
                    .append(":{\"dtype\":\"").append(tensor.dtype().safetensorsName()).append("\",\"shape\":").append(Arrays.toString(tensor.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(header);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        prefix.flip();

        Path absolute = path.toAbsolutePath();
        // Not Files.createTempFile: its files are private (0600) and the move keeps that mode. A file
        // opened plainly gets the umask's mode, as any other program's output would.
        Path partial = absolute.resolveSibling(absolute.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".partial");
        try {
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW)) {
                writeFully(out, prefix);
                ByteBuffer chunk = ByteBuffer.allocate(WRITE_CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor tensor : tensors.values()) {
                    writeTensor(out, tensor, chunk);
                }
                out.force(true);
            }
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Writes the tensor's values in its own dtype, row-major, little-endian, a chunk at a time. */
    private static void writeTensor(FileChannel out, Tensor tensor, ByteBuffer chunk) throws IOException {
        int elementBytes = tensor.dtype().byteSize();
        int perChunk = chunk.capacity() / elementBytes;
        Object values = switch (tensor.dtype()) {
            case FLOAT32 -> tensor.toArray();
            case FLOAT16, BFLOAT16 -> tensor.toShortBits();
            case INT64 -> tensor.toLongArray();
            case INT32 -> tensor.toIntArray();
            case BOOL -> tensor.toBooleanArray();
        };
        int count = java.lang.reflect.Array.getLength(values);
        for (int from = 0; from < count; from += perChunk) {
            int n = Math.min(perChunk, count - from);
            chunk.clear();
            switch (tensor.dtype()) {
                case FLOAT32 -> chunk.asFloatBuffer().put((float[]) values, from, n);
                case FLOAT16, BFLOAT16 -> chunk.asShortBuffer().put((short[]) values, from, n);
                case INT64 -> chunk.asLongBuffer().put((long[]) values, from, n);
                case INT32 -> chunk.asIntBuffer().put((int[]) values, from, n);
                case BOOL -> {
                    boolean[] flags = (boolean[]) values;
                    for (int i = 0; i < n; i++) {
                        chunk.put(i, flags[from + i] ? (byte) 1 : (byte) 0);
                    }
                }
            }
            chunk.limit(n * elementBytes);
            writeFully(out, chunk);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private static void requireDevice(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
    }
}
