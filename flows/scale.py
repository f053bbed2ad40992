"""Scale-out: tokenize and embed a window's uncached texts (those the weekly run models) on a Dask cluster,
writing the caches straight into the shared store, so the weekly flow that follows finds them cached.

Prefect's DaskTaskRunner submits one task per chunk of texts; each worker process keeps its own engine
(engines do not pickle, and workers are other processes or machines) and embedder, and each task stores
what it computed, so a lost worker costs only its chunk. The store must be one every worker reaches and
that takes concurrent writers: PostgreSQL (`KOE_DATABASE_URL=postgresql+psycopg://...`); SQLite locks
under several writer processes. `KOE_DASK_ADDRESS=tcp://scheduler:8786` names a running cluster; without
it a LocalCluster of worker processes on 127.0.0.1 is started for the run.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from prefect import flow, get_run_logger
from prefect_dask import DaskTaskRunner
from sqlalchemy import Engine

from flows.settings import Settings
from flows.tasks import koe_task
from nlp.embed import Embedder, get_embedder
from pipeline.calendar import Span, week_window
from pipeline.prepare import Chunk, cache_texts, uncached
from store.db import make_engine

CHUNK_TEXTS = 2000  # texts per task: a few seconds of work, a small loss when a worker dies


@lru_cache(maxsize=4)
def _worker_embedder(name: str, threads: int) -> Embedder:
    """One embedder per worker process, not per chunk: loading USE costs ~1 s, a chunk ~3 s of work."""
    return get_embedder(name, threads=threads)


@lru_cache(maxsize=4)
def _worker_engine(database_url: str) -> Engine:
    """One engine (connection pool) per worker process: engines do not pickle, but a worker keeps its own."""
    return make_engine(database_url)


@koe_task(retries=2, retry_delay_seconds=5)
def cache_chunk(database_url: str, chunk: Chunk, embedder: str, threads: int) -> int:
    return cache_texts(_worker_engine(database_url), chunk, _worker_embedder(embedder, threads))


@flow(name="prepare-window")
def prepare_window(start: date, end: date, threads: int = 1) -> int:
    """Cache tokens and embeddings of the texts created from `start` to `end` (exclusive); returns how many
    texts were computed. `threads` per task: a worker process per core wants 1 (ARCHITECTURE.md: oversubscribed
    native threads ran 20x slower)."""
    settings = Settings()
    todo = uncached(make_engine(settings.database_url), Span(start, end), settings.embedder)
    get_run_logger().info("%d texts to tokenize and embed in chunks of %d", len(todo), CHUNK_TEXTS)
    futures = [
        cache_chunk.submit(settings.database_url, todo[i : i + CHUNK_TEXTS], settings.embedder, threads)
        for i in range(0, len(todo), CHUNK_TEXTS)
    ]
    return sum(f.result() for f in futures)


def task_runner(address: str | None, workers: int = 2) -> DaskTaskRunner:
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1"},
    )


def run_prepare(settings: Settings, week: date, workers: int = 2) -> int:
    """The weekly window ending with the week starting `week`, on `settings.dask_address` or a local cluster."""
    span = week_window(week, settings.history_weeks)
    runner = task_runner(settings.dask_address, workers)
    return prepare_window.with_options(task_runner=runner)(span.start, span.end)
