"""Write torchvision's ResNet-18 with its output on a fixed batch, for the Java parity test.

Usage:  /usr/bin/python3 examples/python/make_resnet_golden.py OUT.safetensors

The file holds
    model.<key>   torchvision 0.14 resnet18()'s state dict under its own names (float32;
                  num_batches_tracked as int64, as PyTorch keeps it)
    input         a seeded float32 batch [2, 3, 96, 96]
    output        the logits [2, 1000] of the model in eval mode on that batch
and metadata {"torch", "torchvision", "top1"}.

Why it is generated, not committed: the weights are 47 MB and every committed file must stay small
(the GPU machine receives the whole tree in 64 MiB), so models' test runs this script into target/.

Why the BatchNorm statistics are randomized: a freshly built resnet18() has running_mean 0,
running_var 1, weight 1 and bias 0, so eval-mode BatchNorm would be (almost) the identity and a
Java implementation that skipped or misordered it would still pass. Every BatchNorm therefore gets
random running statistics, affine parameters and batch count.

Why 96x96: the test runs on PoCL too and must stay fast, yet layer4 still sees a 3x3 map, so its
padded 3x3 convolutions use every kernel tap (a 64x64 input would leave layer4 at 1x1).

Deterministic: torch.manual_seed before the model is built, one thread.
"""
import os
import sys

import torch
import torchvision
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file  # noqa: E402

SEED = 20240611
INPUT_SHAPE = (2, 3, 96, 96)


def randomize_batch_norms(model, generator):
    """Gives every BatchNorm2d statistics and affine parameters far from the identity."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.running_mean.copy_(0.2 * torch.randn(c, generator=generator))
            module.running_var.copy_(0.5 + torch.rand(c, generator=generator))
            module.weight.data.copy_(0.5 + torch.rand(c, generator=generator))
            module.bias.data.copy_(0.2 * torch.randn(c, generator=generator))
            module.num_batches_tracked.fill_(int(torch.randint(1, 10_000, (1,), generator=generator)))


def seeded_model_and_input():
    """torchvision's resnet18 from SEED with randomized BatchNorm statistics, in eval mode, and its seeded input."""
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = torchvision.models.resnet18()
    generator = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        randomize_batch_norms(model, generator)
    model.eval()
    return model, torch.randn(*INPUT_SHAPE, generator=generator)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_resnet_golden.py OUT.safetensors")
    out_path = sys.argv[1]
    model, x = seeded_model_and_input()
    with torch.no_grad():
        y = model(x)
    assert torch.isfinite(y).all(), "non-finite logits"

    tensors = {"model." + k: v for k, v in model.state_dict().items()}
    tensors["input"] = x
    tensors["output"] = y
    top1 = y.argmax(dim=1).tolist()
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "top1": ",".join(str(i) for i in top1)}
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    save_file(tensors, out_path, meta)

    best2 = y.topk(2, dim=1).values
    margin = (best2[:, 0] - best2[:, 1]).min().item()
    print(f"resnet18 (torchvision {torchvision.__version__}): input {list(x.shape)} -> logits "
          f"{list(y.shape)}, max |logit| {y.abs().max().item():.4g}, top-1 {top1}, "
          f"smallest top-1 margin {margin:.4g}; {os.path.getsize(out_path)} bytes in {out_path}")


if __name__ == "__main__":
    main()
