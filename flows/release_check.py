"""The on-demand release check flow (pipeline.release_check, which resolves the release before any work)."""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.settings import Settings
from flows.tasks import check_release
from pipeline.release_check import CheckRequest
from store.db import make_engine


@flow(name="release-check", log_prints=True)
def release_check(
    release: str | None = None,
    date: dt.date | None = None,
    post_days: int | None = None,
    pre_days: int | None = None,
    refit: bool = False,
) -> str:
    """Release impact report for a stored release (by name) or a date; returns the HTML report's path.
    Windows default to the settings (KOE_RELEASE_PRE_DAYS, KOE_RELEASE_POST_DAYS). Complaints are assigned
    with the last weekly run's topics unless `refit` (or a new theme appears)."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    request = CheckRequest(release=release, on_date=date, pre_days=pre_days, post_days=post_days, refit=refit)
    # an unknown release or a future date fails first thing in the check, before anything is loaded
    outputs = check_release(engine, settings.pipeline_config(), request)
    description = f"koe release check {outputs.release.name}"
    create_markdown_artifact(key="release-check", markdown=outputs.digest, description=description)
    return str(outputs.html)
