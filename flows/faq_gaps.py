"""FAQ-gap suggestions for a period: the window's questions, requests and complaints modelled into topics,
matched against the current FAQ (nlp.faq_match), ranked for a CS lead (nlp.faq_gaps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from prefect import flow
from sqlalchemy import Engine

from flows import analysis
from flows.settings import Settings
from flows.steps import COMPLAINTS, Focus, Modelled, load_window, model_reusing, record_run, tokenize_documents
from nlp import columns as C
from nlp import faq_gaps as G
from nlp.embed import get_embedder
from nlp.faq_match import MatchConfig, coverage, hybrid_scores
from nlp.prepare import text_hash
from reports import faq_gaps as gaps_report
from store import repo
from store.db import make_engine, session_scope

# what an FAQ entry can answer: complaints too ("届かない" is answered by the delivery-time entry)
MESSAGE_TYPES = ("question", "request", "complaint")
FAQ_RUN = "faq_gaps"  # a run that keeps the FAQ-gap topics for the next weekly run to assign with
MESSAGES = Focus(MESSAGE_TYPES, "質問・要望・苦情", FAQ_RUN)
NO_FAQ = "FAQ が取り込まれていないため、FAQ の不足は分析していません（koe faq import で取り込めます）。"


@dataclass(frozen=True)
class FaqGaps:
    suggestions: pd.DataFrame  # nlp.faq_gaps.SUGGESTION_COLUMNS, best first
    notes: list[str]
    faq_version: int | None
    n_entries: int


def modelled_types(engine: Engine) -> tuple[str, ...]:
    """The document types a weekly run tokenizes and embeds: complaints for the complaint topics, and
    questions and requests too when an FAQ is imported (the FAQ-gap topics)."""
    with session_scope(engine) as session:
        has_faq = repo.current_faq_version(session) is not None
    return MESSAGES.types if has_faq else COMPLAINTS.types


def _faq_texts(faq: pd.DataFrame, column: pd.Series) -> pd.DataFrame:
    """A docs-shaped frame for the caches: FAQ texts are tokenized and embedded once, like documents."""
    texts = column.fillna("").astype(str).tolist()
    return pd.DataFrame({C.TEXT: texts, C.TEXT_HASH: [text_hash(t) for t in texts]})


def faq_features(engine: Engine, embedder_name: str, faq: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
    """Embeddings of the FAQ questions (customers ask questions) and tokens of question + answer (an entry
    answers a message when it contains the message's words, wherever they are)."""
    questions = _faq_texts(faq, faq["question"])
    both = _faq_texts(faq, faq["question"].fillna("") + "\n" + faq["answer"].fillna(""))
    return analysis.embeddings_for(engine, questions, get_embedder(embedder_name)), analysis.tokens_for(engine, both)


def period_weeks(week: date, weeks: int) -> tuple[date, date, date]:
    """(start of the previous period, start of the period, end of the period, exclusive) for `weeks` weeks
    up to and including the week starting `week`."""
    start = week - timedelta(weeks=weeks - 1)
    return start - timedelta(weeks=weeks), start, week + timedelta(days=7)


def period_masks(created_at: pd.Series, week: date, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """(in the period, in the period before) per document, for `weeks` weeks up to the week starting `week`."""
    before, start, end = period_weeks(week, weeks)
    day = created_at.dt.date
    return ((day >= start) & (day < end)).to_numpy(), ((day >= before) & (day < start)).to_numpy()


def period_label(week: date, weeks: int) -> str:
    _, start, end = period_weeks(week, weeks)
    return f"{start:%Y-%m-%d} 〜 {end - timedelta(days=1):%Y-%m-%d}、{weeks}週間"


def find_faq_gaps(engine: Engine, settings: Settings, docs: pd.DataFrame, week: date, refit: bool = False) -> FaqGaps:
    """Suggestions for the `settings.faq_period_weeks` weeks up to the week starting `week` (growth against
    as many weeks before), from topics of the whole window `docs`, so that a theme is recognised even when
    it is small in the period."""
    with session_scope(engine) as session:
        version = repo.current_faq_version(session)
        faq = repo.faq_entries(session)
    empty = pd.DataFrame(columns=list(G.SUGGESTION_COLUMNS))
    if version is None:
        return FaqGaps(empty, [NO_FAQ], None, 0)
    # like the complaint topics: the last fit's saved topics take every message (a weekly run costs what its
    # new messages cost) until asked to refit or a new theme appears; every message gets a centrality
    modelled = model_reusing(engine, settings, docs, MESSAGES, refit, keep_known=False)
    if not modelled.has_topics:
        return FaqGaps(empty, modelled.notes, version.id, len(faq))
    focus = docs[modelled.topic.notna()]
    if modelled.result is not None:
        _keep_fit(engine, settings, docs, modelled, week)
    faq_embeddings, faq_tokens = faq_features(engine, settings.embedder, faq)
    config = MatchConfig(settings.faq_embedding_weight, settings.faq_threshold)
    # the modelling's own embeddings (and the fit's tokens): aligned with `focus`, the modelled rows in order
    tokens = modelled.tokens if modelled.tokens is not None else tokenize_documents(engine, focus)
    scores = hybrid_scores(modelled.embeddings, faq_embeddings, tokens, faq_tokens, config)
    suggestions = G.suggest(
        focus,
        modelled.topics,
        modelled.topic[focus.index].astype(int).to_numpy(),
        modelled.centrality[focus.index].to_numpy(),
        scores,
        coverage(scores, config),
        faq,
        *period_masks(focus[C.CREATED_AT], week, settings.faq_period_weeks),
    )
    return FaqGaps(suggestions, modelled.notes, version.id, len(faq))


def _keep_fit(engine: Engine, settings: Settings, docs: pd.DataFrame, modelled: Modelled, week: date) -> None:
    """Store a fresh fit's topics and centroids as a FAQ_RUN run: what the next runs assign with."""
    _, start, end = period_weeks(week, settings.faq_period_weeks)
    run_id = record_run(engine, settings, FAQ_RUN, (start, end - timedelta(days=1)), docs, modelled)
    path = modelled.saved.save(Path(settings.out_dir) / "faq-topics" / f"run{run_id}").parent
    with session_scope(engine) as session:
        repo.finish_run(session, run_id, model_path=str(path.resolve()))


def run_faq_gaps(settings: Settings, week: date, refit: bool = False) -> tuple[FaqGaps, Path]:
    """Suggestions for the period ending with `week`, over the same window as the weekly report, and their CSV."""
    engine = make_engine(settings.database_url)
    docs = load_window(engine, week - timedelta(weeks=settings.history_weeks), week + timedelta(days=7))
    gaps = find_faq_gaps(engine, settings, docs, week, refit)
    path = Path(settings.out_dir) / f"faq-gaps-{week}.csv"
    return gaps, gaps_report.write_gaps_csv(gaps.suggestions, path).resolve()


@flow(name="faq-gaps")  # prints go to the terminal: a person asked for the list
def faq_gaps(week_of: date | None = None, top: int = gaps_report.SHOWN_IN_REPORT, refit: bool = False) -> str:
    """Print the ranked FAQ-gap suggestions for the period ending with the week of `week_of` (default: the
    last complete week) and write them all to a CSV; returns the CSV's path."""
    week = analysis.week_start(week_of) if week_of else analysis.last_complete_week(date.today())
    settings = Settings()
    gaps, path = run_faq_gaps(settings, week, refit)
    print(f"FAQ の不足（{period_label(week, settings.faq_period_weeks)}、FAQ {gaps.n_entries}項目）")
    for line in [*gaps.notes, *gaps_report.plain_lines(gaps.suggestions, top)]:
        print(line)
    return str(path)
