"""The peer that torchcl's benchmark mains measure themselves against, in the same run.

Reads a JSON request on stdin:
    {"device": "cpu" | "cuda", "warmup": 3, "repeats": 10,
     "cases": [{"op": "gemm", "m": .., "n": .., "k": .., "transB": false},
               {"op": "rand", "count": ..},
               {"op": "fill", "count": ..},
               {"op": "add" | "add_bcast" | "gelu" | "softmax" | "layernorm" | "sum" | "transpose" | "copy",
                "rows": .., "cols": ..}]}
and writes one JSON object to stdout: {"peer": "<library and device>", "results": [seconds or null, ...]},
the median time of each case after the warm-up runs. On "cuda" the peer is PyTorch with TF32 off,
timed with CUDA events; on "cpu" it is numpy for gemm and fill, numpy's PCG64 for rand. The peer's
name says which BLAS numpy's products ran on (threadpoolctl's report, else the library mapped into
this process); on a reference BLAS (Debian's default libblas3) the gemm cases are not timed and the
name says why: a product there is tens of times slower than on any tuned BLAS, no peer at all. The tensor-op cases (OpsBench) run PyTorch on both
devices, on [rows, cols] float32 tensors; on the CPU with as many threads as the JVM's backend uses.
"""
import json
import os
import re
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


TENSOR_OPS = ("add", "add_bcast", "gelu", "softmax", "layernorm", "sum", "transpose", "copy")


def tensor_op(torch, case, device):
    """A closure running one OpsBench case with PyTorch on `device`; each op allocates its result, as torchcl's do."""
    rows, cols = case["rows"], case["cols"]
    x = torch.randn(rows, cols, device=device)
    y = torch.randn(rows, cols, device=device)
    op = case["op"]
    if op == "add":
        return lambda: x + y
    if op == "add_bcast":
        b = torch.randn(cols, device=device)
        return lambda: x + b
    if op == "gelu":
        return lambda: torch.nn.functional.gelu(x)
    if op == "softmax":
        return lambda: torch.softmax(x, -1)
    if op == "layernorm":
        w, b = torch.randn(cols, device=device), torch.randn(cols, device=device)
        return lambda: torch.nn.functional.layer_norm(x, (cols,), w, b, 1e-5)
    if op == "sum":
        return lambda: x.sum(-1)
    if op == "transpose":
        return lambda: x.t().contiguous()
    return lambda: x.clone()


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
        elif case["op"] in TENSOR_OPS:
            results.append(timed(tensor_op(torch, case, device)))
        else:
            results.append(None)
    name = torch.cuda.get_device_name(0)
    return "PyTorch %s CUDA on %s (TF32 off)" % (torch.__version__, name), results


def cpu_peer(request):
    import numpy as np
    rng = np.random.default_rng(0)
    warmup, repeats = request["warmup"], request["repeats"]
    if all(case["op"] in TENSOR_OPS for case in request["cases"]):
        import torch
        # The JVM's backend uses one thread per core it may run on; PyTorch's OpenMP default can be fewer.
        torch.set_num_threads(request.get("threads", len(os.sched_getaffinity(0))))
        results = [median_seconds(tensor_op(torch, case, "cpu"), warmup, repeats) for case in request["cases"]]
        return "PyTorch %s on the CPU (%d threads)" % (torch.__version__, torch.get_num_threads()), results
    blas_kind, blas = blas_in_use(np)
    refused = blas_kind == "reference"
    results = []
    for case in request["cases"]:
        if case["op"] == "gemm" and refused:
            results.append(None)
        elif case["op"] == "gemm":
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
    name = "numpy %s on the CPU, BLAS: %s" % (np.__version__, blas)
    if refused and any(case["op"] == "gemm" for case in request["cases"]):
        name += ("; NOT A PEER for sgemm, products not timed (install OpenBLAS, or point TORCHCL_PYTHON at a"
                 " Python whose numpy has a tuned BLAS)")
    return name, results


def blas_in_use(np):
    """(kind, description) of the BLAS numpy's products run on; kind is openblas, mkl, blis, atlas,
    reference or unknown. Asks threadpoolctl where it is installed, else looks at the libraries this
    process has mapped once a product has run (Debian switches libblas.so.3 between the reference
    BLAS and OpenBLAS with update-alternatives, so numpy's build information cannot tell)."""
    np.ones((2, 2), dtype=np.float32) @ np.ones((2, 2), dtype=np.float32)
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                kind = pool.get("internal_api", "unknown")
                return kind, "%s %s (%s)" % (kind, pool.get("version"), pool.get("filepath"))
    except ImportError:
        pass
    with open("/proc/self/maps") as maps:
        mapped = {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}
    libraries = sorted({os.path.realpath(path) for path in mapped
                        if re.search(r"blas|mkl|blis|atlas", os.path.basename(path), re.IGNORECASE)})
    for kind in ("openblas", "mkl", "blis", "atlas"):
        for path in libraries:
            if kind in path.lower():
                return kind, "%s (%s)" % (kind, path)
    for path in libraries:
        if "/blas/" in path or os.path.basename(path).startswith(("libblas.so", "libcblas.so")):
            return "reference", "the reference BLAS (%s)" % path
    return "unknown", "not identified (%s)" % (", ".join(libraries) or "no BLAS library mapped")


def main():
    request = json.load(sys.stdin)
    peer, results = cuda_peer(request) if request["device"] == "cuda" else cpu_peer(request)
    json.dump({"peer": peer, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
