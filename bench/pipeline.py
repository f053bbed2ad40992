"""`koe bench pipeline --docs 100000`: the weekly path end to end in one process, timed per stage.

Ingest (CSV export -> normalize, redact, type -> SQLite), then the weekly run itself
(pipeline.weekly.analyse_week, the function the weekly flow's task calls) with the default settings, timed
through its stage hooks: tokens and embeddings of every message of the window (cached), the topics and
themes of every message (one fit, issue #13), weekly spikes, the FAQ gaps and the HTML report. With `--faq`
the sample shop's FAQ is imported in every store, so the weekly run adds its FAQ-gap section as it does for
a shop with an FAQ (questions, requests and complaints of the same fit matched against it and ranked).
Cold-start costs (embedding model load, numba compilation of UMAP and pynndescent) are paid first and
reported apart as `cold_extra_seconds`; the stages then run warm. Bare fugashi runs over the same distinct
texts as the tokenize stage, in the same process, for `tokenize_vs_fugashi`.

Then a new week of documents runs twice: on top of a large stored history (`--history-docs`, 1M by default,
built once and cached by bench/history.py; 0 uses the 100k above) with the saved topics and the drift test,
and alone in an empty store (a fit): `incremental_seconds` and `new_docs_alone_seconds`.
"""

from __future__ import annotations

import gc
import json
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from bench.corpus import documents, load_pools, write_exports
from bench.history import DEFAULT_CACHE, WINDOW_WEEKS, bench_config, cached_history, ingest_exports
from bench.stages import Stages, peak_rss_mb
from nlp import columns as C
from nlp.embed import DEFAULT as DEFAULT_EMBEDDER
from nlp.embed import get_embedder
from pipeline import caches
from pipeline.calendar import WEEK, Span
from pipeline.imports import import_faq
from pipeline.retype import retype_stale
from pipeline.weekly import WeeklyOutputs, analyse_week
from store.db import copy_sqlite, make_engine, sqlite_url

WEEKS = WINDOW_WEEKS
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


def analyse(engine, week, stages: Stages, prefix: str, embedder_name: str, seed: int, out: Path) -> WeeklyOutputs:
    """One weekly run of the week starting `week`, as the weekly flow's task runs it, every stage timed."""
    return analyse_week(engine, bench_config(embedder_name, seed, out), week, hooks=stages.hooks(prefix))


def incremental_store(work: Path, engine, history_docs: int, seed: int, embedder_name: str, pools, cache: Path,
                      faq: bool) -> tuple:  # fmt: skip
    """(engine, build facts) the new week runs on top of: a copy of the cached large history (its last weekly
    run's saved topics included), or with `history_docs` 0 the 100k store above (its window slides a week)."""
    if not history_docs:
        return engine, {}
    history = cached_history(history_docs, seed, embedder_name, END, pools, cache, SAMPLE_FAQ if faq else None)
    print(f"history: {history_docs:,} documents, built in {history.build['seconds']} s (cached)", flush=True)
    # a history built before the current typer: typed again in the cache itself, once, outside the timing
    retyped = retype_stale(make_engine(sqlite_url(history.db)))
    if retyped.total:
        print(f"history: {retyped.summary()} (once, not timed)", flush=True)
    copy = copy_sqlite(history.db, work / "history.db")
    return make_engine(sqlite_url(copy)), history.build


def store_with_faq(path: Path, faq: bool):
    """An empty store; with `faq`, the sample shop's FAQ imported as `koe faq import` would."""
    engine = make_engine(sqlite_url(path))
    if faq:
        import_faq(engine, SAMPLE_FAQ)
    return engine


def run(n_docs: int, seed: int = 0, embedder_name: str = DEFAULT_EMBEDDER, new_docs: int = 20000,
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
    first = analyse(engine, END - WEEK, stages, "", embedder_name, seed, work / "out")
    peak_main = peak_rss_mb()
    counted = {
        "n_modelled": int(first.modelled.topic.notna().sum()),
        "n_topics": len(first.modelled.topics),
        "n_themes": len(first.modelled.themes),
        "n_faq_suggestions": len(first.faq_gaps.suggestions),
    }
    del first  # a weekly run is a process of its own: the next run must not pay for this one's vectors
    gc.collect()
    docs = caches.load_window(engine, Span(END - WEEKS * WEEK, END))
    counted["n_complaints"] = int((docs[C.DOC_TYPE] == "complaint").sum())
    distinct = list(dict.fromkeys(docs[C.TEXT]))  # every message is modelled
    del docs
    bare = bare_fugashi_seconds(distinct)
    print(f"bare fugashi over the same {len(distinct):,} distinct texts: {bare:.2f} s", flush=True)
    main_stages = [s for s in stages.seconds if s != "corpus"]
    tokenize_seconds = sum(stages.seconds[s] for s in ("tokenize", "faq_tokenize") if s in stages.seconds)

    inc_engine, build = incremental_store(work, engine, history_docs, seed, embedder_name, pools, cache, faq)
    ingest(inc_engine, new_week, stages, "incremental_ingest", new_docs)
    incremental = analyse(inc_engine, END, stages, "incremental_", embedder_name, seed, work / "out-incremental")
    incremental_refit = incremental.modelled.refit  # None: the saved topics took the new week
    del incremental
    gc.collect()
    alone_engine = store_with_faq(work / "alone.db", faq)
    ingest(alone_engine, new_week, stages, "alone_ingest", new_docs)
    analyse(alone_engine, END, stages, "alone_", embedder_name, seed, work / "out-alone")
    shutil.rmtree(work, ignore_errors=True)
    return {
        "total_seconds": round(sum(stages.seconds[s] for s in main_stages), 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "stages": {s: stages.seconds[s] for s in main_stages},
        "docs_per_second": {s: round(stages.items[s] / max(stages.seconds[s], 1e-9)) for s in main_stages},
        "tokenize_vs_fugashi": round(bare / max(tokenize_seconds, 1e-9), 3),  # same texts: rate ratio = time ratio
        "incremental_seconds": stages.total("incremental_"),
        "new_docs_alone_seconds": stages.total("alone_"),
        "incremental_refit": incremental_refit,
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
        **counted,
        "faq": faq,
        "complaint_share": complaint_share,
        "embedder": embedder_name,
    }


def main(n_docs: int, seed: int = 0, embedder_name: str = DEFAULT_EMBEDDER, new_docs: int = 20000,
         history_docs: int = 1_000_000, faq: bool = False, cache: Path = DEFAULT_CACHE,
         complaint_share: float | None = None) -> int:  # fmt: skip
    result = run(n_docs, seed, embedder_name, new_docs, history_docs, faq, cache, complaint_share)
    print(json.dumps(result, ensure_ascii=False))
    return 0
