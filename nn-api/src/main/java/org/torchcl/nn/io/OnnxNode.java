package org.torchcl.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code NodeProto} of the graph: an operator ({@code opType} in {@code domain}, "" being
 * ONNX's own) reading the values named {@code inputs} and writing {@code outputs}. An empty input
 * name is an omitted optional input, as in ONNX.
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, OnnxAttribute> attributes) {

    /** Parses a {@code NodeProto}. */
    static OnnxNode parse(OnnxWire proto) throws OnnxFormatException {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
        while (proto.next()) {
            switch (proto.field()) {
                case 1 -> inputs.add(proto.string("input"));
                case 2 -> outputs.add(proto.string("output"));
                case 3 -> name = proto.string("name");
                case 4 -> opType = proto.string("op_type");
                case 5 -> {
                    int at = proto.position();
                    OnnxAttribute attribute = OnnxAttribute.parse(proto.message("attribute"));
                    if (attributes.put(attribute.name(), attribute) != null) {
                        throw proto.error(at, "node \"" + name + "\" has attribute \"" + attribute.name() + "\" twice");
                    }
                }
                case 7 -> domain = proto.string("domain");
                default -> proto.skip();
            }
        }
        if (opType.isEmpty()) {
            throw proto.error("node \"" + name + "\" has no op_type");
        }
        return new OnnxNode(name, opType, domain, List.copyOf(inputs), List.copyOf(outputs),
                java.util.Collections.unmodifiableMap(attributes));
    }
}
