package org.torchcl.nn.io;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code ValueInfoProto}: a graph input's or output's name and declared type. For a tensor the
 * element type and the dims, each a fixed size or a symbolic name ({@code "batch"}) or neither;
 * a value of another kind (sequence, map, optional, sparse tensor) keeps only that kind, so a
 * reader can refuse it by name.
 *
 * @param name     the value's name in the graph
 * @param kind     {@code "tensor"}, {@code "sequence"}, {@code "map"}, {@code "optional"},
 *                 {@code "sparse_tensor"}, or {@code "unknown"} when the type is missing
 * @param elemType the tensor's element type; null when not a tensor or the code is not ONNX's
 * @param elemCode the raw {@code elem_type} code (0 when absent)
 * @param shape    the dims, or null when the rank is not declared
 */
public record OnnxValueInfo(String name, String kind, OnnxDataType elemType, int elemCode, List<Dim> shape) {

    /**
     * One dim: {@code size} when fixed (else -1), {@code symbol} when named by {@code dim_param}
     * (else null). A dim with neither is unknown.
     */
    public record Dim(long size, String symbol) {
    }

    /** Parses a {@code ValueInfoProto}. */
    static OnnxValueInfo parse(OnnxWire proto) throws OnnxFormatException {
        String name = "";
        OnnxValueInfo typed = new OnnxValueInfo("", "unknown", null, 0, null);
        while (proto.next()) {
            switch (proto.field()) {
                case 1 -> name = proto.string("name");
                case 2 -> typed = parseType(proto.message("type"));
                default -> proto.skip();
            }
        }
        return new OnnxValueInfo(name, typed.kind, typed.elemType, typed.elemCode, typed.shape);
    }

    /** A {@code TypeProto}: the tensor case in full, the others by kind. */
    private static OnnxValueInfo parseType(OnnxWire type) throws OnnxFormatException {
        OnnxValueInfo result = new OnnxValueInfo("", "unknown", null, 0, null);
        while (type.next()) {
            switch (type.field()) {
                case 1 -> result = parseTensorType(type.message("tensor_type"));
                case 4 -> result = other("sequence", type);
                case 5 -> result = other("map", type);
                case 8 -> result = other("sparse_tensor", type);
                case 9 -> result = other("optional", type);
                default -> type.skip();
            }
        }
        return result;
    }

    private static OnnxValueInfo other(String kind, OnnxWire type) throws OnnxFormatException {
        type.skip();
        return new OnnxValueInfo("", kind, null, 0, null);
    }

    private static OnnxValueInfo parseTensorType(OnnxWire tensor) throws OnnxFormatException {
        int code = 0;
        List<Dim> shape = null;
        while (tensor.next()) {
            switch (tensor.field()) {
                case 1 -> code = tensor.int32("elem_type");
                case 2 -> shape = parseShape(tensor.message("shape"));
                default -> tensor.skip();
            }
        }
        return new OnnxValueInfo("", "tensor", OnnxDataType.of(code), code, shape);
    }

    private static List<Dim> parseShape(OnnxWire shape) throws OnnxFormatException {
        List<Dim> dims = new ArrayList<>();
        while (shape.next()) {
            if (shape.field() != 1) {
                shape.skip();
                continue;
            }
            if (dims.size() == OnnxTensor.MAX_RANK) {
                throw shape.error("a value has more than " + OnnxTensor.MAX_RANK + " dims");
            }
            OnnxWire dim = shape.message("dim");
            long size = -1;
            String symbol = null;
            while (dim.next()) {
                switch (dim.field()) {
                    case 1 -> size = dim.int64("dim_value");
                    case 2 -> symbol = dim.string("dim_param");
                    default -> dim.skip();
                }
            }
            dims.add(new Dim(size, symbol));
        }
        return List.copyOf(dims);
    }
}
