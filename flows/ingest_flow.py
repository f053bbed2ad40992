"""The ingest flow: every configured source (koe.toml, KOE_SOURCES) pulled by its own task. A source that
fails is logged, named in the summary and the report, and does not stop the others."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from sqlalchemy import Engine

from flows.settings import Settings
from flows.tasks import pull_source, secret, type_recent
from nlp.pii import make_redactor
from pipeline.ingest import IngestReport
from reports import notes
from sources.base import PullContext
from store.db import make_engine


def ingest_all(engine: Engine, settings: Settings) -> tuple[list[IngestReport], list[str]]:
    """(reports of the sources that worked, a note per source that failed)."""
    redactor, context = make_redactor(settings.order_patterns), PullContext(secret, settings.mail)
    reports, failures = [], []
    for spec in settings.sources:
        state = pull_source(engine, spec, redactor, context, return_state=True)
        if state.is_failed():
            reason = state.result(raise_on_failure=False)
            get_run_logger().error("source %s not ingested: %s", spec.source, reason)
            failures.append(notes.source_failed(spec.source, str(reason)))
        else:
            reports.append(state.result())
    for report in reports:
        get_run_logger().info(report.summary())
    return reports, failures


def summary_markdown(reports: list[IngestReport], failures: list[str]) -> str:
    lines = ["# koe ingest", "", *(f"- {r.summary()}" for r in reports), *(f"- ❌ {f}" for f in failures)]
    return "\n".join(lines)


class SourcesFailed(RuntimeError):
    """Some sources could not be pulled (the others were stored, and a weekly report was still written,
    naming them): the run fails so cron and monitoring see it. `report` is the weekly report's path."""

    def __init__(self, summary: str, failed: int, report: str | None = None) -> None:
        super().__init__(f"{failed} source(s) not ingested; the others were stored")
        self.summary = summary
        self.report = report


@flow(name="ingest")
def ingest_sources() -> str:
    """Pull every configured source once (deployed hourly), then type what the next reports read (so a
    weekly report or a release check does not wait for it). Returns the run summary; when a source failed,
    the others are stored, the summary is published, and the run fails (SourcesFailed)."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    reports, failures = ingest_all(engine, settings)
    if any(r.new for r in reports):  # typed here, by the typer of the day, not in the next report's load
        get_run_logger().info(type_recent(engine, settings.history_weeks).summary())
    summary = summary_markdown(reports, failures)
    create_markdown_artifact(key="ingest", markdown=summary, description="koe ingest summary")
    if failures:
        raise SourcesFailed(summary, len(failures))
    return summary
