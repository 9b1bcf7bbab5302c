"""The peer that torchcl's benchmark mains measure themselves against, in the same run.

Reads a JSON request on stdin:
    {"device": "cpu" | "cuda", "warmup": 3, "repeats": 10,
     "cases": [{"op": "gemm", "m": .., "n": .., "k": .., "transB": false},
               {"op": "rand", "count": ..},
               {"op": "fill", "count": ..}]}
and writes one JSON object to stdout: {"peer": "<library and device>", "results": [seconds or null, ...]},
the median time of each case after the warm-up runs. On "cuda" the peer is PyTorch with TF32 off,
timed with CUDA events; on "cpu" it is numpy (OpenBLAS) for gemm and fill, numpy's PCG64 for rand,
falling back to PyTorch where numpy is missing.
"""
import json
import statistics
import sys
import time


def median_seconds(run, warmup, repeats, synchronize=lambda: None):
    for _ in range(warmup):
        run()
    synchronize()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        synchronize()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cuda_peer(request):
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device("cuda")

    def timed(run):
        for _ in range(request["warmup"]):
            run()
        torch.cuda.synchronize()
        samples = []
        for _ in range(request["repeats"]):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            run()
            end.record()
            end.synchronize()
            samples.append(start.elapsed_time(end) / 1000.0)
        return statistics.median(samples)

    results = []
    for case in request["cases"]:
        if case["op"] == "gemm":
            a = torch.randn(case["m"], case["k"], device=device)
            if case.get("transB"):
                w = torch.randn(case["n"], case["k"], device=device)
                linear = torch.nn.Linear(case["k"], case["n"], bias=False, device=device)
                linear.weight.data.copy_(w)
                with torch.no_grad():
                    results.append(timed(lambda: linear(a)))
            else:
                b = torch.randn(case["k"], case["n"], device=device)
                results.append(timed(lambda: torch.matmul(a, b)))
        elif case["op"] == "rand":
            out = torch.empty(case["count"], device=device)
            results.append(timed(lambda: out.uniform_()))
        elif case["op"] == "fill":
            out = torch.empty(case["count"], device=device)
            results.append(timed(lambda: out.fill_(1.0)))
        else:
            results.append(None)
    name = torch.cuda.get_device_name(0)
    return "PyTorch %s CUDA on %s (TF32 off)" % (torch.__version__, name), results


def cpu_peer(request):
    import numpy as np
    rng = np.random.default_rng(0)
    warmup, repeats = request["warmup"], request["repeats"]
    results = []
    for case in request["cases"]:
        if case["op"] == "gemm":
            a = rng.standard_normal((case["m"], case["k"]), dtype=np.float32)
            if case.get("transB"):
                w = rng.standard_normal((case["n"], case["k"]), dtype=np.float32)
                results.append(median_seconds(lambda: a @ w.T, warmup, repeats))
            else:
                b = rng.standard_normal((case["k"], case["n"]), dtype=np.float32)
                results.append(median_seconds(lambda: a @ b, warmup, repeats))
        elif case["op"] == "rand":
            out = np.empty(case["count"], dtype=np.float32)
            results.append(median_seconds(lambda: rng.random(out=out, dtype=np.float32), warmup, repeats))
        elif case["op"] == "fill":
            out = np.empty(case["count"], dtype=np.float32)
            results.append(median_seconds(lambda: out.fill(1.0), warmup, repeats))
        else:
            results.append(None)
    return "numpy %s (%s) on the CPU" % (np.__version__, blas_name(np)), results


def blas_name(np):
    try:
        config = np.show_config(mode="dicts")
        return config["Build Dependencies"]["blas"]["name"]
    except Exception:  # older numpy: no dict mode
        return "BLAS"


def main():
    request = json.load(sys.stdin)
    peer, results = cuda_peer(request) if request["device"] == "cuda" else cpu_peer(request)
    json.dump({"peer": peer, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
