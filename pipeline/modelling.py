"""The topic-modelling step the weekly report, the release check and the FAQ gaps share: every customer
message of a window (complaints, questions, requests, praise, other), assigned with the topics the last
weekly run saved, or fitted afresh. One fit, one set of topic and theme ids for every report: a typing
mistake no longer drops a complaint from the analysis, and the complaint counts, the FAQ gaps and the
release check read the same themes (issue #13).

A weekly run costs what its new documents cost: documents the last run saw keep their topics, only new
ones are embedded (everything else comes from the caches) and join the nearest saved topic; a refit
happens when asked, when the embedder changed, or when the new documents form a theme the saved topics
lack (nlp.assign.drift).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.assign import SavedTopics, assign, drift, from_fit
from nlp.columns import DocType
from nlp.curation import Curation, curated
from nlp.lineage import match_themes
from nlp.topics import TopicResult, fit_topics, relabel, too_few
from pipeline import caches
from pipeline.calendar import Span
from pipeline.config import PipelineConfig, RunKind
from pipeline.hooks import LOGGING_HOOKS, Hooks
from reports import notes
from reports.notes import Refit
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


EVERY_MESSAGE = Focus(tuple(DocType), RunKind.WEEKLY)


@dataclass(frozen=True)
class Modelled:
    result: TopicResult | None  # None when nothing was fitted (too few documents, or saved topics assigned)
    topics: pd.DataFrame  # columns.TOPIC_COLUMNS: the subtopics
    themes: pd.DataFrame  # columns.THEME_COLUMNS: the reading level above them, as a lead curated them
    topic: pd.Series  # per document of the window; NaN where not modelled, OUTLIER where no topic
    centrality: pd.Series
    notes: list[str]
    saved: SavedTopics | None = None  # what the next weekly run assigns its new documents with
    # tokens and embeddings of the modelled documents, in window order, when the step had them at hand
    tokens: list[list[str]] | None = None
    embeddings: np.ndarray | None = None
    stored_themes: pd.DataFrame | None = None  # the themes as fitted (stable ids, no curation): what is stored
    refit: Refit | None = None  # why the topics were fitted afresh; None when the saved ones were reused

    @property
    def has_topics(self) -> bool:
        """False when nothing was modelled (too few documents): `notes` say why."""
        return self.result is not None or self.saved is not None

    @property
    def theme(self) -> pd.Series:
        """Theme per document of the window, like `topic` (NaN where not modelled, OUTLIER where none)."""
        return theme_per_document(self.topic, self.themes)


def theme_per_document(topic: pd.Series, themes: pd.DataFrame) -> pd.Series:
    """`topic` (per document; NaN: not modelled) mapped to the theme holding each topic (OUTLIER: none)."""
    theme_of = {t: int(row[C.THEME_ID]) for row in themes.to_dict("records") for t in row[C.SUBTOPICS]}
    modelled = topic.notna()
    out = pd.Series(np.nan, index=topic.index)
    out[modelled] = relabel(topic[modelled].astype(int).to_numpy(), theme_of)
    return out


@dataclass(frozen=True)
class LastRun:
    """What the last weekly run left for the next runs: its saved centroids, topic per document id, topics
    and themes (as fitted, with stable ids)."""

    run_id: int
    embedder: str
    saved: SavedTopics | None
    assignments: pd.Series
    topics: pd.DataFrame
    themes: pd.DataFrame


def last_run(engine: Engine, kind: RunKind) -> LastRun | None:
    with session_scope(engine) as session:
        run = repo.latest_run(session, kind)
        if run is None:
            return None
        saved = SavedTopics.load(Path(run.model_path)) if run.model_path else None
        return LastRun(
            run.id,
            run.embedder,
            saved,
            repo.run_assignments(session, run.id),
            repo.run_topics(session, run.id),
            repo.run_themes(session, run.id),
        )


def _no_themes() -> pd.DataFrame:
    return pd.DataFrame(columns=list(C.THEME_COLUMNS))


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
            None,
            pd.DataFrame(columns=list(C.TOPIC_COLUMNS)),
            _no_themes(),
            empty,
            empty,
            [notes.too_few(focus.run_kind, reason)],
        )
    with hooks.stage(f"{prefix}topics", len(modelled)):
        products = sorted(docs[C.PRODUCT].dropna().astype(str).unique())  # never a word of a topic's name
        result = fit_topics(modelled[C.TEXT].tolist(), tokens, embeddings, config.embedder, topic_config, products)
        saved = from_fit(result, embeddings)
    return Modelled(
        result,
        result.topics,
        result.themes,
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
    """Topics and themes of the window's documents of `focus.types`: through the topics saved by the last run
    of `focus.run_kind`, unless a refit is asked for or due (no saved topics, another embedder, no themes
    stored, a new theme: nlp.assign.drift), then a fit whose themes keep the last run's ids where they
    continue its themes (nlp.lineage). Either way the themes come curated (nlp.curation) and the notes say
    why a refit happened and what became of the last run's themes. `keep_known`: documents that run saw keep
    their topics, only the others are assigned (the weekly report); without, every document is assigned and
    gets a centrality (a release check's two windows, the FAQ gaps' coverage)."""
    last = last_run(engine, focus.run_kind)
    with session_scope(engine) as session:
        curation = repo.theme_curation(session)
        next_id = repo.next_theme_id(session)
    why = Refit.ASKED if refit else _refit_due(last, config)
    if why is None and last is not None:
        assigned, why = assign_with(last, engine, config, docs, focus, keep_known, hooks)
        if assigned is not None:
            return _curated(assigned, curation)
    fitted = replace(fit(engine, config, docs, focus, hooks), refit=why)
    if last is None or not fitted.has_topics:
        return _curated(fitted, curation)
    assert why is not None  # a reusable last run returned above
    previous = theme_per_document(last.assignments.astype(float), last.themes)
    current = pd.Series(fitted.theme.to_numpy(), index=docs[C.ID].to_numpy())
    matched = match_themes(previous, current, next_id)
    stable = fitted.themes.assign(**{C.THEME_ID: fitted.themes[C.THEME_ID].map(matched.ids)})
    shown = _curated(replace(fitted, themes=stable), curation)
    names = dict(zip(shown.themes[C.THEME_ID], shown.themes[C.LABEL], strict=True))
    before = curated(last.themes, curation)
    old_names = dict(zip(before[C.THEME_ID], before[C.LABEL], strict=True))
    said = [notes.refitted(why, last.run_id)]
    said += [notes.lineage(c.kind, names[c.theme_id], [old_names.get(o, f"#{o}") for o in c.sources])
             for c in matched.changes if c.theme_id in names]  # fmt: skip
    return replace(shown, notes=[*shown.notes, *said])


def _curated(modelled: Modelled, curation: Curation) -> Modelled:
    return replace(modelled, themes=curated(modelled.themes, curation), stored_themes=modelled.themes)


def _refit_due(last: LastRun | None, config: PipelineConfig) -> Refit | None:
    """Why the last run's topics cannot be reused as they are, before looking at the new documents."""
    if last is None:
        return Refit.FIRST
    if last.saved is None:
        return Refit.NO_MODEL
    if last.embedder != config.embedder_name:
        return Refit.EMBEDDER
    if last.themes.empty and not last.topics.empty:
        return Refit.NO_THEMES
    return None


def assign_with(
    last: LastRun,
    engine: Engine,
    config: PipelineConfig,
    docs: pd.DataFrame,
    focus: Focus,
    keep_known: bool,
    hooks: Hooks,
) -> tuple[Modelled | None, Refit | None]:
    """The window's documents of `focus.types` assigned to the nearest topic `last` saved (embedded from
    the cache when seen before); with `keep_known` the ones it saw keep their topics and only the others are
    embedded. (None, why) when the new documents hold a theme the saved topics lack."""
    assert last.saved is not None  # _refit_due
    old = last.assignments
    modelled = docs[docs[C.DOC_TYPE].isin(focus.types)]
    known = modelled[C.ID].isin(old.index).to_numpy()
    todo = modelled[~known] if keep_known else modelled
    unseen = ~todo[C.ID].isin(old.index).to_numpy()  # the drift test looks at what the fit never saw
    embeddings = embed(engine, todo, config, hooks, f"{focus.stage_prefix}embed")
    with hooks.stage(f"{focus.stage_prefix}topics", len(todo)):
        fresh, closeness = assign(last.saved, embeddings)
        min_size = config.modelling.for_documents(len(modelled)).min_cluster_size
        reason = drift(last.saved, embeddings[unseen], fresh[unseen], min_size)
    if reason:
        log.info("refitting the %s topics: %s", focus.run_kind, reason)
        return None, Refit.DRIFT
    topic = pd.Series(np.nan, index=docs.index)
    centrality = pd.Series(np.nan, index=docs.index)
    if keep_known:
        topic[modelled.index[known]] = old[modelled[C.ID][known]].to_numpy()
        centrality[modelled.index] = 0.0  # earlier weeks' quotes are not picked again
    topic[todo.index] = fresh
    centrality[todo.index] = closeness
    sizes = topic.value_counts()
    topics = last.topics[last.topics[C.TOPIC_ID].isin(sizes.index)]
    topics = topics.assign(**{C.SIZE: lambda t: t[C.TOPIC_ID].map(sizes)}).reset_index(drop=True)
    note = notes.topics_reused(focus.run_kind, last.run_id, len(todo))
    aligned = embeddings if not keep_known else None  # every modelled document's, in window order
    themes = resized(last.themes, sizes)
    return Modelled(None, topics, themes, topic, centrality, [note], last.saved, None, aligned), None


def resized(themes: pd.DataFrame, sizes: pd.Series) -> pd.DataFrame:
    """`themes` with the sizes and subtopics of a new assignment (`sizes`: documents per topic id): themes
    left without documents are dropped, subtopics without documents too."""
    rows = []
    for row in themes.to_dict("records"):
        present = [t for t in row[C.SUBTOPICS] if sizes.get(t, 0) > 0]
        if present:
            ordered = sorted(present, key=lambda t: (-sizes[t], t))
            rows.append({**row, C.SIZE: int(sum(sizes[t] for t in present)), C.SUBTOPICS: ordered})
    return pd.DataFrame(rows, columns=list(C.THEME_COLUMNS))


def complaint_day_counts(docs: pd.DataFrame, groups: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """(day x group complaint counts, documents per day) of the window, `groups` being a per-document topic
    or theme id (NaN or OUTLIER: none); every document of the day, complaint or not, counts towards the
    exposure."""
    counted = groups.notna() & (groups >= 0) & (docs[C.DOC_TYPE] == DocType.COMPLAINT)
    days = docs[C.CREATED_AT].dt.date
    return S.daily_counts(days[counted], groups[counted].astype(int), days)


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
        stored = modelled.stored_themes if modelled.stored_themes is not None else modelled.themes
        repo.store_run_results(session, run_id, modelled.topics, assignments, stored)
    return run_id


def finish_run(engine: Engine, run_id: int, **paths: Path | None) -> None:
    """The files a run wrote (model, report, CSV), as absolute paths."""
    with session_scope(engine) as session:
        repo.finish_run(session, run_id, **{k: str(Path(v).resolve()) if v else None for k, v in paths.items()})
