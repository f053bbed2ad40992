"""The embedder interface: `embed(texts) -> (n, dim) float32, L2-normalized`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str
    # False when a vector depends on the corpus it was fitted on (TF-IDF): such vectors are not cached.
    cacheable: bool

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def available_cores() -> int:
    """Cores this process may use. Native backends default to 4 threads and oversubscribe 2 cores
    (NOTES.md: USE ran 75 docs/s with 4 threads vs 1,750 with 2)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def batched(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


class LazyModelEmbedder:
    """Base of the native backends: weights load on first use, threads follow the cores, and pickling
    ships settings only (the weights sit behind ctypes and do not pickle, NOTES.md)."""

    name = ""
    cacheable = True
    dim = 0
    default_batch_size = 256

    def __init__(self, threads: int | None = None, batch_size: int | None = None) -> None:
        self.threads = threads or available_cores()
        self.batch_size = batch_size or self.default_batch_size
        self._model = None

    def _create(self):
        raise NotImplementedError

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            self._model = self._create()
        return l2_normalize(np.vstack([self._encode(self._model, list(b)) for b in batched(texts, self.batch_size)]))

    def __getstate__(self) -> dict:
        return {"threads": self.threads, "batch_size": self.batch_size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)
