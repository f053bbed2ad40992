"""On-demand release check: did complaints rise after a launch, redesign or campaign, and about what?

One topic model is fitted on the complaints of both windows together, so that every document before and
after the release is assigned by the same model and the counts are comparable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from sqlalchemy import Engine

from flows.settings import Settings
from flows.steps import Modelled, load_window, model_complaints, record_run, topic_day_counts
from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from reports import release as report
from store import repo
from store.db import make_engine, session_scope


class ReleaseCheckError(ValueError):
    """The check cannot run as asked (unknown release, no date, too few complaints ...)."""


@dataclass(frozen=True)
class ReleaseOutputs:
    html: Path
    result: pd.DataFrame
    windows: S.Windows
    topics: pd.DataFrame


def resolve_release(engine: Engine, name: str | None, on_date: dt.date | None) -> report.ReleaseInfo:
    if name:
        with session_scope(engine) as session:
            found = repo.get_release(session, name)
            known = [r.name for r in repo.list_releases(session)]
        if found is None:
            raise ReleaseCheckError(
                f"no release named {name!r}; known: {', '.join(known) or '(none, see koe release add)'}"
            )
        return report.ReleaseInfo(found.name, found.kind, found.start, found.area)
    if on_date:
        return report.ReleaseInfo(f"{on_date:%Y-%m-%d} 以降", None, dt.datetime.combine(on_date, dt.time()))
    raise ReleaseCheckError("name a release (--release NAME) or a date (--date YYYY-MM-DD)")


def post_quotes(docs: pd.DataFrame, modelled: Modelled, release_day: dt.date, n: int = 3) -> dict[int, list[str]]:
    """The most central distinct complaints of each topic written on or after the release day."""
    after = docs.assign(**{C.TOPIC: modelled.topic, W.CENTRALITY: modelled.centrality})
    after = after[(after[C.CREATED_AT].dt.date >= release_day) & after[C.TOPIC].notna()]
    return {int(topic): W.quotes(group, n) for topic, group in after.groupby(C.TOPIC)}


def run_release_check(
    engine: Engine,
    settings: Settings,
    release: str | None,
    on_date: dt.date | None,
    post_days: int,
    pre_days: int,
    today: dt.date | None = None,
    refit: bool = False,
) -> ReleaseOutputs:
    info = resolve_release(engine, release, on_date)
    day = info.start.date()
    if day > (today or dt.date.today()):
        raise ReleaseCheckError(f"{info.name} starts on {day}, in the future: there is nothing to measure yet")
    docs = load_window(engine, day - dt.timedelta(days=pre_days), day + dt.timedelta(days=post_days))
    get_run_logger().info("release check %s: %d documents around %s", info.name, len(docs), day)
    # the last weekly run's saved topics take every complaint of both windows (no UMAP: no numba compile in
    # a fresh worker process, no fit), unless asked to refit or the drift test finds a theme they lack
    modelled = model_complaints(engine, settings, docs, refit=refit, keep_known=False)
    if not modelled.has_topics:
        raise ReleaseCheckError("; ".join(modelled.notes))
    counts, totals = topic_day_counts(docs, modelled)
    try:
        win, result = S.impact(counts, totals, day, pre_days=pre_days, post_days=post_days)
    except S.SpikeInputError as exc:
        raise ReleaseCheckError(str(exc)) from exc
    quotes = post_quotes(docs, modelled, day)
    context = report.build_context(info, win, result, modelled.topics, counts, quotes, notes=modelled.notes)
    slug = "".join(ch if ch.isalnum() else "-" for ch in info.name).strip("-") or "release"
    html = report.write_html(context, Path(settings.out_dir) / f"release-{day}-{slug}" / "report.html").resolve()
    run_id = record_run(
        engine, settings, "release_check", (win.pre_start, win.post_end - dt.timedelta(days=1)), docs, modelled
    )
    with session_scope(engine) as session:
        repo.finish_run(session, run_id, report_path=str(html))
    create_markdown_artifact(
        key="release-check",
        markdown=report.markdown_digest(context, html),
        description=f"koe release check {info.name}",
    )
    return ReleaseOutputs(html=html, result=result, windows=win, topics=modelled.topics)


@flow(name="release-check", log_prints=True)
def release_check(
    release: str | None = None,
    date: dt.date | None = None,
    post_days: int = 14,
    pre_days: int = 56,
    refit: bool = False,
) -> str:
    """Release impact report for a stored release (by name) or a date; returns the HTML report's path.
    Complaints are assigned with the last weekly run's topics unless `refit` (or a new theme appears)."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    return str(run_release_check(engine, settings, release, date, post_days, pre_days, refit=refit).html)
