"""Prefect tasks shared by the flows, each a thin wrapper around a library function, and the complaint
modelling step that the weekly report and the release check both run.

Only I/O-bound tasks retry; koe caches tokens and embeddings itself, per text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NONE
from sqlalchemy import Engine

from flows import analysis, notify
from flows.ingest import IngestReport
from flows.pull import pull
from flows.settings import MailRules, Notify, Settings, SourceSpec
from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.assign import SavedTopics, assign, drift, from_fit
from nlp.embed import get_embedder
from nlp.topics import TopicConfig, TopicResult, fit_topics
from nlp.topics import too_few as topics_too_few
from store import repo
from store.db import session_scope

COMPLAINT = "complaint"
WEEKLY_RUN = "weekly"  # the run kind whose saved topics later weekly runs and release checks reuse


@dataclass(frozen=True)
class Focus:
    """What a topic model covers: document types, their name in the report's notes, and the kind of run
    that keeps its topics for the next runs to assign with."""

    types: tuple[str, ...]
    what: str
    run_kind: str


COMPLAINTS = Focus((COMPLAINT,), "苦情", WEEKLY_RUN)
# Prefect's input hashing would cost time on DataFrames and fail on the engine; koe caches per text itself.
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


@koe_task(retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_on_io, task_run_name="pull {spec.source}")
def pull_source(engine: Engine, spec: SourceSpec, redactor, rules: MailRules) -> IngestReport:
    return pull(engine, spec, redactor, rules)


@koe_task(retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_on_io)
def load_window(engine: Engine, start: date, end: date) -> pd.DataFrame:
    return analysis.load_window(engine, start, end)


class NotificationFailed(RuntimeError):
    pass


@koe_task(retries=2, retry_delay_seconds=10)
def notify_team(target: Notify, title: str, body: str) -> None:
    failures = notify.send(target, title, body)
    if failures:
        raise NotificationFailed("; ".join(failures))


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
def find_topics(
    texts: list[str], tokens: list[list[str]], embeddings: np.ndarray, embedder_name: str, config: TopicConfig
) -> TopicResult:
    return fit_topics(texts, tokens, embeddings, get_embedder(embedder_name), config)


def _topic_config(settings: Settings, n_docs: int) -> TopicConfig:
    # a small shop's week has few complaints: let topics be as small as 1% of the window, within bounds
    size = max(5, min(settings.min_topic_size, n_docs // 100 or 5))
    return TopicConfig(min_cluster_size=size, seed=settings.seed)


@dataclass(frozen=True)
class Modelled:
    result: TopicResult | None  # None when nothing was fitted (too few documents, or saved topics assigned)
    topics: pd.DataFrame
    topic: pd.Series  # per document of the window; NaN where not modelled
    centrality: pd.Series
    notes: list[str]
    saved: SavedTopics | None = None  # what the next weekly run assigns its new documents with
    # tokens and embeddings of the modelled documents, in window order, when a fit used them
    tokens: list[list[str]] | None = None
    embeddings: np.ndarray | None = None

    @property
    def has_topics(self) -> bool:
        """False when nothing was modelled (too few documents): `notes` say why."""
        return self.result is not None or self.saved is not None


def model_documents(
    engine: Engine, settings: Settings, docs: pd.DataFrame, types: tuple[str, ...], what: str
) -> Modelled:
    """Topics of the window's documents of `types`; too few of them gets a note (naming `what`) instead."""
    positions = np.flatnonzero(docs[C.DOC_TYPE].isin(types).to_numpy())
    focus = docs.iloc[positions]
    tokens = tokenize_documents(engine, focus)
    embeddings = embed_documents(engine, focus, settings.embedder)
    config = _topic_config(settings, len(focus))
    too_few = topics_too_few(focus[C.TEXT].tolist(), config)
    if too_few:
        get_run_logger().warning("no topics of %s: %s", what, too_few)
        empty = pd.Series(np.nan, index=docs.index)
        note = f"{what}が少なすぎるため、トピック分析は行いませんでした（{too_few}）。"
        return Modelled(None, pd.DataFrame(columns=list(C.TOPIC_COLUMNS)), empty, empty, [note])
    result = find_topics(focus[C.TEXT].tolist(), tokens, embeddings, settings.embedder, config)
    return Modelled(
        result,
        result.topics,
        W.aligned(result.assignments, docs.index, positions),
        W.aligned(result.centrality, docs.index, positions),
        [],
        from_fit(result, embeddings),
        tokens,
        embeddings,
    )


def model_complaints(
    engine: Engine, settings: Settings, docs: pd.DataFrame, refit: bool = False, keep_known: bool = True
) -> Modelled:
    """The complaint topics of `docs`, through the last weekly run's saved topics when possible
    (model_reusing); `keep_known=False` for a release check: both of its windows assigned the same way, each
    complaint with a centrality for the quotes."""
    return model_reusing(engine, settings, docs, COMPLAINTS, refit, keep_known)


def model_reusing(
    engine: Engine, settings: Settings, docs: pd.DataFrame, focus: Focus, refit: bool = False, keep_known: bool = True
) -> Modelled:
    """Topics of the window's documents of `focus.types`: through the topics saved by the last run of
    `focus.run_kind`, unless a refit is asked for or due (no saved topics, another embedder, a new theme:
    nlp.assign.drift), then a fit. `keep_known`: documents that run saw keep their topics, only the others
    are assigned."""
    if not refit:
        assigned = assign_with_last_run(engine, settings, docs, focus, keep_known)
        if assigned is not None:
            return assigned
    return model_documents(engine, settings, docs, focus.types, focus.what)


def assign_with_last_run(
    engine: Engine, settings: Settings, docs: pd.DataFrame, focus: Focus, keep_known: bool
) -> Modelled | None:
    """The window's documents of `focus.types` assigned to the nearest topic saved by the last run of
    `focus.run_kind` (embedded from the cache when seen before); with `keep_known` the ones it saw keep their
    topics and only the others are embedded. None when a refit is due."""
    with session_scope(engine) as session:
        run = repo.latest_run(session, focus.run_kind)
        saved = SavedTopics.load(Path(run.model_path)) if run and run.model_path else None
        if saved is None or run.embedder != settings.embedder:
            return None
        old = repo.run_assignments(session, run.id)
        topics = repo.run_topics(session, run.id)
    modelled = docs[docs[C.DOC_TYPE].isin(focus.types)]
    known = modelled[C.ID].isin(old.index).to_numpy()
    todo = modelled[~known] if keep_known else modelled
    unseen = ~todo[C.ID].isin(old.index).to_numpy()  # the drift test looks at what the fit never saw
    embeddings = embed_documents(engine, todo, settings.embedder)
    fresh, closeness = assign(saved, embeddings)
    reason = drift(saved, embeddings[unseen], fresh[unseen], _topic_config(settings, len(modelled)).min_cluster_size)
    if reason:
        get_run_logger().info("refitting the topics of %s: %s", focus.what, reason)
        return None
    topic = pd.Series(np.nan, index=docs.index)
    centrality = pd.Series(np.nan, index=docs.index)
    if keep_known:
        topic[modelled.index[known]] = old[modelled[C.ID][known]].to_numpy()
        centrality[modelled.index] = 0.0  # earlier weeks' quotes are not picked again
    topic[todo.index] = fresh
    centrality[todo.index] = closeness
    sizes = topic.value_counts()
    topics = topics[topics[C.TOPIC_ID].isin(sizes.index)].assign(**{C.SIZE: lambda t: t[C.TOPIC_ID].map(sizes)})
    note = (
        f"{focus.what}のトピックは前回の分析（run {run.id}）のものを引き継ぎ、"
        f"{focus.what} {len(todo)} 件を割り当てました"
        "（新しいテーマが現れたときは自動で作り直します。手動では --refit）。"
    )
    aligned = embeddings if not keep_known else None  # every modelled document's, in window order
    return Modelled(None, topics.reset_index(drop=True), topic, centrality, [note], saved, None, aligned)


def topic_day_counts(docs: pd.DataFrame, modelled: Modelled) -> tuple[pd.DataFrame, pd.Series]:
    """(day x topic complaint counts, documents per day) of the window: outliers are no topic, and every
    document of the day, complaint or not, counts towards the exposure."""
    has_topic = modelled.topic.notna() & (modelled.topic >= 0)
    days = docs[C.CREATED_AT].dt.date
    return S.daily_counts(days[has_topic], modelled.topic[has_topic].astype(int), days)


def record_run(
    engine: Engine, settings: Settings, kind: str, period: tuple[date, date], docs: pd.DataFrame, modelled: Modelled
) -> int:
    """A run row with its topics and every modelled document's topic; returns the run id."""
    with session_scope(engine) as session:
        run_id = repo.create_run(
            session,
            kind=kind,
            period_start=period[0],
            period_end=period[1],
            embedder=settings.embedder,
            n_documents=len(docs),
        )
        has_topic = modelled.topic.notna()
        assignments = pd.DataFrame({C.ID: docs.loc[has_topic, C.ID], C.TOPIC: modelled.topic[has_topic].astype(int)})
        repo.store_run_results(session, run_id, modelled.topics, assignments)
    return run_id
