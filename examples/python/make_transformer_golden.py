"""Write golden PyTorch reference cases for the Java attention/transformer parity tests.

Each case becomes nn-api/src/test/resources/golden-transformer/<case>.safetensors holding
(all float32):
    input                  the input (self-attention and encoder cases), or
    query, key, value      the three inputs of a cross-attention case
    key_padding_mask       (masked cases only) 1.0 where a key is padding, 0.0 elsewhere:
                           safetensors_io writes floating-point tensors only, so the Java
                           test turns it into PyTorch's BOOL mask (true = ignore)
    output                 the module's output in eval() mode
    model.<key>            every entry of the module's state dict, PyTorch's own names
and metadata {"case", "module" (repr of the module), "torch" (version)}.

Parameters: PyTorch's init zeroes the attention biases and sets LayerNorm to (1, 0), and
TransformerEncoder deep-copies one layer, so every parameter gets seeded noise added after
construction; otherwise the Java side could get biases, norm affines or per-layer weights
wrong and still match.

Reference math: outputs come from PyTorch's documented Python path (F.multi_head_attention_forward,
TransformerEncoderLayer's _sa_block/_ff_block), which runs when grad is enabled and the
parameters require grad. In eval() under no_grad PyTorch 1.13 takes native fast paths instead
(torch._native_multi_head_attention, torch._transformer_encoder_layer_fwd, and nested tensors
in TransformerEncoder, which would put zeros at padded positions); the script checks that the
fast path agrees with the reference at every non-padded position and fails otherwise.
TransformerEncoder is built with enable_nested_tensor=False so the stored output is defined at
padded positions too.

Deterministic: each case seeds torch.manual_seed(<seed>); a single thread is used.

Run with:  /usr/bin/python3 examples/python/make_transformer_golden.py
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "nn-api", "src", "test", "resources", "golden-transformer")

E, H, FF, B = 16, 4, 32, 2
FAST_PATH_TOLERANCE = 1e-5


def mha():
    return nn.MultiheadAttention(E, H, batch_first=True)


def layer(**kwargs):
    return nn.TransformerEncoderLayer(E, H, FF, batch_first=True, **kwargs)


def encoder(norm):
    return nn.TransformerEncoder(layer(), 2, norm=nn.LayerNorm(E) if norm else None,
                                 enable_nested_tensor=False)


def padding_mask(length, padded):
    """BOOL [B, length]: True at the (batch, position) pairs listed in `padded`."""
    mask = torch.zeros(B, length, dtype=torch.bool)
    for b, s in padded:
        mask[b, s] = True
    return mask


# (case name, seed, module factory, call kind, query length, key length, padded (batch, key) pairs)
# Padding sits at the end of batch 0 and in the middle of batch 1: the Java side must not assume
# left-aligned sequences.
CASES = [
    ("mha_self", 601, mha, "self", 5, 5, []),
    ("mha_self_padding", 602, mha, "self", 5, 5, [(0, 3), (0, 4), (1, 1)]),
    ("mha_cross", 603, mha, "cross", 3, 7, []),
    ("mha_cross_padding", 604, mha, "cross", 3, 7, [(0, 6), (1, 0), (1, 2)]),
    ("encoder_layer_post_relu", 701, lambda: layer(), "layer", 6, 6, []),
    ("encoder_layer_pre_gelu", 702,
     lambda: layer(activation="gelu", norm_first=True, layer_norm_eps=1e-6), "layer", 6, 6, []),
    ("encoder_layer_padding", 703, lambda: layer(), "layer", 6, 6, [(0, 4), (0, 5), (1, 2)]),
    ("encoder_layer_pre_gelu_padding", 704,
     lambda: layer(activation="gelu", norm_first=True), "layer", 6, 6, [(0, 5), (1, 0)]),
    ("encoder_2_layers_padding", 801, lambda: encoder(False), "layer", 6, 6, [(0, 5), (1, 3)]),
    ("encoder_2_layers_final_norm", 802, lambda: encoder(True), "layer", 6, 6, []),
]


def run(model, kind, inputs, mask):
    if kind == "self":
        return model(inputs["input"], inputs["input"], inputs["input"], key_padding_mask=mask,
                     need_weights=False)[0]
    if kind == "cross":
        return model(inputs["query"], inputs["key"], inputs["value"], key_padding_mask=mask,
                     need_weights=False)[0]
    return model(inputs["input"], src_key_padding_mask=mask)


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, seed, factory, kind, length, key_length, padded in CASES:
        torch.manual_seed(seed)
        model = factory().eval()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.1 * torch.randn_like(p))
        if kind == "cross":
            inputs = {"query": torch.randn(B, length, E), "key": torch.randn(B, key_length, E),
                      "value": torch.randn(B, key_length, E)}
        else:
            inputs = {"input": torch.randn(B, length, E)}
        mask = padding_mask(key_length, padded) if padded else None

        with torch.enable_grad():  # parameters require grad: PyTorch's reference Python path
            y = run(model, kind, inputs, mask).detach()
        with torch.no_grad():  # eval() + no_grad: the native fast path
            fast = run(model, kind, inputs, mask)
        fast = fast.to_padded_tensor(0.0) if fast.is_nested else fast
        rows = torch.ones(B, length, dtype=torch.bool)
        if mask is not None and kind != "cross":
            rows = mask.logical_not()  # query i is token i: padded tokens' outputs may differ
        fast_error = ((fast - y)[rows].abs().max() / y.abs().max()).item()
        assert fast_error <= FAST_PATH_TOLERANCE, f"{name}: fast path differs by {fast_error}"
        assert not torch.isnan(y).any()

        tensors = dict(inputs)
        if mask is not None:
            tensors["key_padding_mask"] = mask.float()
        tensors["output"] = y
        for k, v in model.state_dict().items():
            tensors["model." + k] = v.float()
        meta = {"case": name, "module": repr(model), "torch": torch.__version__}
        path = os.path.join(OUT_DIR, name + ".safetensors")
        save_file(tensors, path, meta)
        shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in tensors.items() if not k.startswith("model."))
        print(f"{name}: {shapes}; fast path rel. diff {fast_error:.1e}; {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
