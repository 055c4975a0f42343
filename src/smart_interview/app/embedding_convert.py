"""Converts the embedding model's float32 safetensors into int8 with one scale per row.

Every matrix (the word, position and token-type embeddings and the encoder's weights) becomes
int8 `X` plus float32 `X.scale` = max |row| / 127; vectors (biases, LayerNorm) stay float32.
The file is a quarter of the size (23 MB instead of 91 MB), which keeps the Linux package
within its budget; the encoder turns the weights back into float32 when it loads them.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

_NAMES = {np.dtype(np.float32): "F32", np.dtype(np.int8): "I8", np.dtype(np.int64): "I64"}


def quantize(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, value in tensors.items():
        if name.endswith("position_ids"):
            continue  # the encoder counts positions itself
        if value.ndim == 2 and value.dtype == np.float32:
            scale = np.abs(value).max(axis=1) / 127.0
            scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
            out[name] = np.clip(np.rint(value / scale[:, None]), -127, 127).astype(np.int8)
            out[f"{name}.scale"] = scale
        else:
            out[name] = value
    return out


def write_safetensors(tensors: dict[str, np.ndarray], path: Path) -> None:
    header: dict[str, object] = {}
    offset = 0
    for name, value in tensors.items():
        size = value.nbytes
        header[name] = {"dtype": _NAMES[value.dtype], "shape": list(value.shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(raw)))
        handle.write(raw)
        for value in tensors.values():
            handle.write(np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<"))
                         .tobytes())


def quantize_file(original: bytes, path: Path) -> None:
    """The float32 safetensors bytes `original`, written to `path` as int8."""
    from smart_interview.answers.embeddings import parse_safetensors

    write_safetensors(quantize(parse_safetensors(original, origin="model.safetensors")), path)
