package org.torchcl.examples.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model of one node, written as protobuf bytes for ONNX Runtime's
 * {@code createSession(byte[])}: one float input, constant float initializers (the node's weights,
 * which ONNX Runtime may pre-pack as it does in a real model), integer attributes, one output.
 * Only the fields such a model needs are written (onnx.proto3 field numbers in the comments).
 */
final class OnnxSingleNode {

    private static final int FLOAT = 1;
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_BYTES = 2;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS = 7;

    private final String opType;
    private final String input;
    private final long[] inputShape;
    private final Map<String, long[]> initializerShapes = new LinkedHashMap<>();
    private final Map<String, float[]> initializerValues = new LinkedHashMap<>();
    private final Map<String, Attribute> attributes = new LinkedHashMap<>();

    /** An integer attribute, or a list of integers. */
    private record Attribute(long[] values, boolean list) {
    }

    OnnxSingleNode(String opType, String input, long... inputShape) {
        this.opType = opType;
        this.input = input;
        this.inputShape = inputShape.clone();
    }

    OnnxSingleNode initializer(String name, float[] values, long... shape) {
        initializerShapes.put(name, shape.clone());
        initializerValues.put(name, values);
        return this;
    }

    OnnxSingleNode attribute(String name, long value) {
        attributes.put(name, new Attribute(new long[] {value}, false));
        return this;
    }

    OnnxSingleNode attributeList(String name, long... values) {
        attributes.put(name, new Attribute(values.clone(), true));
        return this;
    }

    /** The ModelProto: IR version 8, default-domain opset 13, output {@code "y"} of unspecified shape. */
    byte[] toBytes() {
        Message node = new Message();
        node.string(1, input);                                  // NodeProto.input
        initializerShapes.keySet().forEach(name -> node.string(1, name));
        node.string(2, "y");                                    // NodeProto.output
        node.string(4, opType);                                 // NodeProto.op_type
        for (Map.Entry<String, Attribute> a : attributes.entrySet()) {
            Message attribute = new Message();
            attribute.string(1, a.getKey());                    // AttributeProto.name
            if (a.getValue().list()) {
                for (long v : a.getValue().values()) {
                    attribute.varint(8, v);                     // AttributeProto.ints
                }
                attribute.varint(20, ATTRIBUTE_INTS);           // AttributeProto.type
            } else {
                attribute.varint(3, a.getValue().values()[0]);           // AttributeProto.i
                attribute.varint(20, ATTRIBUTE_INT);
            }
            node.message(5, attribute);                         // NodeProto.attribute
        }
        Message graph = new Message();
        graph.message(1, node);                                 // GraphProto.node
        graph.string(2, "single-" + opType);                    // GraphProto.name
        for (Map.Entry<String, long[]> init : initializerShapes.entrySet()) {
            Message tensor = new Message();
            for (long d : init.getValue()) {
                tensor.varint(1, d);                            // TensorProto.dims
            }
            tensor.varint(2, FLOAT);                            // TensorProto.data_type
            tensor.string(8, init.getKey());                    // TensorProto.name
            float[] values = initializerValues.get(init.getKey());
            ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            tensor.bytes(9, raw.array());                       // TensorProto.raw_data
            graph.message(5, tensor);                           // GraphProto.initializer
        }
        graph.message(11, valueInfo(input, inputShape));        // GraphProto.input
        graph.message(12, valueInfo("y", null));                // GraphProto.output
        Message opset = new Message();
        opset.string(1, "");                                    // OperatorSetIdProto.domain
        opset.varint(2, 13);                                    // OperatorSetIdProto.version
        Message model = new Message();
        model.varint(1, 8);                                     // ModelProto.ir_version
        model.message(8, opset);                                // ModelProto.opset_import
        model.message(7, graph);                                // ModelProto.graph
        return model.toBytes();
    }

    /** A float tensor's ValueInfoProto; a null shape leaves the shape to inference. */
    private static Message valueInfo(String name, long[] shape) {
        Message tensorType = new Message();
        tensorType.varint(1, FLOAT);                            // TypeProto.Tensor.elem_type
        if (shape != null) {
            Message dims = new Message();
            for (long d : shape) {
                Message dim = new Message();
                dim.varint(1, d);                               // Dimension.dim_value
                dims.message(1, dim);                           // TensorShapeProto.dim
            }
            tensorType.message(2, dims);                        // TypeProto.Tensor.shape
        }
        Message type = new Message();
        type.message(1, tensorType);                            // TypeProto.tensor_type
        Message info = new Message();
        info.string(1, name);                                   // ValueInfoProto.name
        info.message(2, type);                                  // ValueInfoProto.type
        return info;
    }

    /** Protobuf wire format: tagged varints and length-delimited fields. */
    private static final class Message {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int field, long value) {
            tag(field, WIRE_VARINT);
            writeVarint(value);
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void message(int field, Message value) {
            bytes(field, value.toBytes());
        }

        void bytes(int field, byte[] value) {
            tag(field, WIRE_BYTES);
            writeVarint(value.length);
            out.writeBytes(value);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            writeVarint((long) field << 3 | wireType);
        }

        private void writeVarint(long value) {
            long rest = value;
            while ((rest & ~0x7FL) != 0) {
                out.write((int) (rest & 0x7F) | 0x80);
                rest >>>= 7;
            }
            out.write((int) rest);
        }
    }
}
