package org.torchcl.nn.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One {@code AttributeProto} of a node: its name and whichever value it carries — a float
 * {@code f}, an integer {@code i}, a string {@code s}, a tensor {@code t}, or the lists
 * {@code floats}, {@code ints}, {@code strings}. Graph-valued attributes (the bodies of
 * {@code If}/{@code Loop}) are not read: {@link #hasGraph()} says one was there.
 */
public record OnnxAttribute(String name, float f, long i, String s, OnnxTensor t, float[] floats, long[] ints,
                            List<String> strings, boolean hasGraph) {

    /** Parses an {@code AttributeProto}. */
    static OnnxAttribute parse(OnnxWire proto) throws OnnxFormatException {
        String name = "";
        float f = 0;
        long i = 0;
        String s = null;
        OnnxTensor t = null;
        float[] floats = new float[0];
        int floatCount = 0;
        long[] ints = new long[0];
        int intCount = 0;
        List<String> strings = new ArrayList<>();
        boolean hasGraph = false;
        while (proto.next()) {
            switch (proto.field()) {
                case 1 -> name = proto.string("name");
                case 2 -> f = proto.float32("f");
                case 3 -> i = proto.int64("i");
                case 4 -> s = text(proto.bytes("s"));
                case 5 -> t = OnnxTensor.parse(proto.message("t"));
                case 7 -> {
                    if (proto.isPacked()) {
                        OnnxWire packed = proto.message("floats");
                        while (packed.hasMore()) {
                            floats = grow(floats, floatCount);
                            floats[floatCount++] = packed.nextFixed(4).getFloat(0);
                        }
                    } else {
                        floats = grow(floats, floatCount);
                        floats[floatCount++] = proto.float32("floats");
                    }
                }
                case 8 -> {
                    if (proto.isPacked()) {
                        OnnxWire packed = proto.message("ints");
                        while (packed.hasMore()) {
                            ints = grow(ints, intCount);
                            ints[intCount++] = packed.nextVarint();
                        }
                    } else {
                        ints = grow(ints, intCount);
                        ints[intCount++] = proto.int64("ints");
                    }
                }
                case 9 -> strings.add(text(proto.bytes("strings")));
                case 6, 11 -> {
                    hasGraph = true;
                    proto.skip();
                }
                default -> proto.skip();
            }
        }
        return new OnnxAttribute(name, f, i, s, t, Arrays.copyOf(floats, floatCount), Arrays.copyOf(ints, intCount),
                List.copyOf(strings), hasGraph);
    }

    /** ONNX strings are bytes; read them UTF-8 leniently, since attribute values are not names. */
    private static String text(ByteBuffer bytes) {
        byte[] b = new byte[bytes.remaining()];
        bytes.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static float[] grow(float[] a, int count) {
        return count < a.length ? a : Arrays.copyOf(a, Math.max(8, a.length * 2));
    }

    private static long[] grow(long[] a, int count) {
        return count < a.length ? a : Arrays.copyOf(a, Math.max(8, a.length * 2));
    }
}
