"""Sentence embeddings on the device: all-MiniLM-L6-v2 run as a plain numpy BERT forward pass.

The app passes the folder that holds the model (`tokenizer.json` plus `model.safetensors`, or
the smaller `model.int8.safetensors` the Linux package ships); nothing here finds, downloads or
checks files. A safetensors file is an 8-byte little-endian header length, a JSON header and
the raw tensors, so numpy reads it without torch. An int8 tensor `X` comes with a float32
`X.scale` (one scale per output row) and is turned back into float32 when loaded, except the
word-embedding table, whose few looked-up rows are scaled per sentence.

Six layers, 384 wide, 12 heads, GELU, mean pooling over the real tokens, unit length. The
tokenizer's built-in padding to 128 is turned off; batches are padded here and masked, so a
sentence gets the same vector alone or in a batch.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from smart_interview.answers.errors import EmbeddingModelError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_FILES = ("model.int8.safetensors", "model.safetensors")
"""Weights the encoder reads, in order of preference."""
TOKENIZER_FILE = "tokenizer.json"
MAX_TOKENS = 256
_HEADS = 12
_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I8": np.int8, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a numpy array."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EmbeddingModelError(f"cannot read the model weights {path}: {exc}") from exc
    return parse_safetensors(data, origin=str(path))


def parse_safetensors(data: bytes, *, origin: str = "the model") -> dict[str, np.ndarray]:
    try:
        (length,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + length])
        body = memoryview(data)[8 + length:]
        tensors: dict[str, np.ndarray] = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            dtype = _DTYPES.get(info["dtype"])
            if dtype is None:
                raise EmbeddingModelError(f"{origin}: tensor {name} has unsupported type "
                                          f"{info['dtype']}")
            start, end = info["data_offsets"]
            array = np.frombuffer(body[start:end], dtype=np.dtype(dtype).newbyteorder("<"))
            tensors[name] = array.reshape(info["shape"]).copy()
    except (ValueError, KeyError, TypeError, struct.error) as exc:
        raise EmbeddingModelError(f"{origin} is not a readable safetensors file: {exc}") from exc
    return tensors


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query, key and value side by side
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1: tuple[np.ndarray, np.ndarray]
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2: tuple[np.ndarray, np.ndarray]


class SentenceEncoder:
    """`encode(texts)` → unit vectors (n, 384), float32. Thread-safe: no state changes."""

    def __init__(self, tensors: dict[str, np.ndarray], tokenizer: Tokenizer, *,
                 workers: int = 1) -> None:
        """`workers` batches run at once, each on its own thread (numpy lets go of the GIL
        in its matrix products); the caller keeps the BLAS library itself to one thread."""
        def get(name: str) -> np.ndarray:
            if name not in tensors:
                raise EmbeddingModelError(f"the model weights lack the tensor {name}")
            value = tensors[name]
            scale = tensors.get(f"{name}.scale")
            if value.dtype == np.int8 and scale is not None:
                return value.astype(np.float32) * scale.astype(np.float32).reshape(-1, 1)
            return value.astype(np.float32)

        words = "embeddings.word_embeddings.weight"
        if words not in tensors:
            raise EmbeddingModelError(f"the model weights lack the tensor {words}")
        self._words = tensors[words]  # int8 rows stay int8: only a few are looked up
        self._word_scale = tensors.get(f"{words}.scale")
        self._positions = get("embeddings.position_embeddings.weight")
        self._token_type = get("embeddings.token_type_embeddings.weight")[0]
        self._ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self._layers = [self._layer(get, f"encoder.layer.{i}") for i in range(_count(tensors))]
        self._tokenizer = tokenizer
        self._workers = max(1, workers)
        self.dimension = int(self._positions.shape[1])

    @staticmethod
    def _layer(get: Callable[[str], np.ndarray], prefix: str) -> _Layer:
        def g(name: str) -> np.ndarray:
            return get(f"{prefix}.{name}")

        attention = [f"attention.self.{part}" for part in ("query", "key", "value")]
        return _Layer(
            qkv_w=np.ascontiguousarray(np.concatenate([g(f"{a}.weight") for a in attention]).T),
            qkv_b=np.concatenate([g(f"{a}.bias") for a in attention]),
            out_w=np.ascontiguousarray(g("attention.output.dense.weight").T),
            out_b=g("attention.output.dense.bias"),
            ln1=(g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias")),
            up_w=np.ascontiguousarray(g("intermediate.dense.weight").T),
            up_b=g("intermediate.dense.bias"),
            down_w=np.ascontiguousarray(g("output.dense.weight").T),
            down_b=g("output.dense.bias"),
            ln2=(g("output.LayerNorm.weight"), g("output.LayerNorm.bias")))

    @classmethod
    def load(cls, model_dir: Path, *, workers: int = 1) -> SentenceEncoder:
        """From a folder with `tokenizer.json` and one of `MODEL_FILES`."""
        from tokenizers import Tokenizer

        weights = next((model_dir / n for n in MODEL_FILES if (model_dir / n).is_file()), None)
        if weights is None or not (model_dir / TOKENIZER_FILE).is_file():
            raise EmbeddingModelError(
                f"{model_dir} holds no sentence-embedding model (it needs {TOKENIZER_FILE} "
                f"and {' or '.join(MODEL_FILES)})")
        try:
            tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise EmbeddingModelError(f"cannot read {model_dir / TOKENIZER_FILE}: {exc}") from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        return cls(read_safetensors(weights), tokenizer, workers=workers)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [list(e.ids) for e in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings of `texts`, batched by length."""
        ids = self.token_ids(texts)
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        batches = _batches(ids, max(8, sum(map(len, ids)) // (2 * self._workers) + 1))
        if self._workers == 1 or len(batches) == 1:
            for batch in batches:
                out[batch] = self._forward([ids[i] for i in batch])
            return out
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self._workers, thread_name_prefix="embed") as pool:
            done = pool.map(lambda b: self._forward([ids[i] for i in b]), batches)
            for batch, vectors in zip(batches, done, strict=True):
                out[batch] = vectors
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(t) for t in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1.0
        x = self._embed(ids) + self._positions[:width] + self._token_type
        x = _layer_norm(x, *self._ln)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in self._layers:
            x = _block(x, layer, bias)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def _embed(self, ids: np.ndarray) -> np.ndarray:
        rows = self._words[ids]
        if self._word_scale is None:
            return rows.astype(np.float32)
        return rows.astype(np.float32) * self._word_scale[ids][..., None]


def _batches(ids: list[list[int]], budget: int) -> list[list[int]]:
    """Indexes of `ids` in groups of similar length, each under `budget` padded tokens."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    batches: list[list[int]] = [[]]
    for index in order:
        if batches[-1] and (len(batches[-1]) + 1) * len(ids[index]) > budget:
            batches.append([])
        batches[-1].append(index)
    return [b for b in batches if b]


def _count(tensors: dict[str, np.ndarray]) -> int:
    found = {int(name.split(".")[2]) for name in tensors if name.startswith("encoder.layer.")}
    if not found:
        raise EmbeddingModelError("the model weights hold no encoder layers")
    return max(found) + 1


def _block(x: np.ndarray, layer: _Layer, bias: np.ndarray) -> np.ndarray:
    n, width, size = x.shape
    head = size // _HEADS
    qkv = x @ layer.qkv_w + layer.qkv_b
    q, k, v = (qkv[..., i * size:(i + 1) * size].reshape(n, width, _HEADS, head)
               .transpose(0, 2, 1, 3) for i in range(3))
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + bias
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    context = (weights @ v).transpose(0, 2, 1, 3).reshape(n, width, size)
    x = _layer_norm(x + context @ layer.out_w + layer.out_b, *layer.ln1)
    hidden = _gelu(x @ layer.up_w + layer.up_b)
    return _layer_norm(x + hidden @ layer.down_w + layer.down_b, *layer.ln2)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its tanh form: eight times faster than an erf in numpy (which has none), and
    within 5e-4 of the exact one, which moves no ranking."""
    inner = np.float32(0.7978845608) * (x + np.float32(0.044715) * x * x * x)
    return np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner))
