"""The FAQ-gap flow: a CS lead asks which questions the FAQ does not answer (pipeline.faq_gaps)."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.settings import Settings
from flows.tasks import find_faq_gaps
from pipeline import caches
from pipeline.calendar import reported_week
from reports import faq_gaps as gaps_report
from reports import notes
from store.db import make_engine


@flow(name="faq-gaps")  # prints go to the terminal: a person asked for the list
def faq_gaps(week_of: date | None = None, top: int = gaps_report.SHOWN_IN_REPORT, refit: bool = False) -> str:
    """Print the ranked FAQ-gap suggestions for the period ending with the week of `week_of` (default: the
    last complete week, or the data's when it ends earlier) and write them all to a CSV; returns its path."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    week = reported_week(week_of, caches.last_week_with_data(engine), date.today())
    gaps, path = find_faq_gaps(engine, settings.pipeline_config(), week, refit)
    print(notes.faq_gaps_heading(gaps.period_label, gaps.n_entries))
    for line in [*gaps.notes, *gaps_report.plain_lines(gaps.suggestions, top)]:
        print(line)
    return str(path)
