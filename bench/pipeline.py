"""`koe bench pipeline --docs 100000`: the weekly path end to end in one process, timed per stage.

Ingest (CSV export -> normalize, redact, type -> SQLite), tokenize (fugashi, cached), embed (default
embedder, cached), topics of the window's complaints, weekly spikes, HTML report: the library functions
the weekly flow's tasks wrap, without Prefect's orchestration (a flow run adds its API start, measured
in NOTES.md). Cold-start costs (embedding model load, numba compilation of UMAP and pynndescent) are paid
first and reported apart as `cold_extra_seconds`; the stages then run warm. Bare fugashi runs over the
same distinct texts in the same process for `tokenize_vs_fugashi`.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from bench.corpus import documents, load_pools, write_exports
from flows import analysis
from flows.ingest import ingest_file
from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
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


def run(n_docs: int, seed: int = 0, embedder_name: str = "use", workdir: Path | None = None) -> dict:
    work = Path(workdir or tempfile.mkdtemp(prefix="koe-bench-"))
    cold = warm_up(embedder_name)
    print(f"cold start (paid once, not in the total): {cold}", flush=True)
    stages = Stages()
    with stages.time("corpus", n_docs):
        exports = write_exports(documents(n_docs, END - timedelta(weeks=WEEKS), WEEKS, seed, load_pools()), work)
    engine = make_engine(sqlite_url(work / "koe.db"))
    redactor = make_redactor()
    with stages.time("ingest", n_docs):
        for kind, path in exports.items():
            ingest_file(engine, path, source=f"bench-{kind}", kind=kind, redactor=redactor)
    with stages.time("load", n_docs):
        docs = analysis.load_window(engine, END - timedelta(weeks=WEEKS), END)
    distinct = list(dict.fromkeys(docs[C.TEXT]))
    with stages.time("tokenize", len(docs)):
        analysis.tokens_for(engine, docs)
    bare = bare_fugashi_seconds(distinct)
    print(f"bare fugashi over the same {len(distinct):,} distinct texts: {bare:.2f} s", flush=True)
    with stages.time("embed", len(docs)):
        analysis.embeddings_for(engine, docs, get_embedder(embedder_name))
    complaints = docs[docs[C.DOC_TYPE] == "complaint"].reset_index(drop=True)
    with stages.time("topics", len(complaints)):
        # the weekly flow's path: cached tokens and embeddings of the window's complaints, then the fit
        tokens = analysis.tokens_for(engine, complaints)
        embeddings = analysis.embeddings_for(engine, complaints, get_embedder(embedder_name))
        result = fit_topics(complaints[C.TEXT].tolist(), tokens, embeddings, None, TopicConfig(seed=seed))
    week = END - timedelta(weeks=1)
    topic = W.aligned(result.assignments, complaints.index, np.arange(len(complaints)))
    with stages.time("spikes", len(complaints)):
        has_topic = topic >= 0
        days = complaints[C.CREATED_AT].dt.date
        counts, totals = S.daily_counts(days[has_topic], topic[has_topic].astype(int), docs[C.CREATED_AT].dt.date)
        S.weekly_spikes(counts, totals, week)
    with stages.time("report", len(docs)):
        centrality = W.aligned(result.centrality, complaints.index, np.arange(len(complaints)))
        summary = W.summarize_week(complaints, topic, centrality, result.topics, week)
        report.write_html(report.build_context(summary), work / "report.html")
    pipeline = [s for s in stages.seconds if s != "corpus"]
    total = round(sum(stages.seconds[s] for s in pipeline), 2)
    tokenize_rate = len(distinct) / max(stages.seconds["tokenize"], 1e-9)
    return {
        "total_seconds": total,
        "peak_rss_mb": round(peak_rss_mb()),
        "stages": {s: stages.seconds[s] for s in pipeline},
        "docs_per_second": {s: round(stages.items[s] / max(stages.seconds[s], 1e-9)) for s in pipeline},
        "tokenize_vs_fugashi": round(tokenize_rate / (len(distinct) / max(bare, 1e-9)), 3),
        "incremental_seconds": None,  # not measured yet (issue #6, step 2)
        "new_docs_alone_seconds": None,
        "cold_extra_seconds": round(sum(cold.values()), 2),
        "cold": cold,
        "n_docs": n_docs,
        "n_distinct_texts": len(distinct),
        "n_complaints": len(complaints),
        "n_topics": len(result.topics),
        "embedder": embedder_name,
        "workdir": str(work),
    }


def main(n_docs: int, seed: int = 0, embedder_name: str = "use") -> int:
    print(json.dumps(run(n_docs, seed, embedder_name), ensure_ascii=False))
    return 0
