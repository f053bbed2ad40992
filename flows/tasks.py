"""Prefect tasks: one-line wrappers around pipeline functions. Only I/O-bound steps retry; koe caches
tokens and embeddings itself, per text, so a retried analysis recomputes nothing it already stored."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NONE
from sqlalchemy import Engine

from flows import notify
from flows.console import PROGRESS
from flows.settings import Notify
from nlp.pii import Redactor
from pipeline import faq_gaps, pull, release_check, retype, weekly
from pipeline.config import PipelineConfig
from pipeline.hooks import Hooks, logged_progress, timed_stages
from pipeline.ingest import IngestReport
from pipeline.retype import Retyped
from sources.base import PullContext, SourceConfig, environment_secret

# Prefect's input hashing would cost time on DataFrames and fail on the engine; koe caches per text itself.
koe_task = partial(task, cache_policy=NONE)


def retry_on_io(task, task_run, state) -> bool:
    """Retry only I/O failures (a locked file, a dropped DB connection), never bad data or bugs."""
    from sqlalchemy.exc import OperationalError

    try:
        state.result()
    except (OSError, OperationalError):
        return True
    except Exception as exc:  # SourceError wraps the OSError of an unreadable file
        return isinstance(exc.__cause__, OSError)
    return False


def secret(env: str, block: str | None, what: str) -> str:
    """A credential from the Prefect Secret block `block`, else from the environment variable `env`."""
    if block:
        from prefect.blocks.system import Secret

        return str(Secret.load(block).get())
    return environment_secret(env, None, what)


def prefect_hooks() -> Hooks:
    """Stage timings to koe's progress log (the terminal, and the run's log through Prefect's extra
    loggers), progress to the run's log and as a Prefect progress artifact."""
    logged = logged_progress(get_run_logger())
    artifacts: dict[str, UUID] = {}

    def progress(what: str, done: int, total: int) -> None:
        logged(what, done, total)
        if what not in artifacts:
            artifacts[what] = create_progress_artifact(progress=0.0, description=what)
        update_progress_artifact(artifacts[what], progress=100.0 * done / max(total, 1))

    return Hooks(stage=timed_stages(PROGRESS), progress=progress)


@koe_task(retries=2, retry_delay_seconds=5, retry_condition_fn=retry_on_io, task_run_name="pull {spec.source}")
def pull_source(engine: Engine, spec: SourceConfig, redactor: Redactor, context: PullContext) -> IngestReport:
    return pull.pull(engine, spec, redactor, context)


@koe_task(retries=1, retry_delay_seconds=10, retry_condition_fn=retry_on_io)
def type_recent(engine: Engine, history_weeks: int) -> Retyped:
    return retype.type_recent(engine, history_weeks)


@koe_task(retries=1, retry_delay_seconds=10, retry_condition_fn=retry_on_io)
def analyse_week(
    engine: Engine, config: PipelineConfig, week: date, notes: list[str], refit: bool
) -> weekly.WeeklyOutputs:
    return weekly.analyse_week(engine, config, week, notes, refit, prefect_hooks())


@koe_task(retries=1, retry_delay_seconds=10, retry_condition_fn=retry_on_io)
def find_faq_gaps(engine: Engine, config: PipelineConfig, week: date, refit: bool) -> tuple[faq_gaps.FaqGaps, Path]:
    return faq_gaps.run_faq_gaps(engine, config, week, refit, prefect_hooks())


@koe_task(retries=1, retry_delay_seconds=10, retry_condition_fn=retry_on_io)
def check_release(
    engine: Engine, config: PipelineConfig, request: release_check.CheckRequest
) -> release_check.ReleaseOutputs:
    return release_check.run_release_check(engine, config, request, prefect_hooks())


class NotificationFailed(RuntimeError):
    pass


@koe_task(retries=2, retry_delay_seconds=10)
def notify_team(target: Notify, title: str, body: str) -> None:
    failures = notify.send(target, title, body)
    if failures:
        raise NotificationFailed("; ".join(failures))
