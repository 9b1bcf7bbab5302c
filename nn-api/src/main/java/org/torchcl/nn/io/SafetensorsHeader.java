package org.torchcl.nn.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed and fully validated safetensors header: every tensor's dtype, shape and byte span, with
 * the spans checked to tile the data section exactly (no holes, no overlaps, nothing outside), as
 * the format requires. Nothing here allocates more than the header's own size.
 */
final class SafetensorsHeader {

    /** The reference implementation's cap; a larger header is refused before it is read. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** More dims than any real tensor has; bounds the work per entry. */
    static final int MAX_RANK = 32;
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

    /** One tensor's entry: offsets are relative to the start of the data section. */
    record Entry(String name, FileDType dtype, int[] shape, long begin, long end) {
    }

    final List<Entry> entries;
    final Map<String, String> metadata;
    /** Where the data section starts in the file: 8 + the header length. */
    final long dataStart;

    private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart) {
        this.entries = entries;
        this.metadata = metadata;
        this.dataStart = dataStart;
    }

    /**
     * Reads the 8-byte little-endian length that starts every file and checks it against the file
     * size; returns the header's byte count.
     */
    static int headerLength(ByteBuffer first8, long fileSize) throws SafetensorsFormatException {
        if (fileSize < 8) {
            throw new SafetensorsFormatException("the file is " + fileSize
                    + " bytes; a safetensors file starts with an 8-byte header length");
        }
        long length = first8.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (length < 2 || length > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException("header length " + Long.toUnsignedString(length)
                    + " is outside 2.." + MAX_HEADER_BYTES + " bytes");
        }
        if (length > fileSize - 8) {
            throw new SafetensorsFormatException("header length " + length + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        return (int) length;
    }

    /** Parses the header {@code json} of a file of {@code fileSize} bytes and checks it against the data section. */
    static SafetensorsHeader parse(ByteBuffer json, long fileSize) throws SafetensorsFormatException {
        long dataStart = 8L + json.remaining();
        long dataBytes = fileSize - dataStart;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(json).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException("the header is not valid UTF-8");
        }
        if (!(Json.parse(text) instanceof Map<?, ?> root)) {
            throw new SafetensorsFormatException("the header must be a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<?, ?> member : root.entrySet()) {
            String name = (String) member.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(member.getValue());
            } else {
                entries.add(entry(name, member.getValue()));
            }
        }
        checkTiling(entries, dataBytes);
        return new SafetensorsHeader(Collections.unmodifiableList(entries), metadata, dataStart);
    }

    private static Map<String, String> metadata(Object value) throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafetensorsFormatException(METADATA_KEY + " entry \"" + e.getKey() + "\" must be a string");
            }
            metadata.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry entry(String name, Object value) throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> fields) || !fields.keySet().equals(ENTRY_KEYS)) {
            throw new SafetensorsFormatException("tensor \"" + name
                    + "\": the entry must be an object with exactly dtype, shape and data_offsets");
        }
        if (!(fields.get("dtype") instanceof String dtypeName)) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": dtype must be a string");
        }
        FileDType dtype = FileDType.named(dtypeName);
        if (dtype == null) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": unknown dtype \"" + dtypeName + "\"");
        }
        int[] shape = shape(name, fields.get("shape"));
        long[] offsets = offsets(name, fields.get("data_offsets"));
        long span = offsets[1] - offsets[0];
        long expected;
        try {
            long numel = 1;
            for (int d : shape) {
                numel = Math.multiplyExact(numel, (long) d);
            }
            expected = Math.multiplyExact(numel, (long) dtype.bytes);
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": shape " + Arrays.toString(shape)
                    + " overflows 64-bit byte counts");
        }
        if (expected != span) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + expected + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] span " + span);
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static int[] shape(String name, Object value) throws SafetensorsFormatException {
        if (!(value instanceof List<?> dims) || dims.size() > MAX_RANK) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": shape must be an array of at most "
                    + MAX_RANK + " integers");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException("tensor \"" + name + "\": shape dim " + i + " is "
                        + dims.get(i) + "; dims must be integers up to " + Integer.MAX_VALUE);
            }
            shape[i] = (int) (long) d;
        }
        return shape;
    }

    private static long[] offsets(String name, Object value) throws SafetensorsFormatException {
        if (!(value instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof Long begin)
                || !(pair.get(1) instanceof Long end)) {
            throw new SafetensorsFormatException("tensor \"" + name
                    + "\": data_offsets must be an array of two integers [begin, end]");
        }
        if (begin > end) {
            throw new SafetensorsFormatException("tensor \"" + name + "\": data_offsets [" + begin + ", " + end
                    + "] end before they begin");
        }
        return new long[] {begin, end};
    }

    /** The spans, in offset order, must run from 0 to the end of the data with no gap or overlap. */
    private static void checkTiling(List<Entry> entries, long dataBytes) throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin() != expected) {
                throw new SafetensorsFormatException("tensor \"" + e.name() + "\": data_offsets [" + e.begin() + ", "
                        + e.end() + "] " + (e.begin() < expected ? "overlap" : "leave a gap after") + " the data ending at "
                        + expected);
            }
            expected = e.end();
        }
        if (expected != dataBytes) {
            throw new SafetensorsFormatException("the tensors cover " + expected + " bytes but the data section after"
                    + " the header holds " + dataBytes);
        }
    }
}
