"""`koe bench prepare --docs 30000 --database-url postgresql+psycopg://…/empty`: the single-node speed-up of
the Dask path. The same week of bench documents (bench/corpus.py, real texts, CC BY 4.0) has its modelled
texts (every message: one topic model covers them all) tokenized and embedded in this process
into a SQLite store, as `koe weekly` does by default, and by `koe prepare` on a LocalCluster of worker
processes with one thread each into the given (empty) PostgreSQL database; then a second week of as many
documents by `koe prepare` again, on the same (now warm) workers. The cluster's start and Prefect's API
start are paid before the clock runs: a team's cluster and server are already up.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.corpus import documents, load_pools, write_exports
from bench.history import ingest_exports
from nlp import columns as C
from nlp.embed import DEFAULT as DEFAULT_EMBEDDER
from nlp.embed import get_embedder
from pipeline import caches
from pipeline.calendar import Span
from store import repo
from store.db import make_engine, session_scope, sqlite_url

WEEK = date(2026, 11, 9)  # a Monday; the warm-worker run takes the week after
FAQ_ENTRY = {"question": "送料はいくらですか？", "answer": "全国一律550円です。", "category": "送料・手数料"}


def _store(url: str, exports: dict[str, Path]):
    engine = make_engine(url)
    ingest_exports(engine, exports)
    with session_scope(engine) as session:
        repo.add_faq_version(session, "bench-faq", "bench", [FAQ_ENTRY])
    return engine


def in_process_seconds(engine, embedder_name: str) -> tuple[float, int]:
    docs = caches.load_window(engine, Span(WEEK, WEEK + timedelta(days=7)))
    start = time.perf_counter()
    caches.tokens_for(engine, docs)
    caches.embeddings_for(engine, docs, get_embedder(embedder_name))
    return time.perf_counter() - start, docs[C.TEXT_HASH].nunique()


def dask_seconds(database_url: str, workers: int, embedder_name: str) -> list[tuple[float, int]]:
    """(seconds, texts computed) of `koe prepare` for WEEK (fresh workers) and the week after (warm ones)."""
    from distributed import LocalCluster
    from prefect import flow

    # the one place bench imports flows: what is measured is the Dask flow itself (tests/test_architecture.py)
    from flows.scale import run_prepare
    from flows.settings import Settings

    @flow(name="bench-warm-up")
    def warm_up() -> None:  # starts Prefect's temporary API outside the timing
        return None

    warm_up()
    runs = []
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1") as cluster:
        os.environ.update(
            KOE_DATABASE_URL=database_url, KOE_DASK_ADDRESS=cluster.scheduler_address, KOE_EMBEDDER=embedder_name
        )
        for week in (WEEK, WEEK + timedelta(weeks=1)):
            start = time.perf_counter()
            computed = run_prepare(Settings(history_weeks=0), week, workers)
            runs.append((time.perf_counter() - start, computed))
    return runs


def run(n_docs: int, database_url: str, workers: int = 2, seed: int = 0, embedder_name: str = DEFAULT_EMBEDDER) -> dict:
    work = Path(tempfile.mkdtemp(prefix="koe-bench-prepare-"))
    pools = load_pools()
    exports = write_exports(documents(n_docs, WEEK, 1, seed, pools), work / "docs")
    local, texts = in_process_seconds(_store(sqlite_url(work / "koe.db"), exports), embedder_name)
    print(f"in process (SQLite, {embedder_name} with threads = cores): {texts:,} texts in {local:.1f} s", flush=True)
    _store(database_url, exports)
    later = write_exports(documents(n_docs, WEEK + timedelta(weeks=1), 1, seed + 1, pools, prefix="w"), work / "w2")
    ingest_exports(make_engine(database_url), later)
    (cold, cold_n), (warm, warm_n) = dask_seconds(database_url, workers, embedder_name)
    print(f"koe prepare, {workers} fresh worker processes x 1 thread: {cold_n:,} texts in {cold:.1f} s")
    print(f"koe prepare, the same workers warm, the next week: {warm_n:,} texts in {warm:.1f} s")
    rate = texts / local
    return {
        "in_process_seconds": round(local, 2),
        "in_process_texts_per_second": round(rate),
        "dask_cold_seconds": round(cold, 2),
        "dask_cold_texts_per_second": round(cold_n / cold),
        "dask_warm_seconds": round(warm, 2),
        "dask_warm_texts_per_second": round(warm_n / warm),
        "speed_up_warm": round(warm_n / warm / rate, 2),
        "texts": [texts, cold_n, warm_n],
        "workers": workers,
        "cores": os.cpu_count(),
        "n_docs": n_docs,
        "embedder": embedder_name,
    }


def main(n_docs: int, database_url: str, workers: int = 2, seed: int = 0, embedder_name: str = DEFAULT_EMBEDDER) -> int:
    if not database_url.startswith("postgresql"):
        raise SystemExit("koe bench prepare: --database-url must name an empty PostgreSQL database")
    print(json.dumps(run(n_docs, database_url, workers, seed, embedder_name)))
    return 0
