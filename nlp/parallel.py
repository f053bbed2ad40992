"""Pure, CPU-bound steps over every core: redacting, typing and tokenizing a batch of texts, and embedding
(nlp/embed/base.py). Python runs them on one core; a 2-core machine idled half of the 100k bench's
ingest, typing and tokenizing (bench/README.md, session 14).

One pool of worker processes per process, started on first use (spawn, not fork: the parent runs BLAS,
Prefect and database threads that a fork would copy mid-use; ~0.3 s, then each worker loads fugashi or a
model on its first task) and kept. A small batch, a 1-core machine and a daemonic process (a Dask worker
may not start children) run the step in the process itself.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# below this many items the workers' start and the pickling cost more than the second core gives
MIN_PARALLEL_ITEMS = 2_000
_POOLS: dict[int, ProcessPoolExecutor] = {}  # one pool per size, shared by every step of the process


def available_cores() -> int:
    """Cores this process may use. Native backends default to 4 threads and oversubscribe 2 cores
    (ARCHITECTURE.md: USE ran 75 docs/s with 4 threads vs 1,750 with 2)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def shared_pool(processes: int) -> ProcessPoolExecutor:
    """The process's pool of `processes` workers, started on first use and kept: a weekly run embeds,
    types and tokenizes in several steps, and each paid ~2 s for its own pool (bench/README.md)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    if processes not in _POOLS:
        if not _POOLS:
            atexit.register(_shutdown_pools)  # before interpreter teardown, which a live pool complains about
        _POOLS[processes] = ProcessPoolExecutor(processes, mp_context=get_context("spawn"))
    return _POOLS[processes]


def _drop_pool(processes: int) -> None:
    """Forget a pool whose worker died (killed, out of memory): the next call starts a new one."""
    _POOLS.pop(processes, None)


def _shutdown_pools() -> None:
    while _POOLS:
        _POOLS.popitem()[1].shutdown(wait=True, cancel_futures=True)


def may_start_workers() -> bool:
    from multiprocessing import current_process

    return available_cores() > 1 and not current_process().daemon


def map_parts(
    fn: Callable[[list[T]], list[R]],
    items: Sequence[T],
    processes: int | None = None,
    min_items: int | None = None,
) -> list[R]:
    """`fn(items)` (one result per item, in order), computed by `processes` workers (one per core unless
    told) in interleaved parts when the items are at least `min_items` (MIN_PARALLEL_ITEMS unless told).
    `fn` must be a module-level function (or a partial of one): it is pickled."""
    from concurrent.futures.process import BrokenProcessPool

    processes = processes or available_cores()
    least = MIN_PARALLEL_ITEMS if min_items is None else min_items
    if processes < 2 or len(items) < least or not may_start_workers():
        return fn(list(items))
    parts = [list(items[i::processes]) for i in range(processes)]
    try:
        results = list(shared_pool(processes).map(fn, parts))
    except BrokenProcessPool:  # a worker died: a new pool, once
        _drop_pool(processes)
        results = list(shared_pool(processes).map(fn, parts))
    out: list[R] = [None] * len(items)  # type: ignore[list-item]  # every slot is filled below
    for i, part in enumerate(results):
        out[i::processes] = part
    return out
