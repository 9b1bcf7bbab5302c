"""ModelBench's Python side: the seeded ResNet-18 for every runtime, and PyTorch as a peer.

Reads a JSON request on stdin:
    {"dir": "/tmp/...",            # where to write resnet18.safetensors and resnet18.onnx
     "threads": 2,                 # PyTorch intra-op threads
     "budget": 3.0,                # seconds of measured runs per case (at least 3 runs)
     "cases": [{"model": "resnet18", "batch": 1, "size": 224},
               {"model": "minilm", "batch": 1, "seq": 128, "weights": "/tmp/.../minilm.safetensors"}]}
and writes one JSON object to stdout:
    {"peer": "PyTorch <version> on the CPU (<n> threads)", "resnet18": {"safetensors": .., "onnx": ..},
     "results": [median seconds per forward, or null, ...]}

ResNet-18: torchvision 0.14's resnet18() built after torch.manual_seed(SEED), every BatchNorm given
random running statistics and affine parameters (as examples/python/make_resnet_golden.py does, so
eval-mode BatchNorm is not the identity), written as safetensors under "model." for torchcl and
exported with torch.onnx.export (dynamic batch) for ONNX Runtime: the three runtimes run one model.

MiniLM: Hugging Face's BertModel (6 layers, hidden 384, 12 heads, intermediate 1536, exact GELU,
post-norm) written out here in plain PyTorch (transformers is not installed on Debian), loading the
weights torchcl read from the ONNX file (saved by ModelBench as safetensors). Output:
last_hidden_state, as torchcl's BertModel.forward and the ONNX graph give. Inputs: seeded random
ids in the vocabulary, attention mask all ones, token types 0.

Every forward runs under torch.inference_mode(); the median is over repeated runs after a warm-up of
at least 2 runs and half a second.
"""
import json
import math
import os
import statistics
import sys
import time

import torch
from torch import nn

SEED = 20240611


# ---------------------------------------------------------------- safetensors (minimal, F32/I64)

def save_safetensors(tensors, path):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().cpu().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for c in chunks:
            f.write(c)


def load_safetensors(path):
    dtypes = {"F32": torch.float32, "I64": torch.int64, "I32": torch.int32}
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[begin:end]), dtype=dtypes[info["dtype"]]) if end > begin \
            else torch.empty(0, dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"])
    return out


# ---------------------------------------------------------------- ResNet-18

def seeded_resnet18():
    import torchvision
    torch.manual_seed(SEED)
    model = torchvision.models.resnet18()
    generator = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.running_mean.copy_(0.2 * torch.randn(c, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(c, generator=generator))
                module.weight.data.copy_(0.5 + torch.rand(c, generator=generator))
                module.bias.data.copy_(0.2 * torch.randn(c, generator=generator))
    return model.eval()


def export_resnet18(model, directory):
    st = os.path.join(directory, "resnet18.safetensors")
    save_safetensors({"model." + k: v for k, v in model.state_dict().items()}, st)
    onnx_path = os.path.join(directory, "resnet18.onnx")
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(model, x, onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    return {"safetensors": st, "onnx": onnx_path}


# ---------------------------------------------------------------- BERT (Hugging Face's module tree)

class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + bias
        ctx = torch.matmul(torch.softmax(scores, -1), v)
        return ctx.transpose(1, 2).reshape(b, s, h)


class DenseNorm(nn.Module):
    def __init__(self, inner, hidden, eps):
        super().__init__()
        self.dense = nn.Linear(inner, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, hidden, heads, eps):
        super().__init__()
        setattr(self, "self", SelfAttention(hidden, heads))
        self.output = DenseNorm(hidden, hidden, eps)

    def forward(self, x, bias):
        return self.output(getattr(self, "self")(x, bias), x)


class Intermediate(nn.Module):
    def __init__(self, hidden, inner):
        super().__init__()
        self.dense = nn.Linear(hidden, inner)

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, hidden, heads, inner, eps):
        super().__init__()
        self.attention = Attention(hidden, heads, eps)
        self.intermediate = Intermediate(hidden, inner)
        self.output = DenseNorm(inner, hidden, eps)

    def forward(self, x, bias):
        a = self.attention(x, bias)
        return self.output(self.intermediate(a), a)


class Embeddings(nn.Module):
    def __init__(self, vocab, hidden, positions, types, eps):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.token_type_embeddings = nn.Embedding(types, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, ids, types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos)
                              + self.token_type_embeddings(types))


class Encoder(nn.Module):
    def __init__(self, layers, hidden, heads, inner, eps):
        super().__init__()
        self.layer = nn.ModuleList([Layer(hidden, heads, inner, eps) for _ in range(layers)])


class Bert(nn.Module):
    def __init__(self, vocab=30522, hidden=384, layers=6, heads=12, inner=1536, positions=512, types=2, eps=1e-12):
        super().__init__()
        self.embeddings = Embeddings(vocab, hidden, positions, types, eps)
        self.encoder = Encoder(layers, hidden, heads, inner, eps)

    def forward(self, ids, mask, types):
        bias = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        x = self.embeddings(ids, types)
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x


def minilm(weights):
    model = Bert()
    if weights:
        state = {k: v for k, v in load_safetensors(weights).items() if not k.endswith("position_ids")}
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            print("model_peer: MiniLM weights: missing %s, unexpected %s" % (missing, unexpected), file=sys.stderr)
    return model.eval()


# ---------------------------------------------------------------- timing

def median_seconds(run, budget):
    warm, runs = 0.0, 0
    while runs < 2 or warm < 0.5:
        start = time.perf_counter()
        run()
        warm += time.perf_counter() - start
        runs += 1
        if warm > budget:
            break
    samples = []
    while len(samples) < 3 or (sum(samples) < budget and len(samples) < 50):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
        if len(samples) == 1 and samples[0] > budget:
            break
    return statistics.median(samples)


def reference_blas():
    """Whether this PyTorch runs matrix products on a generic (reference) BLAS, as Debian's build does."""
    return "BLAS_INFO=generic" in torch.__config__.show()


def main():
    request = json.load(sys.stdin)
    torch.set_num_threads(request.get("threads", 2))
    budget = request.get("budget", 3.0)
    # On a reference BLAS, nn.Linear runs at a few GFLOP/s: MiniLM timed there says nothing about
    # PyTorch, so it gets no figure. ResNet-18's convolutions go through oneDNN and stay a peer.
    linear_is_peer = not reference_blas()
    answer = {"peer": "PyTorch %s on the CPU (%d threads, BLAS_INFO=%s, oneDNN %s)%s" % (
        torch.__version__, torch.get_num_threads(), "generic" if not linear_is_peer else "optimized",
        "on" if torch.backends.mkldnn.is_available() else "off",
        "" if linear_is_peer else "; MiniLM not timed: reference BLAS is not a peer")}
    resnet = None
    bert = None
    results = []
    for case in request["cases"]:
        generator = torch.Generator().manual_seed(7)
        if case["model"] == "resnet18":
            if resnet is None:
                resnet = seeded_resnet18()
                answer["resnet18"] = export_resnet18(resnet, request["dir"])
            x = torch.randn(case["batch"], 3, case["size"], case["size"], generator=generator)

            def run(x=x):
                with torch.inference_mode():
                    resnet(x)
        elif not linear_is_peer:
            results.append(None)
            continue
        else:
            if bert is None:
                bert = minilm(case.get("weights"))
            ids = torch.randint(0, 30522, (case["batch"], case["seq"]), generator=generator)
            mask = torch.ones_like(ids)
            types = torch.zeros_like(ids)

            def run(ids=ids, mask=mask, types=types):
                with torch.inference_mode():
                    bert(ids, mask, types)
        try:
            results.append(median_seconds(run, budget))
        except RuntimeError as e:
            print("model_peer: %s failed: %s" % (case, e), file=sys.stderr)
            results.append(None)
    answer["results"] = results
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
