"""Read a file written by torchcl's ExportSafetensors example with PyTorch and recompute its outputs.

Checks that torchcl writes safetensors that PyTorch loads (through safetensors_io.load_file, an
equivalent of safetensors.torch.load_file) and that torchcl's Linear and Conv2d outputs equal
PyTorch's for the same weights: max |diff| / max |ref| <= 1e-5.

Run with:  /usr/bin/python3 examples/python/check_torchcl_file.py FILE
"""
import os
import sys

import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_file  # noqa: E402


def main(path):
    tensors, metadata = load_file(path)
    print("metadata:", metadata)
    print("tensors:", {name: list(t.shape) for name, t in tensors.items()})
    linear = F.linear(tensors["x"], tensors["fc.weight"], tensors["fc.bias"])
    conv = F.conv2d(tensors["img"], tensors["conv.weight"], tensors["conv.bias"], padding=1)
    for name, reference, torchcl in (("linear", linear, tensors["y"]), ("conv2d", conv, tensors["z"])):
        error = ((torchcl - reference).abs().max() / reference.abs().max()).item()
        print(f"{name}: max |torchcl - PyTorch| / max |PyTorch| = {error:.2e}")
        assert error <= 1e-5, name
    print("fc.bias is zero:", bool((tensors["fc.bias"] == 0).all()))
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1])
