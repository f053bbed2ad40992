"""The topic-modelling step the weekly report, the release check and the FAQ gaps share: a window's
documents of some types, assigned with the topics the last run of a kind saved, or fitted afresh.

A weekly run costs what its new documents cost: documents the last run saw keep their topics, only new
ones are embedded (everything else comes from the caches) and join the nearest saved topic; a refit
happens when asked, when the embedder changed, or when the new documents form a theme the saved topics
lack (nlp.assign.drift).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.assign import SavedTopics, assign, drift, from_fit
from nlp.columns import DocType
from nlp.topics import TopicResult, fit_topics, too_few
from pipeline import caches
from pipeline.calendar import Span
from pipeline.config import PipelineConfig, RunKind
from pipeline.hooks import LOGGING_HOOKS, Hooks
from reports import notes
from store import repo
from store.db import session_scope

log = logging.getLogger("koe.pipeline")


@dataclass(frozen=True)
class Focus:
    """What a topic model covers: document types, the kind of run that keeps its topics for the next runs
    to assign with (and names them in the report's notes, reports.notes), and the prefix of its stages."""

    types: tuple[DocType, ...]
    run_kind: RunKind
    stage_prefix: str = ""


COMPLAINTS = Focus((DocType.COMPLAINT,), RunKind.WEEKLY)
# what an FAQ entry can answer: complaints too ("届かない" is answered by the delivery-time entry)
MESSAGES = Focus((DocType.QUESTION, DocType.REQUEST, DocType.COMPLAINT), RunKind.FAQ_GAPS, "faq_")


@dataclass(frozen=True)
class Modelled:
    result: TopicResult | None  # None when nothing was fitted (too few documents, or saved topics assigned)
    topics: pd.DataFrame
    topic: pd.Series  # per document of the window; NaN where not modelled
    centrality: pd.Series
    notes: list[str]
    saved: SavedTopics | None = None  # what the next run of the focus's kind assigns its new documents with
    # tokens and embeddings of the modelled documents, in window order, when the step had them at hand
    tokens: list[list[str]] | None = None
    embeddings: np.ndarray | None = None

    @property
    def has_topics(self) -> bool:
        """False when nothing was modelled (too few documents): `notes` say why."""
        return self.result is not None or self.saved is not None


def tokenize(engine: Engine, docs: pd.DataFrame, hooks: Hooks, stage: str = "tokenize") -> list[list[str]]:
    with hooks.stage(stage, len(docs)):
        return caches.tokens_for(engine, docs)


def embed(engine: Engine, docs: pd.DataFrame, config: PipelineConfig, hooks: Hooks, stage: str = "embed") -> np.ndarray:
    with hooks.stage(stage, len(docs)):
        return caches.embeddings_for(
            engine, docs, config.embedder, lambda done, total: hooks.progress("embedded new texts", done, total)
        )


def fit(
    engine: Engine, config: PipelineConfig, docs: pd.DataFrame, focus: Focus, hooks: Hooks = LOGGING_HOOKS
) -> Modelled:
    """Topics fitted on the window's documents of `focus.types`; too few of them gets a note instead."""
    positions = np.flatnonzero(docs[C.DOC_TYPE].isin(focus.types).to_numpy())
    modelled = docs.iloc[positions]
    prefix = focus.stage_prefix
    tokens = tokenize(engine, modelled, hooks, f"{prefix}tokenize")
    embeddings = embed(engine, modelled, config, hooks, f"{prefix}embed")
    topic_config = config.modelling.for_documents(len(modelled))
    reason = too_few(modelled[C.TEXT].tolist(), topic_config)
    if reason:
        log.warning("no %s topics: %s", focus.run_kind, reason)
        empty = pd.Series(np.nan, index=docs.index)
        return Modelled(
            None, pd.DataFrame(columns=list(C.TOPIC_COLUMNS)), empty, empty, [notes.too_few(focus.run_kind, reason)]
        )
    with hooks.stage(f"{prefix}topics", len(modelled)):
        products = sorted(docs[C.PRODUCT].dropna().astype(str).unique())  # never a word of a topic's name
        result = fit_topics(modelled[C.TEXT].tolist(), tokens, embeddings, config.embedder, topic_config, products)
        saved = from_fit(result, embeddings)
    return Modelled(
        result,
        result.topics,
        W.aligned(result.assignments, docs.index, positions),
        W.aligned(result.centrality, docs.index, positions),
        [],
        saved,
        tokens,
        embeddings,
    )


def model(
    engine: Engine,
    config: PipelineConfig,
    docs: pd.DataFrame,
    focus: Focus,
    refit: bool = False,
    keep_known: bool = True,
    hooks: Hooks = LOGGING_HOOKS,
) -> Modelled:
    """Topics of the window's documents of `focus.types`: through the topics saved by the last run of
    `focus.run_kind`, unless a refit is asked for or due (no saved topics, another embedder, a new theme:
    nlp.assign.drift), then a fit. `keep_known`: documents that run saw keep their topics, only the others
    are assigned (the weekly report); without, every document is assigned and gets a centrality (a
    release check's two windows, the FAQ gaps' coverage)."""
    if not refit:
        assigned = assign_with_last_run(engine, config, docs, focus, keep_known, hooks)
        if assigned is not None:
            return assigned
    return fit(engine, config, docs, focus, hooks)


def assign_with_last_run(
    engine: Engine, config: PipelineConfig, docs: pd.DataFrame, focus: Focus, keep_known: bool, hooks: Hooks
) -> Modelled | None:
    """The window's documents of `focus.types` assigned to the nearest topic saved by the last run of
    `focus.run_kind` (embedded from the cache when seen before); with `keep_known` the ones it saw keep their
    topics and only the others are embedded. None when a refit is due."""
    with session_scope(engine) as session:
        run = repo.latest_run(session, focus.run_kind)
        saved = SavedTopics.load(Path(run.model_path)) if run and run.model_path else None
        if run is None or saved is None or run.embedder != config.embedder_name:
            return None
        run_id = run.id
        old = repo.run_assignments(session, run_id)
        topics = repo.run_topics(session, run_id)
    modelled = docs[docs[C.DOC_TYPE].isin(focus.types)]
    known = modelled[C.ID].isin(old.index).to_numpy()
    todo = modelled[~known] if keep_known else modelled
    unseen = ~todo[C.ID].isin(old.index).to_numpy()  # the drift test looks at what the fit never saw
    embeddings = embed(engine, todo, config, hooks, f"{focus.stage_prefix}embed")
    with hooks.stage(f"{focus.stage_prefix}topics", len(todo)):
        fresh, closeness = assign(saved, embeddings)
        min_size = config.modelling.for_documents(len(modelled)).min_cluster_size
        reason = drift(saved, embeddings[unseen], fresh[unseen], min_size)
    if reason:
        log.info("refitting the %s topics: %s", focus.run_kind, reason)
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
    note = notes.topics_reused(focus.run_kind, run_id, len(todo))
    aligned = embeddings if not keep_known else None  # every modelled document's, in window order
    return Modelled(None, topics.reset_index(drop=True), topic, centrality, [note], saved, None, aligned)


def topic_day_counts(docs: pd.DataFrame, modelled: Modelled) -> tuple[pd.DataFrame, pd.Series]:
    """(day x topic counts, documents per day) of the window: outliers are no topic, and every document of
    the day, complaint or not, counts towards the exposure."""
    has_topic = modelled.topic.notna() & (modelled.topic >= 0)
    days = docs[C.CREATED_AT].dt.date
    return S.daily_counts(days[has_topic], modelled.topic[has_topic].astype(int), days)


def record_run(
    engine: Engine, config: PipelineConfig, kind: RunKind, period: Span, docs: pd.DataFrame, modelled: Modelled
) -> int:
    """A run row with its topics and every modelled document's topic; returns the run id."""
    with session_scope(engine) as session:
        run_id = repo.create_run(
            session,
            kind=kind,
            period_start=period.start,
            period_end=period.last_day,
            embedder=config.embedder_name,
            n_documents=len(docs),
        )
        has_topic = modelled.topic.notna()
        assignments = pd.DataFrame({C.ID: docs.loc[has_topic, C.ID], C.TOPIC: modelled.topic[has_topic].astype(int)})
        repo.store_run_results(session, run_id, modelled.topics, assignments)
    return run_id


def finish_run(engine: Engine, run_id: int, **paths: Path | None) -> None:
    """The files a run wrote (model, report, CSV), as absolute paths."""
    with session_scope(engine) as session:
        repo.finish_run(session, run_id, **{k: str(Path(v).resolve()) if v else None for k, v in paths.items()})


def types_to_cache(engine: Engine) -> tuple[DocType, ...]:
    """The document types a weekly run tokenizes and embeds: complaints for the complaint topics, and
    questions and requests too when an FAQ is imported (the FAQ-gap topics)."""
    with session_scope(engine) as session:
        has_faq = repo.current_faq_version(session) is not None
    return MESSAGES.types if has_faq else COMPLAINTS.types
