"""The weekly complaint report flow: ingest configured sources, analyse the week with a trailing history
window, store the run, render the HTML report, the topics CSV and a Prefect markdown artifact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from sqlalchemy import Engine

from flows import analysis
from flows.faq_gaps import FaqGaps, find_faq_gaps, period_label
from flows.ingest_flow import ingest_all
from flows.settings import Settings
from flows.steps import (
    WEEKLY_RUN,
    Modelled,
    load_window,
    model_complaints,
    notify_team,
    record_run,
    topic_day_counts,
)
from nlp import spikes as S
from nlp import weekly as W
from nlp.topics import save_model
from reports import faq_gaps as gaps_report
from reports import weekly as report
from store import repo
from store.db import make_engine, session_scope


@dataclass(frozen=True)
class WeeklyOutputs:
    run_id: int
    html: Path
    csv: Path
    summary: W.WeeklySummary
    spikes: list[dict]
    faq_gaps: FaqGaps
    faq_csv: Path


def analyse_week(
    engine: Engine, settings: Settings, week: date, notes: list[str] | None = None, refit: bool = False
) -> WeeklyOutputs:
    start = week - timedelta(weeks=settings.history_weeks)
    docs = load_window(engine, start, week + timedelta(days=7))
    get_run_logger().info("window %s..%s: %d documents", start, week + timedelta(days=6), len(docs))
    modelled = model_complaints(engine, settings, docs, refit)
    summary = W.summarize_week(
        docs, modelled.topic, modelled.centrality, modelled.topics, week, trend_weeks=settings.trend_weeks
    )
    spikes, spike_notes = _spikes(engine, settings, docs, modelled, week)
    gaps = find_faq_gaps(engine, settings, docs, week, refit)
    return _store_and_render(
        engine, settings, summary, docs, modelled, [*(notes or []), *modelled.notes, *spike_notes], spikes, gaps
    )


def _spikes(
    engine: Engine, settings: Settings, docs: pd.DataFrame, modelled: Modelled, week: date
) -> tuple[list[dict], list[str]]:
    """This week's significant rises, each with the releases that started shortly before it."""
    if modelled.topics.empty:
        return [], []
    counts, totals = topic_day_counts(docs, modelled)
    try:
        _, result = S.weekly_spikes(counts, totals, week, baseline_weeks=settings.spike_baseline_weeks)
    except S.SpikeInputError as exc:
        return [], [f"急増の検定は行いませんでした（{exc}）。"]
    with session_scope(engine) as session:
        releases = pd.DataFrame(
            [{"name": r.name, "start": r.start} for r in repo.list_releases(session)], columns=["name", "start"]
        )
    blamed = S.attribute(week, releases, settings.release_lag_days)
    return report.spike_rows(result, modelled.topics, blamed), []


def _store_and_render(
    engine: Engine,
    settings: Settings,
    summary: W.WeeklySummary,
    docs: pd.DataFrame,
    modelled: Modelled,
    notes: list[str],
    spikes: list[dict],
    gaps: FaqGaps,
) -> WeeklyOutputs:
    result = modelled.result
    out = Path(settings.out_dir) / f"weekly-{summary.week_start}"
    run_id = record_run(engine, settings, WEEKLY_RUN, (summary.week_start, summary.week_end), docs, modelled)
    model_path = out / f"model-run{run_id}" if result or modelled.saved else None
    if result:
        save_model(result, model_path)
    if modelled.saved:
        modelled.saved.save(model_path)  # the next weekly run assigns its new complaints with these
    context = report.build_context(
        summary,
        notes=notes,
        spikes=spikes,
        faq_gaps=gaps_report.gap_rows(gaps.suggestions),
        faq_period=period_label(summary.week_start, settings.faq_period_weeks),
        faq_notes=gaps.notes,
    )
    html = report.write_html(context, out / "report.html")
    csv = report.write_csv(summary, out / "topics.csv")
    faq_csv = gaps_report.write_gaps_csv(gaps.suggestions, out / "faq_gaps.csv")
    with session_scope(engine) as session:
        repo.finish_run(
            session,
            run_id,
            model_path=str(model_path) if model_path else None,
            report_path=str(html.resolve()),
            csv_path=str(csv.resolve()),
        )
    create_markdown_artifact(
        key="weekly-report",
        markdown=report.markdown_digest(summary, html.resolve()),
        description=f"koe weekly report {summary.week_start}",
    )
    return WeeklyOutputs(
        run_id=run_id,
        html=html.resolve(),
        csv=csv.resolve(),
        summary=summary,
        spikes=spikes,
        faq_gaps=gaps,
        faq_csv=faq_csv.resolve(),
    )


def run_weekly(settings: Settings, week_of: date | None, refit: bool = False) -> WeeklyOutputs:
    engine = make_engine(settings.database_url)
    _, failures = ingest_all(engine, settings)
    week = analysis.week_start(week_of) if week_of else analysis.last_complete_week(date.today())
    outputs = analyse_week(engine, settings, week, notes=failures, refit=refit)
    if settings.notify is not None:
        title, body = report.notification(outputs.summary, outputs.html)
        state = notify_team(settings.notify, title, body, return_state=True)
        if state.is_failed():
            get_run_logger().warning("notification not sent: %s", state.result(raise_on_failure=False))
    return outputs


@flow(name="weekly-report", log_prints=True)
def weekly_report(week_of: date | None = None, refit: bool = False) -> str:
    """The report of the Monday-Sunday week containing `week_of` (default: the last complete week),
    with settings from the environment (KOE_*). New complaints are assigned with the last weekly run's
    topics unless `refit` (or a new theme, nlp.assign.drift). Returns the HTML report's path."""
    return str(run_weekly(Settings(), week_of, refit).html)
