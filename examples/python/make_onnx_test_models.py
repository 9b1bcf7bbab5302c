"""Write the small ONNX graphs the onnx module's unit tests load (committed: a few hundred bytes each).

Usage:  /usr/bin/python3 examples/python/make_onnx_test_models.py onnx/src/test/resources/models

  shape_chain.onnx         x [batch, 6] -> Shape -> Gather 0 -> Unsqueeze -> Concat [2, 3] -> Reshape(x)
                           -> y [batch, 2, 3]; plus a branch no output reads (must not run)
  shape_chain_fixed.onnx   the same with x [4, 6]: the whole Shape chain folds at load
  unsupported_op.onnx      Relu then Mod (not in torchcl's op set), opset 13
  unsupported_attr.onnx    Relu with an attribute ONNX's Relu does not have
  opset18.onnx             Relu under opset 18 (beyond what torchcl runs)
  double_input.onnx        Relu of a DOUBLE input
  pool3d.onnx              3-D AveragePool (pads, strides, count_include_pad 0 and 1) and MaxPool
                           (dilations) of x [1, 2, 5, 6, 7], with pool3d_input.pb and
                           pool3d_<output>.pb: PyTorch's avg_pool3d / max_pool3d of the same input
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(graph, path, opset=13):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="torchcl-tests")
    model.ir_version = 8
    onnx.save(model, path)


def shape_chain(batch):
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
        helper.make_node("Concat", ["n1", "rest"], ["target"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"], name="reshape"),
        helper.make_node("Exp", ["x"], ["unused"], name="dead"),
    ]
    inits = [numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
             numpy_helper.from_array(np.array([0], dtype=np.int64), "axes"),
             numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "rest")]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 2, 3])
    return helper.make_graph(nodes, "shape_chain", [x], [y], inits)


def relu_then(node, dtype=TensorProto.FLOAT):
    x = helper.make_tensor_value_info("x", dtype, [2])
    y = helper.make_tensor_value_info("y", dtype, [2])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu")] + ([node] if node else [])
    if not node:
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return helper.make_graph(nodes, "g", [x], [y])


def pool3d(out):
    import torch
    import torch.nn.functional as F
    torch.manual_seed(3)
    x = torch.randn(1, 2, 5, 6, 7)
    nodes = [
        helper.make_node("AveragePool", ["x"], ["avg_exclude"], name="avg_exclude", kernel_shape=[3, 3, 3],
                         strides=[2, 2, 2], pads=[1, 1, 1, 1, 1, 1], count_include_pad=0),
        helper.make_node("AveragePool", ["x"], ["avg_include"], name="avg_include", kernel_shape=[2, 3, 2],
                         strides=[1, 2, 3], pads=[1, 1, 1, 1, 1, 1], count_include_pad=1),
        helper.make_node("MaxPool", ["x"], ["max_dilated"], name="max_dilated", kernel_shape=[2, 2, 3],
                         strides=[1, 2, 1], pads=[1, 0, 1, 1, 0, 1], dilations=[2, 1, 2]),
    ]
    expected = {
        "avg_exclude": F.avg_pool3d(x, 3, 2, 1, count_include_pad=False),
        "avg_include": F.avg_pool3d(x, (2, 3, 2), (1, 2, 3), 1, count_include_pad=True),
        "max_dilated": F.max_pool3d(x, (2, 2, 3), (1, 2, 1), (1, 0, 1), dilation=(2, 1, 2)),
    }
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, list(t.shape)) for name, t in expected.items()]
    graph = helper.make_graph(nodes, "pool3d", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 6, 7])],
                              outputs)
    save(graph, os.path.join(out, "pool3d.onnx"))
    with open(os.path.join(out, "pool3d_input.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    for name, t in expected.items():
        with open(os.path.join(out, "pool3d_" + name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(t.numpy(), name).SerializeToString())


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    save(shape_chain("batch"), os.path.join(out, "shape_chain.onnx"))
    save(shape_chain(4), os.path.join(out, "shape_chain_fixed.onnx"))
    save(relu_then(helper.make_node("Mod", ["r", "r"], ["y"], name="remainder")), os.path.join(out, "unsupported_op.onnx"))
    save(relu_then(helper.make_node("Relu", ["r"], ["y"], name="odd", alpha=2.0)), os.path.join(out, "unsupported_attr.onnx"))
    save(relu_then(None), os.path.join(out, "opset18.onnx"), opset=18)
    save(relu_then(None, TensorProto.DOUBLE), os.path.join(out, "double_input.onnx"))
    pool3d(out)


if __name__ == "__main__":
    main()
