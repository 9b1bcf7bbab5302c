"""Export torchvision's ResNet-18 (the model make_resnet_golden.py builds) to ONNX with opset 13.

Usage:  /usr/bin/python3 examples/python/make_resnet_onnx.py OUT.onnx

The weights are those of make_resnet_golden.py (same seed, same randomized BatchNorm statistics),
exported by torch.onnx.export in eval mode with a dynamic batch dim, constant folding on (so the
BatchNorms stay BatchNormalization nodes or fold into the convolutions, as exporters leave them).
The onnx module's tests compare torchcl's OnnxModel on this file with ONNX Runtime's output.

Why generated, not committed: 45 MB of weights (see make_resnet_golden.py).
Deterministic: the same seeds, one thread.
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_resnet_golden import seeded_model_and_input  # noqa: E402

OPSET = 13


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_resnet_onnx.py OUT.onnx")
    out_path = sys.argv[1]
    model, example = seeded_model_and_input()
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    torch.onnx.export(model, example, out_path, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    print(f"resnet18 (torchvision {torchvision.__version__}) exported with opset {OPSET}: "
          f"{os.path.getsize(out_path)} bytes in {out_path}")


if __name__ == "__main__":
    main()
