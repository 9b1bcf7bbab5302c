package org.torchcl.nn.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.torchcl.Device;
import org.torchcl.Tensor;

/**
 * Loads the weights of an ONNX model (its graph initializers) as torchcl tensors, either under
 * their ONNX names or under the PyTorch names of the module they were exported from.
 *
 * <p><b>Recovering PyTorch names.</b> {@code torch.onnx.export} keeps a parameter's name when the
 * graph reads it directly — biases, LayerNorm and embedding weights appear as
 * {@code encoder.layer.0.attention.self.query.bias} — but a {@code Linear} on an input of rank 3
 * becomes {@code MatMul(x, W) + b}, and its weight is stored pre-transposed, {@code [in, out]},
 * under a generated name such as {@code onnx::MatMul_787}. {@link #pyTorchNames} follows the
 * graph back to the module: a {@code MatMul} whose second input is a rank-2 initializer {@code W},
 * and whose output is read by exactly one node, an {@code Add} whose other input is a rank-1
 * initializer named {@code P.bias} with {@code W}'s column count, gives {@code W} the name
 * {@code P.weight}. {@link #loadPyTorchNamed} loads such weights transposed back to PyTorch's
 * {@code [out, in]}, so the result goes straight into {@code Module.loadStateDict}. A MatMul weight
 * without such a bias keeps its ONNX name and layout.
 */
public final class OnnxInitializers {

    private static final String BIAS = ".bias";

    private OnnxInitializers() {
    }

    /** Every initializer of the model at {@code path} on {@code device}, under PyTorch names where recoverable. */
    public static LoadedTensors loadPyTorchNamed(Path path, Device device) throws IOException {
        return loadPyTorchNamed(OnnxGraph.read(path), device);
    }

    /**
     * Every initializer of {@code graph} on {@code device}, in file order, the MatMul weights renamed
     * by {@link #pyTorchNames} and transposed to {@code [out, in]}. The caller closes the result.
     */
    public static LoadedTensors loadPyTorchNamed(OnnxGraph graph, Device device) throws OnnxFormatException {
        Map<String, String> renamed = pyTorchNames(graph);
        return load(graph, device, renamed);
    }

    /** Every initializer of {@code graph} on {@code device} under its ONNX name, as stored. */
    public static LoadedTensors load(OnnxGraph graph, Device device) throws OnnxFormatException {
        return load(graph, device, Map.of());
    }

    /**
     * The PyTorch name of each MatMul weight whose module can be recovered (see the class comment),
     * keyed by its ONNX name, in file order.
     *
     * @throws OnnxFormatException when a recovered name is already taken by another initializer
     */
    public static Map<String, String> pyTorchNames(OnnxGraph graph) throws OnnxFormatException {
        if (graph == null) {
            throw new IllegalArgumentException("graph must not be null");
        }
        Map<String, OnnxTensor> initializers = graph.initializers();
        Map<String, String> names = new LinkedHashMap<>();
        for (OnnxNode node : graph.nodes()) {
            if (!node.opType().equals("MatMul") || !node.domain().isEmpty() || node.inputs().size() != 2
                    || node.outputs().size() != 1) {
                continue;
            }
            OnnxTensor weight = initializers.get(node.inputs().get(1));
            if (weight == null || weight.shape().length != 2 || names.containsKey(weight.name())) {
                continue;
            }
            List<OnnxNode> readers = graph.consumers(node.outputs().get(0));
            if (readers.size() != 1 || !readers.get(0).opType().equals("Add") || readers.get(0).inputs().size() != 2) {
                continue;
            }
            OnnxNode add = readers.get(0);
            String other = add.inputs().get(add.inputs().get(0).equals(node.outputs().get(0)) ? 1 : 0);
            OnnxTensor bias = initializers.get(other);
            if (bias == null || !other.endsWith(BIAS) || bias.shape().length != 1
                    || bias.shape()[0] != weight.shape()[1]) {
                continue;
            }
            String name = other.substring(0, other.length() - BIAS.length()) + ".weight";
            if (initializers.containsKey(name) || names.containsValue(name)) {
                throw new OnnxFormatException("initializer \"" + weight.name() + "\" is the weight of \"" + name
                        + "\", but that name is already taken");
            }
            names.put(weight.name(), name);
        }
        return Collections.unmodifiableMap(names);
    }

    private static LoadedTensors load(OnnxGraph graph, Device device, Map<String, String> renamed)
            throws OnnxFormatException {
        if (graph == null || device == null) {
            throw new IllegalArgumentException("graph and device must not be null");
        }
        for (OnnxTensor t : graph.initializers().values()) {
            if (t.dataType().loadsAs() == null) {
                throw new OnnxFormatException("initializer \"" + t.name() + "\" is " + t.dataType()
                        + "; torchcl loads FLOAT, FLOAT16, BFLOAT16, INT64, INT32, BOOL and DOUBLE (as float32)");
            }
        }
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            for (OnnxTensor t : graph.initializers().values()) {
                String name = renamed.get(t.name());
                if (name == null) {
                    tensors.put(t.name(), t.toTensor(device));
                } else {
                    try (Tensor stored = t.toTensor(device); Tensor view = stored.transpose(0, 1)) {
                        tensors.put(name, view.contiguous());
                    }
                }
            }
        } catch (OnnxFormatException | RuntimeException | Error failure) {
            tensors.values().forEach(Tensor::close);
            throw failure;
        }
        return new LoadedTensors(tensors, Map.of());
    }
}
