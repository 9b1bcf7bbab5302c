package org.torchcl.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny reader for the little-endian, C-order .npy files under {@code golden-ops/} (written by
 * examples/python/make_op_golden.py).
 */
record Npy(String descr, int[] shape, ByteBuffer data) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static Npy load(String name) {
        String resource = "/golden-ops/" + name + ".npy";
        try (InputStream in = Npy.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource
                        + "; run /usr/bin/python3 examples/python/make_op_golden.py");
            }
            byte[] bytes = in.readAllBytes();
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if ((bytes[0] & 0xFF) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new IllegalStateException(resource + " is not an .npy file");
            }
            int major = bytes[6];
            int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
            int start = major == 1 ? 10 : 12;
            String header = new String(bytes, start, headerLength, StandardCharsets.US_ASCII);
            if (header.contains("'fortran_order': True")) {
                throw new IllegalStateException(resource + " is in Fortran order");
            }
            Matcher d = DESCR.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !s.find()) {
                throw new IllegalStateException(resource + ": cannot parse header " + header);
            }
            int[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            ByteBuffer data = ByteBuffer.wrap(bytes, start + headerLength, bytes.length - start - headerLength)
                    .slice().order(ByteOrder.LITTLE_ENDIAN);
            return new Npy(d.group(1), shape, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int count() {
        return OpsReference.numel(shape);
    }

    /** Elements as doubles, whatever the stored type ('<f4', '<f8', '|u1', '<i8', ...). */
    double[] doubles() {
        int n = count();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (descr) {
                case "<f4" -> data.getFloat(4 * i);
                case "<f8" -> data.getDouble(8 * i);
                case "|u1", "|b1" -> data.get(i) & 0xFF;
                case "<u2" -> Short.toUnsignedInt(data.getShort(2 * i));
                case "<u4" -> Integer.toUnsignedLong(data.getInt(4 * i));
                case "<i4" -> data.getInt(4 * i);
                case "<i8" -> data.getLong(8 * i);
                default -> throw new IllegalStateException("unsupported dtype " + descr);
            };
        }
        return out;
    }

    /** uint32/int32 elements as raw ints. */
    int[] ints() {
        if (!descr.equals("<u4") && !descr.equals("<i4")) {
            throw new IllegalStateException("expected 32-bit ints, got " + descr);
        }
        int[] out = new int[count()];
        data.asIntBuffer().get(out);
        return out;
    }

    /** uint16 elements. */
    int[] ushorts() {
        if (!descr.equals("<u2")) {
            throw new IllegalStateException("expected uint16, got " + descr);
        }
        int[] out = new int[count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Short.toUnsignedInt(data.getShort(2 * i));
        }
        return out;
    }

    long[] longs() {
        if (!descr.equals("<i8")) {
            throw new IllegalStateException("expected int64, got " + descr);
        }
        long[] out = new long[count()];
        data.asLongBuffer().get(out);
        return out;
    }
}
