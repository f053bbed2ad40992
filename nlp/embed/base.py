"""The embedder interface: `embed(texts) -> (n, dim) float32, L2-normalized`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Protocol, runtime_checkable

import numpy as np

from nlp.parallel import available_cores, map_parts


@runtime_checkable
class Embedder(Protocol):
    name: str
    # False when a vector depends on the corpus it was fitted on (TF-IDF): such vectors are not cached.
    cacheable: bool

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def batched(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


# A worker pool's start (spawn, import, weights: ~2 s, once per process) pays off from this many texts.
MIN_PARALLEL_TEXTS = 1000
_WORKER_EMBEDDERS: dict[tuple, LazyModelEmbedder] = {}  # in a pool worker: one loaded model per setting


def _embed_rows(embedder: LazyModelEmbedder, texts: list[str]) -> list[np.ndarray]:
    """In a pool worker: the vectors of `texts`, by the worker's one loaded model of these settings."""
    key = (type(embedder), embedder.threads, embedder.batch_size)
    return list(_WORKER_EMBEDDERS.setdefault(key, embedder).embed(texts))


class LazyModelEmbedder:
    """Base of the native backends: weights load on first use, and pickling ships settings only (the
    weights sit behind ctypes and do not pickle, ARCHITECTURE.md).

    Parallelism follows the cores: with `threads` unset, a large call is split over one single-thread
    worker process per core (two USE processes with one thread embed ~1,050-1,180 texts/s on 2 cores where
    one process with two threads embeds ~860-900: its small matrix products do not keep two threads busy;
    bench/README.md). A caller that sets `threads` (a Dask worker: its own process per core, and daemonic
    processes may not start children) gets that many threads in its own process."""

    name = ""
    cacheable = True
    dim = 0
    default_batch_size = 256

    def __init__(self, threads: int | None = None, batch_size: int | None = None, processes: int | None = None) -> None:
        self._configure(threads, batch_size, processes)

    def _configure(self, threads: int | None, batch_size: int | None, processes: int | None) -> None:
        self.processes = max(1, processes if processes is not None else (1 if threads else available_cores()))
        self.threads = threads or max(1, available_cores() // self.processes)
        self.batch_size = batch_size or self.default_batch_size
        self._model = None

    def _create(self):
        raise NotImplementedError

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.processes > 1 and len(texts) >= MIN_PARALLEL_TEXTS:
            return self._embed_in_processes(list(texts))
        if self._model is None:
            self._model = self._create()
        return l2_normalize(np.vstack([self._encode(self._model, list(b)) for b in batched(texts, self.batch_size)]))

    def _embed_in_processes(self, texts: list[str]) -> np.ndarray:
        worker = type(self)(threads=self.threads, batch_size=self.batch_size)  # settings only, one process each
        rows = map_parts(partial(_embed_rows, worker), texts, self.processes, MIN_PARALLEL_TEXTS)
        return np.vstack(rows).astype(np.float32, copy=False)

    def __getstate__(self) -> dict:
        return {"threads": self.threads, "batch_size": self.batch_size}

    def __setstate__(self, state: dict) -> None:
        self._configure(state["threads"], state["batch_size"], None)
