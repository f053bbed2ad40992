"""`koe bench pipeline --docs 100000`: the weekly path end to end in one process, timed per stage.

Ingest (CSV export -> normalize, redact, type -> SQLite), tokenize (fugashi, cached), embed (default
embedder, cached), topics of the window's complaints, weekly spikes, HTML report: the library functions
the weekly flow's tasks wrap, without Prefect's orchestration (a flow run adds its API start, measured
in NOTES.md). Cold-start costs (embedding model load, numba compilation of UMAP and pynndescent) are paid
first and reported apart as `cold_extra_seconds`; the stages then run warm. Bare fugashi runs over the
same distinct texts in the same process for `tokenize_vs_fugashi`. Then a 13th week of new documents
runs twice: incrementally on top of the stored history (the weekly flow's second run: caches, saved
topics, drift test) and alone in an empty store (`incremental_seconds`, `new_docs_alone_seconds`).
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench.corpus import documents, load_pools, write_exports
from flows import analysis
from flows.ingest import ingest_file
from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.assign import SavedTopics, assign, drift, from_fit
from nlp.embed import get_embedder
from nlp.pii import make_redactor
from nlp.topics import TopicConfig, fit_topics
from reports import weekly as report
from store.db import make_engine, sqlite_url

WEEKS = 12
END = date(2026, 11, 16)  # a Monday: the corpus covers the 12 complete weeks before it


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.items: dict[str, int] = {}

    @contextmanager
    def time(self, name: str, items: int = 0) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 2)
        self.items[name] = items
        rate = f"{items / max(self.seconds[name], 1e-9):,.0f} docs/s" if items else ""
        print(f"{name:<10} {self.seconds[name]:>8.2f} s  {rate:>16}  peak RSS {peak_rss_mb():,.0f} MB", flush=True)


def warm_up(embedder_name: str) -> dict[str, float]:
    """What a cold process pays once: the embedding model's load and numba's compilation of UMAP and
    pynndescent (UMAP switches to pynndescent above 4,096 rows, so the warm-up fit is that big)."""
    start = time.perf_counter()
    embedder = get_embedder(embedder_name)
    if embedder.cacheable:  # a pretrained model to load; tfidf is fitted on what it embeds, nothing to load
        embedder.embed(["ウォームアップ"])
    model = time.perf_counter() - start
    start = time.perf_counter()
    from umap import UMAP

    UMAP(n_neighbors=15, n_components=5, metric="cosine", random_state=0).fit(
        np.random.default_rng(0).random((4200, 32), dtype=np.float32)
    )
    return {"model_load": round(model, 2), "numba_compile": round(time.perf_counter() - start, 2)}


def bare_fugashi_seconds(texts: list[str]) -> float:
    """fugashi alone over `texts`: every word's surface and part of speech read, nothing kept."""
    import fugashi

    tagger = fugashi.Tagger()
    start = time.perf_counter()
    for text in texts:
        for word in tagger(text):
            _ = (word.surface, word.feature.pos1)
    return time.perf_counter() - start


@dataclass
class Window:
    """What the weekly path has after the topic stage: complaints with their topics, and the saved topics."""

    docs: pd.DataFrame
    complaints: pd.DataFrame
    topic: pd.Series
    centrality: pd.Series
    topics: pd.DataFrame
    saved: SavedTopics


def ingest(engine, exports: dict[str, Path], stages: Stages, name: str, n_docs: int) -> None:
    redactor = make_redactor()
    with stages.time(name, n_docs):
        for kind, path in exports.items():
            ingest_file(engine, path, source=f"bench-{kind}", kind=kind, redactor=redactor)


def fit_step(engine, complaints: pd.DataFrame, embedder_name: str, seed: int) -> tuple:
    """The weekly flow's first run: cached tokens and embeddings of the window's complaints, then the fit."""
    tokens = analysis.tokens_for(engine, complaints)
    embeddings = analysis.embeddings_for(engine, complaints, get_embedder(embedder_name))
    result = fit_topics(complaints[C.TEXT].tolist(), tokens, embeddings, None, TopicConfig(seed=seed))
    return result.assignments, result.centrality, result.topics, from_fit(result, embeddings)


def assign_step(engine, complaints: pd.DataFrame, embedder_name: str, previous: Window) -> tuple:
    """A later weekly run (flows.steps.assign_with_last_run): complaints seen before keep their topics, the
    new ones are embedded and assigned with the saved topics, after the drift test."""
    known = dict(zip(previous.complaints[C.ID], previous.topic, strict=True))
    is_new = ~complaints[C.ID].isin(known).to_numpy()
    embeddings = analysis.embeddings_for(engine, complaints[is_new], get_embedder(embedder_name))
    fresh, closeness = assign(previous.saved, embeddings)
    reason = drift(previous.saved, embeddings, fresh, TopicConfig().min_cluster_size)
    print(f"drift: {reason or 'none'} ({int(is_new.sum()):,} new complaints)", flush=True)
    if reason:  # the weekly flow refits then, and so does the bench
        return fit_step(engine, complaints, embedder_name, TopicConfig().seed)
    topic = np.array(complaints[C.ID].map(known), dtype=float)  # a copy: pandas 3 hands out read-only views
    topic[is_new] = fresh
    centrality = np.zeros(len(complaints), dtype=np.float32)
    centrality[is_new] = closeness
    return topic.astype(int), centrality, previous.topics, previous.saved


def analyse(engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int,
            previous: Window | None = None) -> Window:  # fmt: skip
    """tokenize, embed, topics (fit, or assign with `previous`), spikes, report for one window."""
    with stages.time(f"{prefix}tokenize", len(docs)):
        analysis.tokens_for(engine, docs)
    with stages.time(f"{prefix}embed", len(docs)):
        analysis.embeddings_for(engine, docs, get_embedder(embedder_name))
    complaints = docs[docs[C.DOC_TYPE] == "complaint"].reset_index(drop=True)
    with stages.time(f"{prefix}topics", len(complaints)):
        if previous is None:
            assigned, closeness, topics, saved = fit_step(engine, complaints, embedder_name, seed)
        else:
            assigned, closeness, topics, saved = assign_step(engine, complaints, embedder_name, previous)
    week = analysis.week_start(docs[C.CREATED_AT].max().date())
    topic = W.aligned(assigned, complaints.index, np.arange(len(complaints)))
    centrality = W.aligned(closeness, complaints.index, np.arange(len(complaints)))
    with stages.time(f"{prefix}spikes", len(complaints)):
        has_topic = topic >= 0
        days = complaints[C.CREATED_AT].dt.date
        counts, totals = S.daily_counts(days[has_topic], topic[has_topic].astype(int), docs[C.CREATED_AT].dt.date)
        try:
            S.weekly_spikes(counts, totals, week)
        except S.SpikeInputError as exc:  # a week without history: the weekly flow notes it and goes on
            print(f"spikes: not tested ({exc})", flush=True)
    with stages.time(f"{prefix}report", len(docs)):
        summary = W.summarize_week(complaints, topic, centrality, topics, week)
        report.write_html(report.build_context(summary), Path(tempfile.mkdtemp()) / "report.html")
    return Window(docs, complaints, topic, centrality, topics, saved)


def total(stages: Stages, prefix: str) -> float:
    return round(sum(v for k, v in stages.seconds.items() if k.startswith(prefix) and k != "corpus"), 2)


def run(n_docs: int, seed: int = 0, embedder_name: str = "use", new_docs: int = 20000) -> dict:
    """The pipeline over `n_docs` in 12 weeks; then a 13th week of `new_docs` analysed incrementally on top
    of that history, and the same new week alone in an empty store (fit, no history)."""
    work = Path(tempfile.mkdtemp(prefix="koe-bench-"))
    cold = warm_up(embedder_name)
    print(f"cold start (paid once, not in the totals): {cold}", flush=True)
    stages, pools = Stages(), load_pools()
    with stages.time("corpus", n_docs):
        exports = write_exports(documents(n_docs, END - timedelta(weeks=WEEKS), WEEKS, seed, pools), work / "history")
        week13 = write_exports(documents(new_docs, END, 1, seed + 1, pools, prefix="n"), work / "week13")
    engine = make_engine(sqlite_url(work / "koe.db"))
    ingest(engine, exports, stages, "ingest", n_docs)
    with stages.time("load", n_docs):
        docs = analysis.load_window(engine, END - timedelta(weeks=WEEKS), END)
    history = analyse(engine, docs, stages, "", embedder_name, seed)
    distinct = list(dict.fromkeys(docs[C.TEXT]))
    bare = bare_fugashi_seconds(distinct)
    print(f"bare fugashi over the same {len(distinct):,} distinct texts: {bare:.2f} s", flush=True)

    # week 13 on top of the history: the window slides by one week, only the new week is new
    ingest(engine, week13, stages, "incremental_ingest", new_docs)
    with stages.time("incremental_load", new_docs):
        window = analysis.load_window(engine, END - timedelta(weeks=WEEKS - 1), END + timedelta(weeks=1))
    analyse(engine, window, stages, "incremental_", embedder_name, seed, previous=history)
    # the same new week alone: an empty store, a fit
    alone_engine = make_engine(sqlite_url(work / "alone.db"))
    ingest(alone_engine, week13, stages, "alone_ingest", new_docs)
    with stages.time("alone_load", new_docs):
        alone_docs = analysis.load_window(alone_engine, END, END + timedelta(weeks=1))
    analyse(alone_engine, alone_docs, stages, "alone_", embedder_name, seed)

    main_stages = [s for s in stages.seconds if s != "corpus" and not s.startswith(("incremental_", "alone_"))]
    tokenize_rate = len(distinct) / max(stages.seconds["tokenize"], 1e-9)
    return {
        "total_seconds": round(sum(stages.seconds[s] for s in main_stages), 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "stages": {s: stages.seconds[s] for s in main_stages},
        "docs_per_second": {s: round(stages.items[s] / max(stages.seconds[s], 1e-9)) for s in main_stages},
        "tokenize_vs_fugashi": round(tokenize_rate / (len(distinct) / max(bare, 1e-9)), 3),
        "incremental_seconds": total(stages, "incremental_"),
        "new_docs_alone_seconds": total(stages, "alone_"),
        "incremental_stages": {s: v for s, v in stages.seconds.items() if s.startswith("incremental_")},
        "alone_stages": {s: v for s, v in stages.seconds.items() if s.startswith("alone_")},
        "cold_extra_seconds": round(sum(cold.values()), 2),
        "cold": cold,
        "n_docs": n_docs,
        "new_docs": new_docs,
        "n_distinct_texts": len(distinct),
        "n_complaints": len(history.complaints),
        "n_topics": len(history.topics),
        "embedder": embedder_name,
        "workdir": str(work),
    }


def main(n_docs: int, seed: int = 0, embedder_name: str = "use", new_docs: int = 20000) -> int:
    print(json.dumps(run(n_docs, seed, embedder_name, new_docs), ensure_ascii=False))
    return 0
