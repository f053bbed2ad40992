"""A large stored history for the incremental measurement (issue #6: 1M documents), built once and reused.

Built the way koe would have built it: the documents arrive as CSV exports (streamed, 5,000-row chunks),
every past week's weekly run tokenized and embedded that week's complaints (the caches), and the last
weekly run (pipeline.weekly.analyse_week, as the flow runs it) fitted the complaint topics of its 12-week
window and stored them as its run. With an FAQ, the weekly runs also tokenized and embedded the questions
and requests, and the last one fitted and kept the FAQ-gap topics. The store, the runs' saved topics and
what the build cost are kept under the cache folder, keyed by what they depend on; a bench run works on a
copy of the store, so the cached history stays as built.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.corpus import Pools, documents, write_exports
from bench.stages import Stages, peak_rss_mb
from nlp.embed import get_embedder
from nlp.pii import make_redactor
from nlp.tokenize import TOKENIZER_VERSION
from pipeline import caches
from pipeline.calendar import WEEK, Span
from pipeline.config import Modelling, PipelineConfig
from pipeline.imports import import_faq
from pipeline.ingest import ingest_file
from pipeline.weekly import analyse_week
from store.db import make_engine, sqlite_url

HISTORY_WEEKS = 50  # a year of a shop with ~20,000 documents a week at 1M
WINDOW_WEEKS = 12  # the weekly flow's window: the reported week and history_weeks (11) before it
DEFAULT_CACHE = Path.home() / ".cache" / "koe" / "bench"
# 4: review stars agree with the text (bench/corpus.py); 3: every message is modelled (one fit, issue #13);
# 2: complaints only; 1 kept its topics beside the store
LAYOUT = 4


@dataclass(frozen=True)
class History:
    db: Path
    build: dict  # what building it cost, measured when it was built


def bench_config(embedder_name: str, seed: int, out: Path) -> PipelineConfig:
    """The default settings, as a shop that changed nothing runs them (no environment is read)."""
    return PipelineConfig(embedder=get_embedder(embedder_name), out_dir=out, modelling=Modelling(seed=seed))


def ingest_exports(engine, exports: dict[str, Path]) -> None:
    redactor = make_redactor()
    for kind, path in exports.items():
        ingest_file(engine, path, source=f"bench-{kind}", kind=kind, redactor=redactor)


def _key(n_docs: int, seed: int, embedder_name: str, faq: Path | None) -> str:
    with_faq = f"-faq-{faq.stem}" if faq else ""
    return f"history{LAYOUT}-{n_docs}-{HISTORY_WEEKS}w-seed{seed}-{embedder_name}-tok{TOKENIZER_VERSION}{with_faq}"


def cached_history(n_docs: int, seed: int, embedder_name: str, end: date, pools: Pools, cache: Path,
                   faq: Path | None = None) -> History:  # fmt: skip
    """The history of `n_docs` documents over the HISTORY_WEEKS weeks before `end` (with the FAQ `faq`
    imported), from the cache when it was built before with the same parameters."""
    folder = cache / _key(n_docs, seed, embedder_name, faq) / end.isoformat()
    if not (folder / "build.json").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        _build(folder, n_docs, seed, embedder_name, end, pools, faq)
    return History(folder / "koe.db", json.loads((folder / "build.json").read_text()))


def _build(folder: Path, n_docs: int, seed: int, embedder_name: str, end: date, pools: Pools,
           faq: Path | None) -> None:  # fmt: skip
    print(f"building the {n_docs:,}-document history once, in {folder}", flush=True)
    started, stages = time.perf_counter(), Stages()
    start = end - timedelta(weeks=HISTORY_WEEKS)
    with stages.time("history_corpus", n_docs):
        exports = write_exports(documents(n_docs, start, HISTORY_WEEKS, seed, pools, prefix="h"), folder / "exports")
    engine = make_engine(sqlite_url(folder / "koe.db"))
    if faq:
        import_faq(engine, faq)
    with stages.time("history_ingest", n_docs):
        ingest_exports(engine, exports)
    shutil.rmtree(folder / "exports")
    embedder = get_embedder(embedder_name)
    for week in range(HISTORY_WEEKS):  # the past weekly runs, one week in memory at a time
        day = start + week * WEEK
        window = caches.load_window(engine, Span(day, day + WEEK))
        with stages.time("history_tokenize", len(window)):
            caches.tokens_for(engine, window)
        with stages.time("history_embed", len(window)):
            caches.embeddings_for(engine, window, embedder)
    # the last weekly run: fits and stores the topics of every message
    analyse_week(
        engine, bench_config(embedder_name, seed, folder / "out"), end - WEEK, hooks=stages.hooks("history_last_")
    )
    build = {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak_rss_mb())}
    (folder / "build.json").write_text(json.dumps({**build, "stages": stages.seconds}, ensure_ascii=False))
