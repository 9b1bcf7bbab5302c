"""Train a small CNN on scikit-learn's bundled digits data set (8x8 images, no
download) and export it for the torchcl digits example.

Writes into examples/src/main/resources/org/torchcl/examples/digits/:
    digits-model.safetensors  trained state dict (float32, PyTorch's names:
                              0.weight, 0.bias, 3.weight, 3.bias, 5.weight, 5.bias)
    digits-test.safetensors   held-out split: images [N,1,8,8] (pixels / 16),
                              labels [N], predictions [N] (argmax, as floats),
                              logits [N,10]; all float32

Deterministic: fixed split, torch.manual_seed(0), seeded minibatch generator,
a fixed number of epochs and a single thread.

Run with:  /usr/bin/python3 examples/python/train_digits.py
"""
import os
import sys
import warnings

import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save_file  # noqa: E402

warnings.filterwarnings("ignore", message="Lazy modules are a new feature")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "examples", "src", "main", "resources",
                       "org", "torchcl", "examples", "digits")
EPOCHS = 40
BATCH = 32
LR = 3e-3


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
        nn.LazyLinear(32), nn.ReLU(), nn.Linear(32, 10))


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    torch.set_num_threads(1)
    digits = load_digits()
    x_all = digits.images.reshape(-1, 1, 8, 8) / 16.0
    x_tr, x_te, y_tr, y_te = train_test_split(
        x_all, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    x_tr = torch.tensor(x_tr, dtype=torch.float32)
    x_te = torch.tensor(x_te, dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.long)
    y_te = torch.tensor(y_te, dtype=torch.long)

    torch.manual_seed(0)
    model = build_model()
    with torch.no_grad():
        model(x_tr[:1])  # materialize LazyLinear(512 -> 32) before the optimizer
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1234)

    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(x_tr), generator=gen)
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(x_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1:3d}: loss {total / len(x_tr):.4f}")

    model.eval()
    train_acc = accuracy(model, x_tr, y_tr)
    with torch.no_grad():
        logits = model(x_te)
    preds = logits.argmax(1)
    test_acc = (preds == y_te).float().mean().item()
    print(f"train accuracy {train_acc:.4f} ({len(x_tr)} images), "
          f"test accuracy {test_acc:.4f} ({len(x_te)} images)")

    os.makedirs(OUT_DIR, exist_ok=True)
    model_path = os.path.join(OUT_DIR, "digits-model.safetensors")
    test_path = os.path.join(OUT_DIR, "digits-test.safetensors")
    save_file({k: v.float() for k, v in model.state_dict().items()}, model_path, {
        "description": "CNN for sklearn digits (8x8 grayscale, pixels/16): "
                       + repr(model).replace("\n", " "),
        "test_accuracy": f"{test_acc:.4f}",
        "train_accuracy": f"{train_acc:.4f}",
        "torch": torch.__version__,
    })
    save_file({
        "images": x_te,
        "labels": y_te.float(),
        "predictions": preds.float(),
        "logits": logits,
    }, test_path, {"description": "held-out digits test split (test_size=0.2, "
                                   "random_state=0, stratified)",
                   "torch": torch.__version__})
    for p in (model_path, test_path):
        print(f"{os.path.relpath(p, ROOT)}: {os.path.getsize(p)} bytes")


if __name__ == "__main__":
    main()
