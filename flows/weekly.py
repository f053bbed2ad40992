"""The weekly complaint report flow: ingest the configured sources, analyse the week (pipeline.weekly),
publish a markdown artifact, notify the team."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.console import PROGRESS
from flows.ingest_flow import SourcesFailed, ingest_all
from flows.settings import Settings
from flows.tasks import analyse_week, notify_team
from pipeline import caches
from pipeline.calendar import reported_week
from pipeline.weekly import WeeklyOutputs
from reports import weekly as report
from store.db import make_engine


def say_summary(outputs: WeeklyOutputs) -> None:
    """The run's short summary to the terminal and the run log; the caller prints the report path last."""
    for line in report.summary_lines(outputs.summary, outputs.spikes, outputs.faq_gaps.suggestions):
        PROGRESS.info(line)


def run_weekly(settings: Settings, week_of: date | None, refit: bool = False) -> WeeklyOutputs:
    engine = make_engine(settings.database_url)
    config = settings.pipeline_config()
    _, failures = ingest_all(engine, settings)
    week = reported_week(week_of, caches.last_week_with_data(engine), date.today())
    outputs = analyse_week(engine, config, week, failures, refit)
    create_markdown_artifact(
        key="weekly-report",
        markdown=report.markdown_digest(outputs.summary, outputs.html),
        description=f"koe weekly report {outputs.summary.week_start}",
    )
    say_summary(outputs)
    if settings.notify is not None:
        title, body = report.notification(outputs.summary, outputs.html)
        state = notify_team(settings.notify, title, body, return_state=True)
        if state.is_failed():
            get_run_logger().warning("notification not sent: %s", state.result(raise_on_failure=False))
    return outputs


@flow(name="weekly-report", log_prints=True)
def weekly_report(week_of: date | None = None, refit: bool = False) -> str:
    """The report of the Monday-Sunday week containing `week_of` (default: the last complete week, or the
    last complete week of the data when it ends earlier),
    with settings from the environment (KOE_*). New complaints are assigned with the last weekly run's
    topics unless `refit` (or a new theme, nlp.assign.drift). Returns the HTML report's path. When a
    source could not be pulled the report is still written (naming it) and the run then fails."""
    outputs = run_weekly(Settings(), week_of, refit)
    if outputs.failures:
        raise SourcesFailed("\n".join(outputs.failures), len(outputs.failures), str(outputs.html))
    return str(outputs.html)
