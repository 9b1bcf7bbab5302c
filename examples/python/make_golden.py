"""Write golden PyTorch reference cases for the Java nn-api parity tests.

Each case becomes nn-api/src/test/resources/golden/<case>.safetensors holding
(all float32):
    input           the input tensor (drawn with torch.randn)
    output          the module's output for it, computed under torch.no_grad()
    model.<key>     every entry of the module's state dict, PyTorch's own names
and metadata {"case", "module" (repr of the module), "torch" (version)}.

Deterministic: each case seeds torch.manual_seed(<seed>) before building its
module (PyTorch default init) and drawing its input; a single thread is used.

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


# (case name, seed, module factory, input shape)
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
]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, seed, factory, shape in CASES:
        torch.manual_seed(seed)
        model = factory().eval()
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)  # also materializes LazyLinear before state_dict()
        assert not torch.isnan(x).any() and not torch.isnan(y).any()
        tensors = {"input": x, "output": y}
        for k, v in model.state_dict().items():
            tensors["model." + k] = v.float()
        meta = {"case": name, "module": repr(model), "torch": torch.__version__}
        path = os.path.join(OUT_DIR, name + ".safetensors")
        save_file(tensors, path, meta)
        params = ", ".join(f"{k}{list(v.shape)}" for k, v in tensors.items()
                           if k.startswith("model."))
        print(f"{name}: input {list(x.shape)} -> output {list(y.shape)}; "
              f"{params or 'no parameters'}; {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
