package org.torchcl.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main graph of an ONNX model file: its initializers (the weights), its nodes, the names of its
 * inputs and outputs, and the opset it targets. Read from the protobuf wire format by hand
 * ({@link OnnxWire}), so torchcl needs no protobuf library at run time.
 *
 * <p>Reading is hardened as the safetensors reader is: every varint, length and dim is checked
 * against the bytes that hold it, so a truncated, damaged or hostile file fails with an
 * {@link OnnxFormatException} naming the field and byte offset. Initializer data stays a view of
 * the (memory-mapped) file; nothing read allocates more than the file's size, except that integers
 * stored as varints widen to at most 8 bytes per file byte. Weights kept in external files,
 * segmented tensors and string tensors are refused; graph-valued attributes (subgraphs) are skipped.
 */
public final class OnnxGraph {

    private final long irVersion;
    private final long opsetVersion;
    private final Map<String, OnnxTensor> initializers;
    private final List<OnnxNode> nodes;
    private final Map<String, Long> opsetImports;
    private final List<OnnxValueInfo> inputInfos;
    private final List<OnnxValueInfo> outputInfos;
    private final List<String> inputs;
    private final List<String> outputs;

    private OnnxGraph(long irVersion, long opsetVersion, Map<String, Long> opsetImports,
                      Map<String, OnnxTensor> initializers, List<OnnxNode> nodes, List<OnnxValueInfo> inputInfos,
                      List<OnnxValueInfo> outputInfos) {
        this.irVersion = irVersion;
        this.opsetVersion = opsetVersion;
        this.opsetImports = opsetImports;
        this.initializers = initializers;
        this.nodes = nodes;
        this.inputInfos = inputInfos;
        this.outputInfos = outputInfos;
        this.inputs = inputInfos.stream().map(OnnxValueInfo::name).toList();
        this.outputs = outputInfos.stream().map(OnnxValueInfo::name).toList();
    }

    /** Reads the model file at {@code path}, memory-mapped: initializer data is not copied. */
    public static OnnxGraph read(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new OnnxFormatException("the file is " + channel.size() + " bytes; a protobuf model is at most 2 GiB"
                        + " (larger models keep their weights in external files, which torchcl does not read)");
            }
            return read(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(path + ": " + e.getMessage(), e);
        }
    }

    /** Reads a model held in memory (a classpath resource, say); the graph keeps views of {@code bytes}. */
    public static OnnxGraph read(ByteBuffer bytes) throws OnnxFormatException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        OnnxWire model = OnnxWire.over(bytes, "ModelProto");
        long irVersion = 0;
        long opset = -1;
        Map<String, Long> imports = new LinkedHashMap<>();
        OnnxWire graph = null;
        while (model.next()) {
            switch (model.field()) {
                case 1 -> irVersion = model.int64("ir_version");
                case 7 -> {
                    if (graph != null) {
                        throw model.error("the model has two graphs");
                    }
                    graph = model.message("graph");
                }
                case 8 -> {
                    Map.Entry<String, Long> opsetImport = opsetImport(model.message("opset_import"));
                    imports.put(opsetImport.getKey(), opsetImport.getValue());
                    opset = opsetImport.getKey().isEmpty() ? opsetImport.getValue() : opset;
                }
                default -> model.skip();
            }
        }
        if (graph == null) {
            throw model.error("the file has no graph: it is not an ONNX model");
        }
        return parseGraph(graph, irVersion, opset, Collections.unmodifiableMap(imports));
    }

    /** An {@code OperatorSetIdProto} as (domain, version), ONNX's default domain spelled "" whether or not it says "ai.onnx". */
    private static Map.Entry<String, Long> opsetImport(OnnxWire proto) throws OnnxFormatException {
        String domain = "";
        long version = 0;
        while (proto.next()) {
            switch (proto.field()) {
                case 1 -> domain = proto.string("domain");
                case 2 -> version = proto.int64("version");
                default -> proto.skip();
            }
        }
        return Map.entry(domain.equals("ai.onnx") ? "" : domain, version);
    }

    private static OnnxGraph parseGraph(OnnxWire graph, long irVersion, long opset, Map<String, Long> imports)
            throws OnnxFormatException {
        Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        List<OnnxNode> nodes = new ArrayList<>();
        List<OnnxValueInfo> inputs = new ArrayList<>();
        List<OnnxValueInfo> outputs = new ArrayList<>();
        while (graph.next()) {
            switch (graph.field()) {
                case 1 -> nodes.add(OnnxNode.parse(graph.message("node")));
                case 5 -> {
                    int at = graph.position();
                    OnnxTensor tensor = OnnxTensor.parse(graph.message("initializer"));
                    if (initializers.put(tensor.name(), tensor) != null) {
                        throw graph.error(at, "initializer \"" + tensor.name() + "\" appears twice");
                    }
                }
                case 11 -> inputs.add(OnnxValueInfo.parse(graph.message("input")));
                case 12 -> outputs.add(OnnxValueInfo.parse(graph.message("output")));
                default -> graph.skip();
            }
        }
        return new OnnxGraph(irVersion, opset, imports, Collections.unmodifiableMap(initializers), List.copyOf(nodes),
                List.copyOf(inputs), List.copyOf(outputs));
    }

    /** {@code ModelProto.ir_version}. */
    public long irVersion() {
        return irVersion;
    }

    /** The opset version of ONNX's default domain, or -1 when the model imports none. */
    public long opsetVersion() {
        return opsetVersion;
    }

    /** Every imported opset, domain → version, ONNX's own domain as "" (however the file spells it). */
    public Map<String, Long> opsetImports() {
        return opsetImports;
    }

    /** The graph's inputs with their declared types and shapes (in older opsets these include the initializers). */
    public List<OnnxValueInfo> inputInfos() {
        return inputInfos;
    }

    /** The graph's outputs with their declared types and shapes. */
    public List<OnnxValueInfo> outputInfos() {
        return outputInfos;
    }

    /** The weights, by ONNX name, in file order. */
    public Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    /** The nodes in file order (topological, as ONNX requires). */
    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** The graph's input names (in older opsets these include the initializers). */
    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The nodes that read {@code value}, in file order. */
    public List<OnnxNode> consumers(String value) {
        List<OnnxNode> consumers = new ArrayList<>();
        for (OnnxNode node : nodes) {
            if (node.inputs().contains(value)) {
                consumers.add(node);
            }
        }
        return consumers;
    }
}
