"""FAQ-gap suggestions for a period: the window's questions, requests and complaints, in the topics the
weekly report reads (pipeline.modelling: one fit for every message), matched against the current FAQ
(nlp.faq_match), ranked for a CS lead (nlp.faq_gaps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import faq_gaps as G
from nlp.assign import closeness
from nlp.faq_match import coverage, hybrid_scores
from nlp.prepare import text_hash
from pipeline import caches, modelling
from pipeline.calendar import faq_periods, week_window
from pipeline.config import PipelineConfig
from pipeline.hooks import LOGGING_HOOKS, Hooks
from reports import faq_gaps as gaps_report
from reports import notes
from store import repo
from store.db import session_scope


@dataclass(frozen=True)
class FaqGaps:
    suggestions: pd.DataFrame  # nlp.faq_gaps.SUGGESTION_COLUMNS, best first
    notes: list[str]
    faq_version: int | None
    n_entries: int
    period_label: str  # the period the suggestions count, as the report shows it


def _faq_texts(column: pd.Series) -> pd.DataFrame:
    """A docs-shaped frame for the caches: FAQ texts are tokenized and embedded once, like documents."""
    texts = column.fillna("").astype(str).tolist()
    return pd.DataFrame({C.TEXT: texts, C.TEXT_HASH: [text_hash(t) for t in texts]})


def faq_features(engine: Engine, config: PipelineConfig, faq: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
    """Embeddings of the FAQ questions (customers ask questions) and tokens of question + answer (an entry
    answers a message when it contains the message's words, wherever they are)."""
    questions = _faq_texts(faq["question"])
    both = _faq_texts(faq["question"].fillna("") + "\n" + faq["answer"].fillna(""))
    return caches.embeddings_for(engine, questions, config.embedder), caches.tokens_for(engine, both)


def period_label(week: date, weeks: int) -> str:
    period, _ = faq_periods(week, weeks)
    return notes.period_label(period.start, period.last_day, weeks)


# what an FAQ entry can answer: complaints too ("届かない" is answered by the delivery-time entry)
ANSWERABLE = (C.DocType.QUESTION, C.DocType.REQUEST, C.DocType.COMPLAINT)


def find_faq_gaps(
    engine: Engine,
    config: PipelineConfig,
    docs: pd.DataFrame,
    week: date,
    modelled: modelling.Modelled,
    hooks: Hooks = LOGGING_HOOKS,
) -> FaqGaps:
    """Suggestions for the `faq_period_weeks` weeks up to the week starting `week` (growth against as many
    weeks before), from the topics `modelled` gave the whole window `docs` (the weekly report's: one
    taxonomy), so that a theme is recognised even when it is small in the period."""
    weeks = config.windows.faq_period_weeks
    label = period_label(week, weeks)
    with session_scope(engine) as session:
        version = repo.current_faq_version(session)
        version_id = version.id if version else None
        faq = repo.faq_entries(session)
    empty = pd.DataFrame(columns=list(G.SUGGESTION_COLUMNS))
    if version_id is None:
        return FaqGaps(empty, [notes.NO_FAQ], None, 0, label)
    if not modelled.has_topics:
        return FaqGaps(empty, modelled.notes, version_id, len(faq), label)
    asked = (docs[C.DOC_TYPE].isin(ANSWERABLE) & modelled.topic.notna()).to_numpy()
    focus = docs[asked]
    with hooks.stage("faq_match", len(focus)):
        embeddings, centrality = _vectors(engine, config, focus, modelled, asked, hooks)
        tokens = modelling.tokenize(engine, focus, hooks, "faq_tokenize")
        faq_embeddings, faq_tokens = faq_features(engine, config, faq)
        scores = hybrid_scores(embeddings, faq_embeddings, tokens, faq_tokens, config.matching)
        period, previous = faq_periods(week, weeks)
        messages = G.Messages(
            focus,
            modelled.topic[focus.index].astype(int).to_numpy(),
            centrality,
            period.mask(focus[C.CREATED_AT]),
            previous.mask(focus[C.CREATED_AT]),
        )
        suggestions = G.suggest(messages, modelled.topics, G.Matches(scores, coverage(scores, config.matching)), faq)
    return FaqGaps(suggestions, modelled.notes, version_id, len(faq), label)


def _vectors(
    engine: Engine,
    config: PipelineConfig,
    focus: pd.DataFrame,
    modelled: modelling.Modelled,
    asked: np.ndarray,
    hooks: Hooks,
) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, closeness to their topic's centroid) of the `focus` messages: from the modelling when it
    had every message's vector at hand (a fit, or an assignment of the whole window), else from the cache,
    with the closeness recomputed for every message (a weekly run's known messages carry no centrality)."""
    if modelled.embeddings is not None and len(modelled.embeddings) == len(asked):
        return modelled.embeddings[asked], modelled.centrality[focus.index].to_numpy()
    embeddings = modelling.embed(engine, focus, config, hooks, "faq_embed")
    assert modelled.saved is not None  # no embeddings in hand only when saved topics assigned (modelling)
    topic = modelled.topic[focus.index].astype(int).to_numpy()
    return embeddings, closeness(modelled.saved, embeddings, topic)


def run_faq_gaps(
    engine: Engine, config: PipelineConfig, week: date, refit: bool = False, hooks: Hooks = LOGGING_HOOKS
) -> tuple[FaqGaps, Path]:
    """Suggestions for the period ending with `week`, over the same window and through the same topics as
    the weekly report (the last weekly run's, or a fit when asked or due), and their CSV."""
    docs = caches.load_window(engine, week_window(week, config.windows.history_weeks))
    modelled = modelling.model(engine, config, docs, modelling.EVERY_MESSAGE, refit, keep_known=False, hooks=hooks)
    gaps = find_faq_gaps(engine, config, docs, week, modelled, hooks)
    path = config.out_dir / gaps_report.csv_name(week)
    return gaps, gaps_report.write_gaps_csv(gaps.suggestions, path).resolve()
