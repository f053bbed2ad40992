"""FAQ-gap suggestions for a period: the window's questions, requests and complaints modelled into topics,
matched against the current FAQ (nlp.faq_match), ranked for a CS lead (nlp.faq_gaps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import faq_gaps as G
from nlp.faq_match import coverage, hybrid_scores
from nlp.prepare import text_hash
from pipeline import caches, modelling
from pipeline.calendar import faq_periods, week_window
from pipeline.config import PipelineConfig, RunKind
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


def find_faq_gaps(
    engine: Engine,
    config: PipelineConfig,
    docs: pd.DataFrame,
    week: date,
    refit: bool = False,
    hooks: Hooks = LOGGING_HOOKS,
) -> FaqGaps:
    """Suggestions for the `faq_period_weeks` weeks up to the week starting `week` (growth against as many
    weeks before), from topics of the whole window `docs`, so that a theme is recognised even when it is
    small in the period."""
    weeks = config.windows.faq_period_weeks
    label = period_label(week, weeks)
    with session_scope(engine) as session:
        version = repo.current_faq_version(session)
        version_id = version.id if version else None
        faq = repo.faq_entries(session)
    empty = pd.DataFrame(columns=list(G.SUGGESTION_COLUMNS))
    if version_id is None:
        return FaqGaps(empty, [notes.NO_FAQ], None, 0, label)
    # like the complaint topics: the last fit's saved topics take every message (a weekly run costs what its
    # new messages cost) until asked to refit or a new theme appears; every message gets a centrality
    modelled = modelling.model(engine, config, docs, modelling.MESSAGES, refit, keep_known=False, hooks=hooks)
    if not modelled.has_topics:
        return FaqGaps(empty, modelled.notes, version_id, len(faq), label)
    focus = docs[modelled.topic.notna()]
    if modelled.result is not None:
        _keep_fit(engine, config, docs, modelled, week)
    # the modelling's own embeddings (and the fit's tokens): aligned with `focus`, the modelled rows in order
    tokens = modelled.tokens
    if tokens is None:
        tokens = modelling.tokenize(engine, focus, hooks, "faq_tokenize")
    with hooks.stage("faq_match", len(focus)):
        faq_embeddings, faq_tokens = faq_features(engine, config, faq)
        # modelled without keep_known: a fit or an assignment, every modelled message's vector is at hand
        assert modelled.embeddings is not None
        scores = hybrid_scores(modelled.embeddings, faq_embeddings, tokens, faq_tokens, config.matching)
        period, previous = faq_periods(week, weeks)
        messages = G.Messages(
            focus,
            modelled.topic[focus.index].astype(int).to_numpy(),
            modelled.centrality[focus.index].to_numpy(),
            period.mask(focus[C.CREATED_AT]),
            previous.mask(focus[C.CREATED_AT]),
        )
        suggestions = G.suggest(messages, modelled.topics, G.Matches(scores, coverage(scores, config.matching)), faq)
    return FaqGaps(suggestions, modelled.notes, version_id, len(faq), label)


def _keep_fit(
    engine: Engine, config: PipelineConfig, docs: pd.DataFrame, modelled: modelling.Modelled, week: date
) -> None:
    """Store a fresh fit's topics and centroids as a faq_gaps run: what the next runs assign with."""
    period, _ = faq_periods(week, config.windows.faq_period_weeks)
    assert modelled.saved is not None  # a fit always saves its centroids (modelling.fit)
    run_id = modelling.record_run(engine, config, RunKind.FAQ_GAPS, period, docs, modelled)
    path = modelled.saved.save(config.out_dir / "faq-topics" / f"run{run_id}").parent
    modelling.finish_run(engine, run_id, model_path=path)


def run_faq_gaps(
    engine: Engine, config: PipelineConfig, week: date, refit: bool = False, hooks: Hooks = LOGGING_HOOKS
) -> tuple[FaqGaps, Path]:
    """Suggestions for the period ending with `week`, over the same window as the weekly report, and their CSV."""
    docs = caches.load_window(engine, week_window(week, config.windows.history_weeks))
    gaps = find_faq_gaps(engine, config, docs, week, refit, hooks)
    path = config.out_dir / gaps_report.csv_name(week)
    return gaps, gaps_report.write_gaps_csv(gaps.suggestions, path).resolve()
