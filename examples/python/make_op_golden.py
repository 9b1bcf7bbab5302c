"""Write PyTorch golden data for the Java op conformance tests (runtime, package org.torchcl.ops).

Everything goes to runtime/src/test/resources/golden-ops/ as .npy files (little-endian, C order),
read in Java by org.torchcl.ops.Npy. Total size stays well under 2 MB.

16-bit conversions (torch on CPU):
    f16_to_f32.npy          uint32[65536]: float32 bits of torch.float16 pattern i -> float32
    bf16_to_f32.npy         uint32[65536]: the same for bfloat16
    special_f32.npy         uint32[n]: float32 bit patterns chosen for ties, subnormals, overflow, NaN
    special_to_f16.npy      uint16[n]: torch's float16 bits for each
    special_to_bf16.npy     uint16[n]: torch's bfloat16 bits for each
    random_f32_head.npy     uint32[65536]: the first random inputs, stored explicitly
    random_to_f16_head.npy  uint16[65536], random_to_bf16_head.npy uint16[65536]: torch's results
    random_crc.npy          int64[3, CHUNKS]: CRC-32 of each chunk of RANDOM_CHUNK values of
                            (inputs as uint32 LE, f16 results as uint16 LE, bf16 results as uint16 LE)
                            for all RANDOM_COUNT random inputs; every NaN result counted as the
                            canonical quiet NaN (0x7E00 / 0x7FC0), as NaN payloads are not compared
    random_params.npy       int64[4]: seed, count, chunk size, head size

The 10^6 random float32 bit patterns come from numpy (vectorized uint64 arithmetic) running
SplitMix64 from RANDOM_SEED: each 64-bit output gives two 32-bit patterns, low half first. The
Java test regenerates them with the same 10 lines, proves it did so (the input CRCs), and checks
torchcl's conversions chunk by chunk against torch's. Storing all 10^6 inputs and both results
explicitly would take 8 MB, so only the first 65536 are stored in full (for exact diagnostics).

Op cases: <case>.<name>.npy float32 (bool masks as uint8), inputs drawn with torch.randn from a
per-case seed; parameters are fixed here and mirrored in GoldenOpsTest.

Run with:  /usr/bin/python3 examples/python/make_op_golden.py
"""
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "runtime", "src", "test", "resources", "golden-ops")

RANDOM_SEED = 0x5EED_F00D_2024
RANDOM_COUNT = 1_000_000
RANDOM_CHUNK = 10_000
RANDOM_HEAD = 65_536

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def save(name, array):
    path = os.path.join(OUT_DIR, name + ".npy")
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)


def splitmix64_bits32(seed, count):
    """count uint32 values: SplitMix64 outputs from seed, each split low half first."""
    n64 = (count + 1) // 2
    with np.errstate(over="ignore"):
        idx = np.arange(1, n64 + 1, dtype=np.uint64)
        z = np.uint64(seed) + idx * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    out = np.empty(n64 * 2, dtype=np.uint32)
    out[0::2] = (z & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    out[1::2] = (z >> np.uint64(32)).astype(np.uint32)
    return out[:count]


def f32_bits_to_16(bits_u32, dtype):
    t = torch.from_numpy(bits_u32.view(np.int32).copy()).view(torch.float32)
    return t.to(dtype).view(torch.int16).numpy().view(np.uint16)


def halves():
    patterns = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    t = torch.from_numpy(patterns.view(np.int16).copy())
    save("f16_to_f32", t.view(torch.float16).to(torch.float32).view(torch.int32).numpy().view(np.uint32))
    save("bf16_to_f32", t.view(torch.bfloat16).to(torch.float32).view(torch.int32).numpy().view(np.uint32))


def specials():
    s = []
    f = lambda v: int(np.array(v, dtype=np.float32).view(np.uint32))  # noqa: E731
    # zeros, infinities, NaNs (quiet, signalling, negative, payloads)
    s += [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FA00000,
          0x7FFFFFFF, 0xFFFFFFFF, 0x7F802000, 0x7FBFFFFF]
    # float32 subnormals and smallest normals
    s += [0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, 0x80800000, 0x00400000]
    # float16: max 65504, overflow boundary (65520 rounds to inf, just below stays), min normal/subnormal
    for v in [1.0, -1.0, 65504.0, 65519.0, 65519.996, 65520.0, 65536.0, -65520.0, 1e5, 3.4e38,
              6.103515625e-05, 6.097555160522461e-05, 5.960464477539063e-08, 2.9802322387695312e-08,
              2.98023259e-08, 2.980232e-08, 8.940696716308594e-08, 1.1920928955078125e-07,
              -5.960464477539063e-08, 1e-8, -1e-8, 1e-30, 0.1, 0.2, 1.0 / 3.0, 2.0 / 3.0, 3.14159265]:
        s.append(f(v))
    # float16 ties: 1 + k*2^-11 (exactly halfway between float16 neighbours), +/- tiny
    for k in range(1, 9):
        base = 1.0 + k * 2.0 ** -11
        s.append(f(base))
        s.append(f(-base))
        b = f(base)
        s += [b + 1, b - 1]
    # float16 subnormal ties: (2k+1) * 2^-25
    for k in range(0, 6):
        s.append(f((2 * k + 1) * 2.0 ** -25))
    # bfloat16 ties: low 16 bits exactly 0x8000 with even/odd kept part, and neighbours
    for hi in [0x3F80, 0x3F81, 0xBF80, 0xBF81, 0x7F7F, 0x7F7E, 0x0000, 0x0001, 0x0080, 0x4049]:
        for lo in [0x8000, 0x7FFF, 0x8001, 0xFFFF, 0x0000, 0x0001]:
            s.append((hi << 16) | lo)
    # bfloat16 overflow: largest float32 rounds to inf
    s += [0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F8000, 0x7F7F7FFF]
    arr = np.array(s, dtype=np.uint64).astype(np.uint32)
    save("special_f32", arr)
    save("special_to_f16", f32_bits_to_16(arr, torch.float16))
    save("special_to_bf16", f32_bits_to_16(arr, torch.bfloat16))


def canonical_nan(bits16, exp_mask, mant_mask, canonical):
    """NaN payloads and signs differ between torch's scalar and vector paths; CRCs see one NaN."""
    out = bits16.copy()
    nan = ((out & exp_mask) == exp_mask) & ((out & mant_mask) != 0)
    out[nan] = canonical
    return out


def randoms():
    bits = splitmix64_bits32(RANDOM_SEED, RANDOM_COUNT)
    h = f32_bits_to_16(bits, torch.float16)
    b = f32_bits_to_16(bits, torch.bfloat16)
    chunks = RANDOM_COUNT // RANDOM_CHUNK
    crc = np.zeros((3, chunks), dtype=np.int64)
    for c in range(chunks):
        sl = slice(c * RANDOM_CHUNK, (c + 1) * RANDOM_CHUNK)
        crc[0, c] = zlib.crc32(bits[sl].astype("<u4").tobytes())
        crc[1, c] = zlib.crc32(canonical_nan(h[sl], 0x7C00, 0x03FF, 0x7E00).astype("<u2").tobytes())
        crc[2, c] = zlib.crc32(canonical_nan(b[sl], 0x7F80, 0x007F, 0x7FC0).astype("<u2").tobytes())
    save("random_f32_head", bits[:RANDOM_HEAD])
    save("random_to_f16_head", h[:RANDOM_HEAD])
    save("random_to_bf16_head", b[:RANDOM_HEAD])
    save("random_crc", crc)
    save("random_params", np.array([RANDOM_SEED, RANDOM_COUNT, RANDOM_CHUNK, RANDOM_HEAD], dtype=np.int64))


def case(name, seed, tensors):
    for key, value in tensors.items():
        a = value.detach().cpu()
        a = a.to(torch.uint8) if a.dtype == torch.bool else a.to(torch.float32)
        save(name + "." + key, a.contiguous().numpy())


def ops():
    torch.manual_seed(1)
    x = torch.linspace(-10, 10, 2001)
    case("gelu", 1, {"x": x, "y": F.gelu(x)})
    case("gelu_tanh", 1, {"x": x, "y": F.gelu(x, approximate="tanh")})
    case("erf", 1, {"x": x, "y": torch.erf(x)})

    torch.manual_seed(2)
    x = torch.randn(3, 5, 7) * 4
    case("softmax", 2, {"x": x, "y": torch.softmax(x, dim=1)})
    case("log_softmax", 2, {"x": x, "y": torch.log_softmax(x, dim=-1)})

    torch.manual_seed(3)
    x = torch.randn(4, 3, 8) * 2 + 1
    w = torch.randn(3, 8)
    b = torch.randn(3, 8)
    case("layer_norm", 3, {"x": x, "w": w, "b": b, "y": F.layer_norm(x, [3, 8], w, b, 1e-5)})

    torch.manual_seed(4)
    x = torch.randn(5, 6, 7) * 3 + 2
    case("var", 4, {"x": x, "y_dim1_unbiased": x.var(dim=1, unbiased=True),
                    "y_dims02_biased_keep": x.var(dim=(0, 2), unbiased=False, keepdim=True)})

    torch.manual_seed(5)
    a = torch.randn(2, 1, 4, 6)
    b = torch.randn(3, 6, 5)
    case("matmul_broadcast", 5, {"a": a, "b": b, "y": torch.matmul(a, b)})

    torch.manual_seed(6)
    x = torch.randn(2, 6, 11, 10)
    w = torch.randn(9, 2, 3, 3)
    b = torch.randn(9)
    case("conv2d_groups_dilation", 6, {"x": x, "w": w, "b": b,
                                       "y": F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 3),
                                                     groups=3)})

    torch.manual_seed(7)
    x = torch.randn(2, 3, 9, 8)
    case("max_pool_ceil", 7, {"x": x, "y": F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)})
    case("avg_pool_ceil_exclude_pad", 7, {"x": x, "y": F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                                                                   count_include_pad=False)})

    torch.manual_seed(8)
    x = torch.randn(2, 3, 7, 7)
    case("adaptive_avg_pool_7to3", 8, {"x": x, "y": F.adaptive_avg_pool2d(x, (3, 3))})

    torch.manual_seed(9)
    q = torch.randn(2, 3, 4, 8)
    k = torch.randn(2, 3, 6, 8)
    v = torch.randn(2, 3, 6, 5)
    mask = torch.rand(4, 6) > 0.3
    mask[:, 0] = True  # every query sees at least one key
    scores = q @ k.transpose(-2, -1) / (8 ** 0.5)
    scores = scores.masked_fill(~mask, float("-inf"))
    y = torch.softmax(scores, dim=-1) @ v
    case("sdpa_bool_mask", 9, {"q": q, "k": k, "v": v, "mask": mask, "y": y})


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    halves()
    specials()
    randoms()
    ops()
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR))
    print(f"wrote {len(os.listdir(OUT_DIR))} files, {total} bytes, to {OUT_DIR} (torch {torch.__version__})")
    assert total < 2 * 1024 * 1024, total


if __name__ == "__main__":
    main()
