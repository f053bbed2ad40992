"""The weekly complaint report flow: ingest configured sources, analyse the week with a trailing history
window, store the run, render the HTML report, the topics CSV and a Prefect markdown artifact.

Tasks are one-line wrappers around library functions; only I/O-bound tasks retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from functools import partial

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from sqlalchemy import Engine

from flows import analysis
from flows.ingest import IngestReport, ingest_file
from flows.settings import FileSource, Settings
from nlp import columns as C
from nlp import weekly as W
from nlp.embed import get_embedder
from nlp.pii import make_redactor
from nlp.topics import TopicConfig, TopicResult, fit_topics, save_model
from nlp.topics import too_few as topics_too_few
from reports import weekly as report
from sources.records import SourceError
from store import repo
from store.db import make_engine, session_scope

COMPLAINT = "complaint"
# koe caches tokens and embeddings itself, per text; hashing DataFrames and engines for Prefect's cache
# would cost time and fail on the engine.
koe_task = partial(task, cache_policy=NONE)


def _retry_on_io(task, task_run, state) -> bool:
    """Retry only I/O failures (a locked file, a dropped DB connection), never bad data or bugs."""
    from sqlalchemy.exc import OperationalError

    try:
        state.result()
    except (OSError, OperationalError):
        return True
    except Exception as exc:  # SourceError wraps the OSError of an unreadable file
        return isinstance(exc.__cause__, OSError)
    return False


@koe_task(retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_on_io)
def ingest_source(engine: Engine, spec: FileSource, redactor) -> IngestReport:
    return ingest_file(engine, spec.path, source=spec.source, kind=spec.kind, mapping=spec.map, redactor=redactor)


@koe_task(retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_on_io)
def load_window(engine: Engine, start: date, end: date) -> pd.DataFrame:
    return analysis.load_window(engine, start, end)


@koe_task()
def tokenize_documents(engine: Engine, docs: pd.DataFrame) -> list[list[str]]:
    return analysis.tokens_for(engine, docs)


@koe_task()
def embed_documents(engine: Engine, docs: pd.DataFrame, embedder_name: str) -> np.ndarray:
    progress = create_progress_artifact(progress=0.0, description=f"embedding {len(docs)} documents")

    def report_progress(done: int, total: int) -> None:
        get_run_logger().info("embedded %d/%d new texts", done, total)
        update_progress_artifact(progress, progress=100.0 * done / max(total, 1))

    vectors = analysis.embeddings_for(engine, docs, get_embedder(embedder_name), report_progress)
    update_progress_artifact(progress, progress=100.0)
    return vectors


@koe_task()
def find_topics(texts: list[str], tokens: list[list[str]], embeddings: np.ndarray, embedder_name: str,
                config: TopicConfig) -> TopicResult:
    return fit_topics(texts, tokens, embeddings, get_embedder(embedder_name), config)


@dataclass(frozen=True)
class WeeklyOutputs:
    run_id: int
    html: Path
    csv: Path
    summary: W.WeeklySummary


def _topic_config(settings: Settings, n_docs: int) -> TopicConfig:
    # a small shop's week has few complaints: let topics be as small as 1% of the window, within bounds
    size = max(5, min(settings.min_topic_size, n_docs // 100 or 5))
    return TopicConfig(min_cluster_size=size, seed=settings.seed)


@dataclass(frozen=True)
class _Modelled:
    result: TopicResult | None
    topics: pd.DataFrame
    topic: pd.Series  # per document of the window; NaN where not modelled
    centrality: pd.Series
    notes: list[str]


def _model_complaints(engine: Engine, settings: Settings, docs: pd.DataFrame) -> _Modelled:
    """Topics of the window's complaints; a window with too few of them gets a note instead of topics."""
    complaints = np.flatnonzero((docs[C.DOC_TYPE] == COMPLAINT).to_numpy())
    focus = docs.iloc[complaints]
    tokens = tokenize_documents(engine, focus)
    embeddings = embed_documents(engine, focus, settings.embedder)
    config = _topic_config(settings, len(focus))
    too_few = topics_too_few(focus[C.TEXT].tolist(), config)
    if too_few:
        get_run_logger().warning("no topics this week: %s", too_few)
        empty = pd.Series(np.nan, index=docs.index)
        return _Modelled(None, pd.DataFrame(columns=list(C.TOPIC_COLUMNS)), empty, empty,
                         [f"苦情が少なすぎるため、トピック分析は行いませんでした（{too_few}）。"])
    result = find_topics(focus[C.TEXT].tolist(), tokens, embeddings, settings.embedder, config)
    return _Modelled(result, result.topics, W.aligned(result.assignments, docs.index, complaints),
                     W.aligned(result.centrality, docs.index, complaints), [])


def analyse_week(engine: Engine, settings: Settings, week: date, notes: list[str] | None = None) -> WeeklyOutputs:
    start = week - timedelta(weeks=settings.history_weeks)
    docs = load_window(engine, start, week + timedelta(days=7))
    get_run_logger().info("window %s..%s: %d documents", start, week + timedelta(days=6), len(docs))
    modelled = _model_complaints(engine, settings, docs)
    summary = W.summarize_week(docs, modelled.topic, modelled.centrality, modelled.topics, week,
                               trend_weeks=settings.trend_weeks)
    return _store_and_render(engine, settings, summary, docs, modelled, [*(notes or []), *modelled.notes])


def _store_and_render(engine: Engine, settings: Settings, summary: W.WeeklySummary, docs: pd.DataFrame,
                      modelled: _Modelled, notes: list[str]) -> WeeklyOutputs:
    topic, result = modelled.topic, modelled.result
    out = Path(settings.out_dir) / f"weekly-{summary.week_start}"
    with session_scope(engine) as session:
        run_id = repo.create_run(session, kind="weekly", period_start=summary.week_start,
                                 period_end=summary.week_end, embedder=settings.embedder, n_documents=len(docs))
        has_topic = topic.notna()
        assignments = pd.DataFrame({C.ID: docs.loc[has_topic, C.ID], C.TOPIC: topic[has_topic].astype(int)})
        repo.store_run_results(session, run_id, modelled.topics, assignments)
    model_path = save_model(result, out / f"model-run{run_id}") if result else None
    html = report.write_html(report.build_context(summary, notes=notes), out / "report.html")
    csv = report.write_csv(summary, out / "topics.csv")
    with session_scope(engine) as session:
        repo.finish_run(session, run_id, model_path=str(model_path) if model_path else None,
                        report_path=str(html.resolve()), csv_path=str(csv.resolve()))
    create_markdown_artifact(key="weekly-report", markdown=report.markdown_digest(summary, html.resolve()),
                             description=f"koe weekly report {summary.week_start}")
    return WeeklyOutputs(run_id=run_id, html=html.resolve(), csv=csv.resolve(), summary=summary)


def ingest_all(engine: Engine, settings: Settings) -> tuple[list[IngestReport], list[str]]:
    """Every configured source; one that cannot be read is logged and named in the report, the rest go on."""
    redactor = make_redactor(settings.order_patterns)
    reports, failures = [], []
    for spec in settings.sources:
        try:
            reports.append(ingest_source(engine, spec, redactor))
        except SourceError as exc:
            get_run_logger().error("source %s not ingested: %s", spec.source, exc)
            failures.append(f"ソース「{spec.source}」を取り込めませんでした: {exc}")
    for r in reports:
        get_run_logger().info(r.summary())
    return reports, failures


def run_weekly(settings: Settings, week_of: date | None) -> WeeklyOutputs:
    engine = make_engine(settings.database_url)
    _, failures = ingest_all(engine, settings)
    week = analysis.week_start(week_of) if week_of else analysis.last_complete_week(date.today())
    return analyse_week(engine, settings, week, notes=failures)


@flow(name="weekly-report", log_prints=True)
def weekly_report(week_of: date | None = None) -> str:
    """The report of the Monday-Sunday week containing `week_of` (default: the last complete week),
    with settings from the environment (KOE_*). Returns the HTML report's path."""
    return str(run_weekly(Settings(), week_of).html)
