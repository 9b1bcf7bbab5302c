"""Minimal, dependency-free reader/writer for the Hugging Face safetensors format.

Only `struct`, `json` and `torch` are needed (the `safetensors` package is not).

File layout:
    8 bytes   little-endian uint64 N: length of the JSON header
    N bytes   UTF-8 JSON object: {name: {"dtype": "F32", "shape": [...],
              "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
              (padded with trailing spaces so that 8 + N is a multiple of 8)
    rest      raw little-endian tensor data; offsets are relative to the start
              of this section and the tensors are packed back to back, no gaps.

The writer stores tensors contiguously in dict insertion order.
"""
import json
import struct
import sys

import torch

# safetensors dtype name -> (torch dtype, bytes per element)
DTYPES = {
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "F64": (torch.float64, 8),
    "I64": (torch.int64, 8),
    "I32": (torch.int32, 4),
    "BOOL": (torch.bool, 1),
}
_NAME_OF = {dt: name for name, (dt, _) in DTYPES.items()}

assert sys.byteorder == "little", "this implementation assumes a little-endian host"


def _to_bytes(t):
    """Raw little-endian bytes of a tensor (any supported dtype)."""
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)  # numpy has no bfloat16; reinterpret the bits
    return t.numpy().tobytes()


def save_file(tensors, path, metadata=None):
    """Write a dict {name: tensor} (any dtype of DTYPES) to `path`."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    for name, t in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        if t.dtype not in _NAME_OF:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        data = _to_bytes(t)
        header[name] = {"dtype": _NAME_OF[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def load_file(path):
    """Read `path`; return ({name: tensor}, metadata dict) with tensors in file order."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("file too short")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"header length {n} exceeds file size {len(raw)}")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = raw[8 + n:]

    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    expected, tensors = 0, {}
    for name, info in entries:
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{name}: unsupported dtype {info['dtype']}")
        dtype, size = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = info["shape"]
        if begin != expected or end < begin or end > len(data):
            raise ValueError(f"{name}: bad data_offsets {[begin, end]} "
                             f"(expected begin {expected}, data size {len(data)})")
        numel = 1
        for d in shape:
            numel *= d
        if numel * size != end - begin:
            raise ValueError(f"{name}: shape {shape} x {size} bytes != span {end - begin}")
        if numel == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(shape)
        tensors[name] = t
        expected = end
    if expected != len(data):
        raise ValueError(f"{len(data) - expected} trailing bytes after the last tensor")
    return tensors, metadata
