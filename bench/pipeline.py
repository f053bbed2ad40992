"""`koe bench pipeline --docs 100000`: the weekly path end to end in one process, timed per stage.

Ingest (CSV export -> normalize, redact, type -> SQLite), then what the weekly flow computes with the
default settings (bench/stages.py): tokens and embeddings of the window's complaints (cached), the complaint
topics, weekly spikes, the HTML report. With `--faq`, also the FAQ-gap section the weekly flow adds when an
FAQ is imported (the sample shop's FAQ in every store; questions, requests and complaints modelled, matched
against it and ranked; the large history then keeps FAQ-gap topics too).
Cold-start costs
(embedding model load, numba compilation of UMAP and pynndescent) are paid first and reported apart as
`cold_extra_seconds`; the stages then run warm. Bare fugashi runs over the same distinct texts as the
tokenize stage, in the same process, for `tokenize_vs_fugashi`.

Then a new week of documents runs twice: on top of a large stored history (`--history-docs`, 1M by default,
built once and cached by bench/history.py; 0 uses the 100k above) with the saved topics and the drift test,
and alone in an empty store (a fit): `incremental_seconds` and `new_docs_alone_seconds`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench.corpus import documents, load_pools, write_exports
from bench.history import DEFAULT_CACHE, WINDOW_WEEKS, cached_history, ingest_exports
from bench.stages import Fitted, Stages, model_focus, peak_rss_mb
from flows import analysis
from flows.faq import import_faq
from flows.faq_gaps import MESSAGES, faq_features, period_masks
from flows.settings import Settings
from flows.steps import COMPLAINTS
from nlp import columns as C
from nlp import faq_gaps as G
from nlp import spikes as S
from nlp import weekly as W
from nlp.embed import get_embedder
from nlp.faq_match import MatchConfig, coverage, hybrid_scores
from reports import weekly as report
from store import repo
from store.db import copy_sqlite, make_engine, session_scope, sqlite_url

WEEKS = WINDOW_WEEKS
FAQ_WEEKS = Settings.model_fields["faq_period_weeks"].default  # the default settings; no environment is read
SAMPLE_FAQ = Path(__file__).resolve().parent.parent / "data" / "sample" / "faq.csv"  # the demo shop's 15 entries
END = date(2026, 11, 16)  # a Monday: the corpus covers the 12 complete weeks before it, the new week starts here


def warm_up(embedder_name: str) -> dict[str, float]:
    """What a cold process pays once: the embedding model's load, numba's compilation of UMAP and
    pynndescent (UMAP switches to pynndescent above 4,096 rows, so the warm-up fit is that big), and the
    imports of statsmodels and plotly (spikes, report charts)."""
    start = time.perf_counter()
    import plotly.graph_objects  # noqa: F401
    import statsmodels.api  # noqa: F401

    imports = time.perf_counter() - start
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
    compile_seconds = time.perf_counter() - start
    return {"imports": round(imports, 2), "model_load": round(model, 2), "numba_compile": round(compile_seconds, 2)}


def bare_fugashi_seconds(texts: list[str]) -> float:
    """fugashi alone over `texts`: every word's surface and part of speech read, nothing kept."""
    import fugashi

    tagger = fugashi.Tagger()
    start = time.perf_counter()
    for text in texts:
        for word in tagger(text):
            _ = (word.surface, word.feature.pos1)
    return time.perf_counter() - start


def ingest(engine, exports: dict[str, Path], stages: Stages, name: str, n_docs: int) -> None:
    with stages.time(name, n_docs):
        ingest_exports(engine, exports)


def faq_step(engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int,
             previous: Fitted | None) -> Fitted:  # fmt: skip
    """The weekly flow's FAQ-gap section (flows.faq_gaps.find_faq_gaps): the window's questions, requests and
    complaints assigned afresh with the kept FAQ-gap topics (or fitted on the first run, a refit or drift),
    then every message matched against the FAQ and the topics ranked."""
    modelled = model_focus(engine, docs, MESSAGES.types, stages, f"{prefix}faq_", embedder_name, seed, previous,
                           keep_known=False)  # fmt: skip
    messages, tokens = modelled.docs, modelled.tokens
    if tokens is None:  # assigned: the tokens come from the cache, like the flow's tokenize_documents
        with stages.time(f"{prefix}faq_tokenize", len(messages)):
            tokens = analysis.tokens_for(engine, messages)
    with stages.time(f"{prefix}faq_match", len(messages)):
        with session_scope(engine) as session:
            faq = repo.faq_entries(session)
        faq_embeddings, faq_tokens = faq_features(engine, embedder_name, faq)
        config = MatchConfig()  # the default settings' weight and threshold
        scores = hybrid_scores(modelled.embeddings, faq_embeddings, tokens, faq_tokens, config)
        week = analysis.week_start(messages[C.CREATED_AT].max().date())
        G.suggest(messages, modelled.fitted.topics, modelled.topic, modelled.centrality, scores,
                  coverage(scores, config), faq, *period_masks(messages[C.CREATED_AT], week, FAQ_WEEKS))  # fmt: skip
    return modelled.fitted


@dataclass(frozen=True)
class Kept:
    """What the next weekly run starts from: the complaint topics, and the FAQ-gap topics with an FAQ."""

    complaints: Fitted
    faq: Fitted | None = None


def analyse(engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int,
            previous: Kept | None = None, faq: bool = False) -> Kept:  # fmt: skip
    """One weekly run over the window `docs`: complaint topics (fit, or assign with `previous`), spikes,
    report; the FAQ-gap section too when `faq`."""
    modelled = model_focus(engine, docs, COMPLAINTS.types, stages, prefix, embedder_name, seed,
                           previous.complaints if previous else None)  # fmt: skip
    complaints = modelled.docs
    week = analysis.week_start(docs[C.CREATED_AT].max().date())
    topic = W.aligned(modelled.topic, complaints.index, np.arange(len(complaints)))
    centrality = W.aligned(modelled.centrality, complaints.index, np.arange(len(complaints)))
    with stages.time(f"{prefix}spikes", len(complaints)):
        has_topic = topic >= 0
        days = complaints[C.CREATED_AT].dt.date
        counts, totals = S.daily_counts(days[has_topic], topic[has_topic].astype(int), docs[C.CREATED_AT].dt.date)
        try:
            S.weekly_spikes(counts, totals, week)
        except S.SpikeInputError as exc:  # a week without history: the weekly flow notes it and goes on
            print(f"spikes: not tested ({exc})", flush=True)
    faq_fitted = faq_step(engine, docs, stages, prefix, embedder_name, seed, previous and previous.faq) if faq else None
    with stages.time(f"{prefix}report", len(docs)):
        summary = W.summarize_week(complaints, topic, centrality, modelled.fitted.topics, week)
        report.write_html(report.build_context(summary), Path(tempfile.mkdtemp()) / "report.html")
    return Kept(modelled.fitted, faq_fitted)


def incremental_store(work: Path, engine, history_docs: int, seed: int, embedder_name: str, kept: Kept,
                      pools, cache: Path, faq: bool) -> tuple:  # fmt: skip
    """(engine, saved topics, build facts) the new week runs on top of: a copy of the cached large history,
    or with `history_docs` 0 the 100k store above (its window slides by one week)."""
    if not history_docs:
        return engine, kept, {}
    history = cached_history(history_docs, seed, embedder_name, END, pools, cache, SAMPLE_FAQ if faq else None)
    print(f"history: {history_docs:,} documents, built in {history.build['seconds']} s (cached)", flush=True)
    copy = copy_sqlite(history.db, work / "history.db")
    return make_engine(sqlite_url(copy)), Kept(history.fitted, history.faq_fitted), history.build


def store_with_faq(path: Path, faq: bool):
    """An empty store; with `faq`, the sample shop's FAQ imported as `koe faq import` would."""
    engine = make_engine(sqlite_url(path))
    if faq:
        import_faq(engine, SAMPLE_FAQ)
    return engine


def run(n_docs: int, seed: int = 0, embedder_name: str = "use", new_docs: int = 20000,
        history_docs: int = 1_000_000, faq: bool = False, cache: Path = DEFAULT_CACHE,
        complaint_share: float | None = None) -> dict:  # fmt: skip
    """The pipeline over `n_docs` in 12 weeks; then a new week of `new_docs` analysed incrementally on top
    of a `history_docs` history, and the same new week alone in an empty store (a fit, no history)."""
    work = Path(tempfile.mkdtemp(prefix="koe-bench-"))
    cold = warm_up(embedder_name)
    print(f"cold start (paid once, not in the totals): {cold}", flush=True)
    stages, pools = Stages(), load_pools()
    with stages.time("corpus", n_docs):
        corpus = documents(n_docs, END - timedelta(weeks=WEEKS), WEEKS, seed, pools, complaint_share=complaint_share)
        exports = write_exports(corpus, work / "docs")
        new_week = write_exports(documents(new_docs, END, 1, seed + 1, pools, prefix="n"), work / "new_week")
    engine = store_with_faq(work / "koe.db", faq)
    ingest(engine, exports, stages, "ingest", n_docs)
    with stages.time("load", n_docs):
        docs = analysis.load_window(engine, END - timedelta(weeks=WEEKS), END)
    kept = analyse(engine, docs, stages, "", embedder_name, seed, faq=faq)
    tokenized = docs[C.TEXT][docs[C.DOC_TYPE].isin(MESSAGES.types if faq else COMPLAINTS.types)]
    distinct = list(dict.fromkeys(tokenized))
    bare = bare_fugashi_seconds(distinct)
    print(f"bare fugashi over the same {len(distinct):,} distinct texts: {bare:.2f} s", flush=True)
    main_stages = [s for s in stages.seconds if s != "corpus"]
    tokenize_seconds = sum(stages.seconds[s] for s in ("tokenize", "faq_tokenize") if s in stages.seconds)
    peak_main = peak_rss_mb()

    inc_engine, previous, build = incremental_store(work, engine, history_docs, seed, embedder_name, kept, pools,
                                                    cache, faq)  # fmt: skip
    ingest(inc_engine, new_week, stages, "incremental_ingest", new_docs)
    with stages.time("incremental_load", new_docs):
        window = analysis.load_window(inc_engine, END - timedelta(weeks=WEEKS - 1), END + timedelta(weeks=1))
    analyse(inc_engine, window, stages, "incremental_", embedder_name, seed, previous=previous, faq=faq)
    alone_engine = store_with_faq(work / "alone.db", faq)
    ingest(alone_engine, new_week, stages, "alone_ingest", new_docs)
    with stages.time("alone_load", new_docs):
        alone_docs = analysis.load_window(alone_engine, END, END + timedelta(weeks=1))
    analyse(alone_engine, alone_docs, stages, "alone_", embedder_name, seed, faq=faq)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "total_seconds": round(sum(stages.seconds[s] for s in main_stages), 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "stages": {s: stages.seconds[s] for s in main_stages},
        "docs_per_second": {s: round(stages.items[s] / max(stages.seconds[s], 1e-9)) for s in main_stages},
        "tokenize_vs_fugashi": round(bare / max(tokenize_seconds, 1e-9), 3),  # same texts: rate ratio = time ratio
        "incremental_seconds": stages.total("incremental_"),
        "new_docs_alone_seconds": stages.total("alone_"),
        "incremental_stages": {s: v for s, v in stages.seconds.items() if s.startswith("incremental_")},
        "alone_stages": {s: v for s, v in stages.seconds.items() if s.startswith("alone_")},
        "cold_extra_seconds": round(sum(cold.values()), 2),
        "cold": cold,
        "peak_rss_mb_main": round(peak_main),
        "history_docs": history_docs or n_docs,
        "history_build": build,
        "n_docs": n_docs,
        "new_docs": new_docs,
        "n_tokenized_texts": len(distinct),
        "n_complaints": len(kept.complaints.topic_of),
        "n_topics": len(kept.complaints.topics),
        "n_faq_messages": len(kept.faq.topic_of) if kept.faq else 0,
        "faq": faq,
        "complaint_share": complaint_share,
        "embedder": embedder_name,
    }


def main(n_docs: int, seed: int = 0, embedder_name: str = "use", new_docs: int = 20000,
         history_docs: int = 1_000_000, faq: bool = False, cache: Path = DEFAULT_CACHE,
         complaint_share: float | None = None) -> int:  # fmt: skip
    result = run(n_docs, seed, embedder_name, new_docs, history_docs, faq, cache, complaint_share)
    print(json.dumps(result, ensure_ascii=False))
    return 0
