package org.torchcl.nn.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Small ONNX models written field by field in the protobuf wire format, so the reader's tests need
 * no protobuf library and no large file. {@link #linear()} is the pattern {@code torch.onnx.export}
 * makes of a {@code Linear} on a rank-3 input: {@code MatMul(x, onnx::MatMul_7) + lin.bias}, the
 * weight stored as {@code [in, out]}; it also holds tensors in every storage form the reader accepts.
 */
final class OnnxTestModels {

    private OnnxTestModels() {
    }

    /** The weight {@code [in=2, out=3]} as stored: row-major over (in, out). */
    static final float[] WEIGHT_IN_OUT = {1, 2, 3, 4, 5, 6};
    static final float[] BIAS = {0.5f, -1, 2};

    static byte[] linear() {
        Proto graph = new Proto()
                .message(1, node("MatMul", "mm", new String[] {"x", "onnx::MatMul_7"}, new String[] {"y"}, null))
                .message(1, node("Add", "add", new String[] {"lin.bias", "y"}, new String[] {"z"},
                        new Proto().string(1, "unused").varint(20, 2).varint(3, 7)))
                .string(2, "tiny")
                // raw_data, dims unpacked
                .message(5, new Proto().varint(1, 2).varint(1, 3).varint(2, 1).string(8, "onnx::MatMul_7")
                        .bytes(9, floats(WEIGHT_IN_OUT)))
                // packed float_data
                .message(5, new Proto().bytes(1, varints(3)).varint(2, 1).bytes(4, floats(BIAS)).string(8, "lin.bias"))
                // packed int64_data as varints, including a negative value (10 bytes)
                .message(5, new Proto().varint(1, 3).varint(2, 7).bytes(7, varints(5, -1, 300)).string(8, "ids"))
                // unpacked double_data
                .message(5, new Proto().varint(1, 2).varint(2, 11).fixed64(10, Double.doubleToLongBits(0.25))
                        .fixed64(10, Double.doubleToLongBits(-8)).string(8, "d"))
                // BOOL in int32_data, a scalar (no dims)
                .message(5, new Proto().varint(2, 9).varint(5, 1).string(8, "flag"))
                .message(11, new Proto().string(1, "x"))
                .message(12, new Proto().string(1, "z"));
        return new Proto().varint(1, 7).string(2, "torchcl-test")
                .message(8, new Proto().string(1, "").varint(2, 11))
                .message(7, graph).toByteArray();
    }

    private static Proto node(String op, String name, String[] inputs, String[] outputs, Proto attribute) {
        Proto node = new Proto();
        for (String input : inputs) {
            node.string(1, input);
        }
        for (String output : outputs) {
            node.string(2, output);
        }
        node.string(3, name).string(4, op);
        if (attribute != null) {
            node.message(5, attribute);
        }
        return node;
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] varints(long... values) {
        Proto p = new Proto();
        for (long v : values) {
            p.rawVarint(v);
        }
        return p.toByteArray();
    }

    /** A protobuf message under construction. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            return rawVarint((long) field << 3).rawVarint(value);
        }

        Proto fixed64(int field, long value) {
            rawVarint((long) field << 3 | 1);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto bytes(int field, byte[] value) {
            rawVarint((long) field << 3 | 2).rawVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto message(int field, Proto message) {
            return bytes(field, message.toByteArray());
        }

        Proto rawVarint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
