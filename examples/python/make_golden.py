"""Write golden PyTorch reference cases for the Java nn-api parity tests.

Each case becomes nn-api/src/test/resources/golden/<case>.safetensors holding
    input           the input tensor (drawn with torch.randn; int64 ids for
                    Embedding)
    output          the module's output for it in eval mode, computed under
                    torch.no_grad()
    model.<key>     every entry of the module's state dict, PyTorch's own names
                    and order: parameters and buffers (float32; the
                    num_batches_tracked buffers stay int64)
and metadata {"case", "module" (repr of the module), "torch" (version)}.

Deterministic: each case seeds torch.manual_seed(<seed>) before building its
module (PyTorch default init) and drawing its input; a single thread is used.
Every batch norm gets randomized statistics and affine parameters after the
module is materialized, so it is not the identity in eval mode.

Run with:  /usr/bin/python3 examples/python/make_golden.py
"""
import os
import sys
import warnings

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file  # noqa: E402

warnings.filterwarnings("ignore", message="Lazy modules are a new feature")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "nn-api", "src", "test", "resources", "golden")


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 5)
        self.fc = nn.LazyLinear(10)

    def forward(self, x):
        x = self.conv(x)
        x = x.reshape(x.shape[0], -1)
        return self.fc(x)


def ids(*shape, n=10):
    """Int64 ids in [0, n) of `shape`, as an Embedding input."""
    return lambda: torch.randint(0, n, shape)


def randomize_norms(model):
    """Draws every batch norm's running statistics, weight, bias and count, and every
    LayerNorm's weight and bias, at random (PyTorch starts them at the identity).
    Returns whether the model had any."""
    changed = False
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.num_batches_tracked.fill_(7)
        if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
            changed = True
    return changed


# (case name, seed, module factory, input shape or input factory)
CASES = [
    ("linear_bias_2d", 101, lambda: nn.Linear(5, 3), [4, 5]),
    ("linear_nobias_3d", 102, lambda: nn.Linear(7, 2, bias=False), [2, 3, 7]),
    ("linear_bias_1d", 103, lambda: nn.Linear(6, 4), [6]),
    ("linear_wide", 104, lambda: nn.Linear(300, 129), [17, 300]),
    ("conv_basic", 201, lambda: nn.Conv2d(3, 4, 3), [2, 3, 8, 8]),
    ("conv_stride2_pad1", 202, lambda: nn.Conv2d(2, 5, 3, stride=2, padding=1), [3, 2, 9, 7]),
    ("conv_k5_pad2_nobias", 203, lambda: nn.Conv2d(1, 2, 5, padding=2, bias=False), [1, 1, 6, 6]),
    ("conv_unbatched", 204, lambda: nn.Conv2d(3, 2, 2, stride=2), [3, 6, 6]),
    ("relu", 301, lambda: nn.ReLU(), [3, 5]),
    ("sequential_mlp", 401,
     lambda: nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 4)), [5, 10]),
    ("simple_net", 501, SimpleNet, [2, 3, 16, 16]),
    ("batchnorm2d_eval", 601, lambda: nn.BatchNorm2d(6), [2, 6, 5, 5]),
    ("batchnorm2d_eps", 602, lambda: nn.BatchNorm2d(3, eps=1e-3), [1, 3, 4, 6]),
    ("batchnorm1d_2d", 603, lambda: nn.BatchNorm1d(5), [4, 5]),
    ("batchnorm1d_3d", 604, lambda: nn.BatchNorm1d(5), [3, 5, 7]),
    ("layernorm", 701, lambda: nn.LayerNorm(8), [2, 3, 8]),
    ("layernorm_2d_shape", 702, lambda: nn.LayerNorm([4, 5], eps=1e-6), [3, 4, 5]),
    ("embedding", 801, lambda: nn.Embedding(10, 4), ids(2, 3)),
    ("maxpool_k3_s2_p1", 901, lambda: nn.MaxPool2d(3, 2, 1), [2, 3, 9, 9]),
    ("maxpool_k2", 902, lambda: nn.MaxPool2d(2), [1, 2, 6, 7]),
    ("avgpool_k3_s2_p1", 903, lambda: nn.AvgPool2d(3, 2, 1), [2, 3, 9, 9]),
    ("avgpool_k2", 904, lambda: nn.AvgPool2d(2), [3, 6, 7]),
    ("adaptive_avgpool_1", 905, lambda: nn.AdaptiveAvgPool2d(1), [2, 3, 7, 7]),
    ("adaptive_avgpool_3x2", 906, lambda: nn.AdaptiveAvgPool2d((3, 2)), [2, 3, 7, 5]),
    ("gelu", 1001, lambda: nn.GELU(), [3, 7]),
    ("gelu_tanh", 1002, lambda: nn.GELU(approximate="tanh"), [3, 7]),
    ("silu", 1003, lambda: nn.SiLU(), [3, 7]),
    ("sigmoid", 1004, lambda: nn.Sigmoid(), [3, 7]),
    ("tanh", 1005, lambda: nn.Tanh(), [3, 7]),
    ("softmax_dim1", 1006, lambda: nn.Softmax(dim=1), [2, 5, 3]),
    ("conv_dilation2", 1101, lambda: nn.Conv2d(3, 4, 3, padding=2, dilation=2), [2, 3, 9, 9]),
    ("conv_groups2", 1102, lambda: nn.Conv2d(4, 6, 3, padding=1, groups=2), [2, 4, 6, 6]),
    ("conv_depthwise", 1103,
     lambda: nn.Conv2d(6, 6, 3, stride=2, padding=1, groups=6, bias=False), [2, 6, 8, 8]),
    ("lazy_cnn", 1201,
     lambda: nn.Sequential(nn.LazyConv2d(8, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.LazyLinear(10)),
     [2, 3, 12, 12]),
]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, seed, factory, shape in CASES:
        torch.manual_seed(seed)
        model = factory().eval()
        x = shape() if callable(shape) else torch.randn(*shape)
        with torch.no_grad():
            y = model(x)  # also materializes the lazy modules before state_dict()
            if randomize_norms(model):
                y = model(x)
        assert not torch.isnan(y).any()
        tensors = {"input": x, "output": y}
        for k, v in model.state_dict().items():
            tensors["model." + k] = v.float() if v.is_floating_point() else v
        meta = {"case": name, "module": repr(model), "torch": torch.__version__}
        path = os.path.join(OUT_DIR, name + ".safetensors")
        save_file(tensors, path, meta)
        params = ", ".join(f"{k}{list(v.shape)}" for k, v in tensors.items()
                           if k.startswith("model."))
        print(f"{name}: input {list(x.shape)} -> output {list(y.shape)}; "
              f"{params or 'no parameters'}; {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
