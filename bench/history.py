"""A large stored history for the incremental measurement (issue #6: 1M documents), built once and reused.

Built the way koe would have built it: the documents arrive as CSV exports (streamed, 5,000-row chunks),
every past week's weekly run tokenized and embedded that week's complaints (the caches), and the last
weekly run fitted the complaint topics of its 12-week window and saved them. With an FAQ, the weekly runs
also tokenized and embedded the questions and requests, and the last one fitted and kept the FAQ-gap
topics. The store, the saved topics and what the build cost are kept under the cache folder, keyed by what
they depend on; a bench run works on a copy, so the cached history stays as built.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench.corpus import Pools, documents, write_exports
from bench.stages import Fitted, Stages, complaints_of, fit_step, of_types, peak_rss_mb
from flows import analysis
from flows.faq import import_faq
from flows.faq_gaps import MESSAGES
from flows.ingest import ingest_file
from flows.steps import COMPLAINTS
from nlp import columns as C
from nlp.assign import SavedTopics
from nlp.embed import get_embedder
from nlp.pii import make_redactor
from nlp.tokenize import TOKENIZER_VERSION
from store.db import make_engine, sqlite_url

HISTORY_WEEKS = 50  # a year of a shop with ~20,000 documents a week at 1M
WINDOW_WEEKS = 12  # the weekly flow's window: the reported week and history_weeks (11) before it
DEFAULT_CACHE = Path.home() / ".cache" / "koe" / "bench"


@dataclass(frozen=True)
class History:
    db: Path
    fitted: Fitted
    faq_fitted: Fitted | None
    build: dict  # what building it cost, measured when it was built


def ingest_exports(engine, exports: dict[str, Path]) -> None:
    redactor = make_redactor()
    for kind, path in exports.items():
        ingest_file(engine, path, source=f"bench-{kind}", kind=kind, redactor=redactor)


def _key(n_docs: int, seed: int, embedder_name: str, faq: Path | None) -> str:
    with_faq = f"-faq-{faq.stem}" if faq else ""
    return f"history-{n_docs}-{HISTORY_WEEKS}w-seed{seed}-{embedder_name}-tok{TOKENIZER_VERSION}{with_faq}"


def cached_history(n_docs: int, seed: int, embedder_name: str, end: date, pools: Pools, cache: Path,
                   faq: Path | None = None) -> History:  # fmt: skip
    """The history of `n_docs` documents over the HISTORY_WEEKS weeks before `end` (with the FAQ `faq`
    imported), from the cache when it was built before with the same parameters."""
    folder = cache / _key(n_docs, seed, embedder_name, faq) / end.isoformat()
    if not (folder / "build.json").is_file() or not (folder / "complaints").is_dir():  # (before: one model, at the top)
        shutil.rmtree(folder, ignore_errors=True)
        _build(folder, n_docs, seed, embedder_name, end, pools, faq)
    return _load(folder)


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
    types = MESSAGES.types if faq else COMPLAINTS.types
    with stages.time("history_ingest", n_docs):
        ingest_exports(engine, exports)
    shutil.rmtree(folder / "exports")
    embedder = get_embedder(embedder_name)
    for week in range(HISTORY_WEEKS):  # the past weekly runs, one week in memory at a time
        day = start + timedelta(weeks=week)
        modelled = of_types(analysis.load_window(engine, day, day + timedelta(weeks=1)), types)
        with stages.time("history_tokenize", len(modelled)):
            analysis.tokens_for(engine, modelled)
        with stages.time("history_embed", len(modelled)):
            analysis.embeddings_for(engine, modelled, embedder)
    window = analysis.load_window(engine, end - timedelta(weeks=WINDOW_WEEKS), end)
    _save(folder / "complaints", fit_step(engine, complaints_of(window), stages, "history_fit_", embedder_name,
                                          seed).fitted)  # fmt: skip
    if faq:
        messages = of_types(window, MESSAGES.types)
        _save(folder / "faq", fit_step(engine, messages, stages, "history_faq_fit_", embedder_name, seed).fitted)
    build = {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak_rss_mb())}
    (folder / "build.json").write_text(json.dumps({**build, "stages": stages.seconds}, ensure_ascii=False))


def _save(folder: Path, fitted: Fitted) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fitted.saved.save(folder / "model")
    ids = np.asarray(list(fitted.topic_of))  # the store's integer document ids: their dtype must survive
    np.savez(folder / "assignments.npz", ids=ids, topics=np.array(list(fitted.topic_of.values()), dtype=np.int64))
    fitted.topics.to_json(folder / "topics.json", orient="split", force_ascii=False)


def _load(folder: Path) -> History:
    faq = _load_fitted(folder / "faq") if (folder / "faq").is_dir() else None
    build = json.loads((folder / "build.json").read_text())
    return History(folder / "koe.db", _load_fitted(folder / "complaints"), faq, build)


def _load_fitted(folder: Path) -> Fitted:
    saved = SavedTopics.load(folder / "model")
    if saved is None:
        raise FileNotFoundError(f"{folder / 'model'}: saved topics missing; delete {folder} to rebuild")
    with np.load(folder / "assignments.npz") as data:
        topic_of = dict(zip(data["ids"].tolist(), data["topics"].tolist(), strict=True))
    topics = pd.read_json(folder / "topics.json", orient="split")
    topics[C.TOPIC_ID] = topics[C.TOPIC_ID].astype(int)
    return Fitted(topic_of, topics, saved)
