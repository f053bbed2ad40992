"""The embedder interface: `embed(texts) -> (n, dim) float32, L2-normalized`."""

from __future__ import annotations

import atexit
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@runtime_checkable
class Embedder(Protocol):
    name: str
    # False when a vector depends on the corpus it was fitted on (TF-IDF): such vectors are not cached.
    cacheable: bool

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def available_cores() -> int:
    """Cores this process may use. Native backends default to 4 threads and oversubscribe 2 cores
    (ARCHITECTURE.md: USE ran 75 docs/s with 4 threads vs 1,750 with 2)."""
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


# A worker pool's start (spawn, import, weights: ~2 s, once per process) pays off from this many texts.
MIN_PARALLEL_TEXTS = 1000
_WORKER_EMBEDDERS: dict[tuple, LazyModelEmbedder] = {}  # in a pool worker: one loaded model per setting
_POOLS: dict[int, ProcessPoolExecutor] = {}  # in the parent: one pool per size, shared by every embedder of the process


def _shared_pool(processes: int):
    """The process's pool of `processes` workers, started on first use and kept: a weekly run creates an
    embedder per step, and each paid ~2 s for its own pool (bench/README.md)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    if processes not in _POOLS:
        if not _POOLS:
            atexit.register(_shutdown_pools)  # before interpreter teardown, which a live pool complains about
        # spawn, not fork: the parent runs BLAS, Prefect and database threads that a fork would copy mid-use
        _POOLS[processes] = ProcessPoolExecutor(processes, mp_context=get_context("spawn"))
    return _POOLS[processes]


def _shutdown_pools() -> None:
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True, cancel_futures=True)


def _embed_in_worker(embedder: LazyModelEmbedder, texts: list[str]) -> np.ndarray:
    key = (type(embedder), embedder.threads, embedder.batch_size)
    return _WORKER_EMBEDDERS.setdefault(key, embedder).embed(texts)


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
        from concurrent.futures.process import BrokenProcessPool

        worker = type(self)(threads=self.threads, batch_size=self.batch_size)  # settings only, one process each
        parts = [texts[i :: self.processes] for i in range(self.processes)]
        try:
            vectors = list(_shared_pool(self.processes).map(_embed_in_worker, [worker] * len(parts), parts))
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, once
            _POOLS.pop(self.processes, None)
            vectors = list(_shared_pool(self.processes).map(_embed_in_worker, [worker] * len(parts), parts))
        out = np.empty((len(texts), vectors[0].shape[1]), dtype=np.float32)
        for i, part in enumerate(vectors):
            out[i :: self.processes] = part
        return out

    def __getstate__(self) -> dict:
        return {"threads": self.threads, "batch_size": self.batch_size}

    def __setstate__(self, state: dict) -> None:
        self._configure(state["threads"], state["batch_size"], None)
