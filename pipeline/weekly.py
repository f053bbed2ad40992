"""The weekly complaint report: the reported week with a trailing history window, the topics of every
message ranked by complaints, this week's spikes with the releases behind them, the FAQ gaps through the
same topics, the stored run, the HTML report and CSVs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.topics import save_model
from pipeline import faq_gaps, modelling
from pipeline.calendar import WEEK, Span, week_start, week_window
from pipeline.config import PipelineConfig, RunKind
from pipeline.hooks import LOGGING_HOOKS, Hooks
from pipeline.retype import retyped_notes, typed_window
from reports import faq_gaps as gaps_report
from reports import notes as report_notes
from reports import weekly as report
from store import repo
from store.db import session_scope

log = logging.getLogger("koe.pipeline")


@dataclass(frozen=True)
class WeeklyOutputs:
    run_id: int
    html: Path
    csv: Path
    summary: W.WeeklySummary
    spikes: list[dict]
    faq_gaps: faq_gaps.FaqGaps
    faq_csv: Path
    modelled: modelling.Modelled
    failures: list[str]  # notes of sources that could not be pulled before the run (shown in the report)


def analyse_week(
    engine: Engine,
    config: PipelineConfig,
    week: date,
    notes: list[str] | None = None,
    refit: bool = False,
    hooks: Hooks = LOGGING_HOOKS,
) -> WeeklyOutputs:
    """The report of the week starting `week`; `notes` (sources that failed) are shown at its top and
    returned as `failures`."""
    span = week_window(week, config.windows.history_weeks)
    with hooks.stage("load", 0):
        docs, retyped = typed_window(engine, span)  # one typer for every message of the report
    log.info("window %s..%s: %d documents", span.start, span.last_day, len(docs))
    coverage = coverage_notes(docs, span, week, config.windows.history_weeks) + retyped_notes(retyped)
    modelled = modelling.model(engine, config, docs, modelling.EVERY_MESSAGE, refit, hooks=hooks)
    with hooks.stage("spikes", len(docs)):
        spikes, spike_notes = weekly_spikes(engine, config, docs, modelled, week)
    gaps = faq_gaps.find_faq_gaps(engine, config, docs, week, modelled, hooks)
    with hooks.stage("report", len(docs)):
        summary = W.summarize_week(
            docs,
            modelled.topic,
            modelled.centrality,
            modelled.topics,
            week,
            themes=modelled.themes,
            trend_weeks=config.windows.trend_weeks,
        )
        return _store_and_render(
            engine,
            config,
            summary,
            docs,
            modelled,
            [*(notes or []), *coverage, *modelled.notes, *spike_notes],
            spikes,
            gaps,
            list(notes or []),
        )


def coverage_notes(docs: pd.DataFrame, span: Span, week: date, history_weeks: int) -> list[str]:
    """What the report must say when its window is partly empty: data that ends inside (or before) the
    reported week, or less history than the window asks for."""
    days = docs[C.CREATED_AT].dt.date
    last_day = days.max() if len(days) else None
    week_end = week + WEEK - timedelta(days=1)
    out = []
    if last_day is None or last_day < week_end:
        empty = 7 if last_day is None or last_day < week else (week_end - last_day).days
        out.append(report_notes.week_partly_empty(last_day if last_day and last_day >= week else None, empty))
    if len(days) and days.min() >= span.start + WEEK:
        out.append(report_notes.short_history((week - week_start(days.min())).days // 7, history_weeks))
    for note in out:
        log.warning("%s", note)
    return out


def weekly_spikes(
    engine: Engine, config: PipelineConfig, docs: pd.DataFrame, modelled: modelling.Modelled, week: date
) -> tuple[list[dict], list[str]]:
    """This week's significant rises of complaints, tested per theme and per subtopic with one correction
    over both, each with the releases that started shortly before it."""
    if modelled.topics.empty:
        return [], []
    tested = {}
    try:
        for level, groups in ((S.THEME, modelled.theme), (S.TOPIC, modelled.topic)):
            counts, totals = modelling.complaint_day_counts(docs, groups)
            _, tested[level] = S.weekly_spikes(counts, totals, week, baseline_weeks=config.windows.spike_baseline_weeks)
    except S.SpikeInputError as exc:
        return [], [report_notes.spikes_not_tested(str(exc))]
    with session_scope(engine) as session:
        releases = pd.DataFrame(
            [{"name": r.name, "start": r.start} for r in repo.list_releases(session)], columns=["name", "start"]
        )
    blamed = S.attribute(week, releases, config.release.lag_days)
    return report.spike_rows(S.joint(tested, rises_only=True), modelled.topics, modelled.themes, blamed), []


def _store_and_render(
    engine: Engine,
    config: PipelineConfig,
    summary: W.WeeklySummary,
    docs: pd.DataFrame,
    modelled: modelling.Modelled,
    notes: list[str],
    spikes: list[dict],
    gaps: faq_gaps.FaqGaps,
    failures: list[str],
) -> WeeklyOutputs:
    out = config.out_dir / f"weekly-{summary.week_start}"
    week = Span(summary.week_start, summary.week_start + WEEK)
    run_id = modelling.record_run(engine, config, RunKind.WEEKLY, week, docs, modelled)
    model_path = out / f"model-run{run_id}" if modelled.result or modelled.saved else None
    if modelled.result and model_path:
        save_model(modelled.result, model_path)
    if modelled.saved and model_path:
        modelled.saved.save(model_path)  # the next weekly run assigns its new complaints with these
    context = report.build_context(
        summary,
        notes=notes,
        spikes=spikes,
        faq_gaps=gaps_report.gap_rows(gaps.suggestions),
        faq_period=gaps.period_label,
        faq_notes=gaps.notes,
    )
    html = report.write_html(context, out / "report.html").resolve()
    csv = report.write_csv(summary, out / "topics.csv").resolve()
    faq_csv = gaps_report.write_gaps_csv(gaps.suggestions, out / gaps_report.csv_name(summary.week_start)).resolve()
    modelling.finish_run(engine, run_id, model_path=model_path, report_path=html, csv_path=csv)
    return WeeklyOutputs(run_id, html, csv, summary, spikes, gaps, faq_csv, modelled, failures)
