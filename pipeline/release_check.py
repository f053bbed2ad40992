"""On-demand release check: did complaints rise after a launch, redesign or campaign, and about what?

Every message before and after the release is assigned by the same topics as the weekly report (the last
weekly run's, or one fit over both windows), and each topic's complaints are counted, so the counts are
comparable and the topics are the weekly report's.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from pipeline import modelling
from pipeline.calendar import Span, release_window
from pipeline.config import PipelineConfig, ReleaseWindows, RunKind
from pipeline.hooks import LOGGING_HOOKS, Hooks
from pipeline.retype import retyped_notes, typed_window
from reports import notes
from reports import release as report
from store import repo
from store.db import session_scope

log = logging.getLogger("koe.pipeline")


class ReleaseCheckError(ValueError):
    """The check cannot run as asked (unknown release, no date, too few complaints ...)."""


@dataclass(frozen=True)
class ReleaseOutputs:
    html: Path
    result: pd.DataFrame
    windows: S.Windows
    topics: pd.DataFrame
    themes: pd.DataFrame
    digest: str  # the markdown summary the flow publishes as an artifact
    release: report.ReleaseInfo


def resolve_release(engine: Engine, name: str | None, on_date: dt.date | None) -> report.ReleaseInfo:
    """The release named `name`, or a bare date; fails with the names it knows."""
    if name:
        with session_scope(engine) as session:
            found = repo.get_release(session, name)
            known = [r.name for r in repo.list_releases(session)]
            info = report.ReleaseInfo(found.name, found.kind, found.start, found.area) if found else None
        if info is None:
            raise ReleaseCheckError(
                f"no release named {name!r}; known: {', '.join(known) or '(none, see koe release add)'}"
            )
        return info
    if on_date:
        return report.ReleaseInfo(notes.since_date(on_date), None, dt.datetime.combine(on_date, dt.time()))
    raise ReleaseCheckError("name a release (--release NAME) or a date (--date YYYY-MM-DD)")


def check_not_future(request: CheckRequest, info: report.ReleaseInfo, today: dt.date) -> None:
    day = info.start.date()
    if day > today:
        what = f"release {request.release!r} starts on {day}" if request.release else f"{day} is"
        raise ReleaseCheckError(f"{what} in the future: there is nothing to measure yet")


def post_quotes(
    docs: pd.DataFrame, groups: pd.Series, centrality: pd.Series, release_day: dt.date, n: int = 3
) -> dict[int, list[str]]:
    """The most central distinct complaints of each group (a per-document topic or theme id) written on or
    after the release day."""
    after = docs.assign(**{C.TOPIC: groups, W.CENTRALITY: centrality})
    complaint = after[C.DOC_TYPE] == C.DocType.COMPLAINT
    after = after[(after[C.CREATED_AT].dt.date >= release_day) & (after[C.TOPIC] >= 0) & complaint]
    return {int(group): W.quotes(members, n) for group, members in after.groupby(C.TOPIC)}


@dataclass(frozen=True)
class CheckRequest:
    """What a release owner asks: a release by name or a bare date; windows other than the configured ones
    (None: `PipelineConfig.release`); `refit` the topics instead of the last weekly run's; `today` for tests."""

    release: str | None = None
    on_date: dt.date | None = None
    pre_days: int | None = None
    post_days: int | None = None
    refit: bool = False
    today: dt.date | None = None

    def windows(self, configured: ReleaseWindows) -> ReleaseWindows:
        return ReleaseWindows(
            pre_days=self.pre_days or configured.pre_days,
            post_days=self.post_days or configured.post_days,
            lag_days=configured.lag_days,
        )


def validate(engine: Engine, request: CheckRequest) -> report.ReleaseInfo:
    """The release the request names, checked before any modelling: unknown names and future dates fail."""
    info = resolve_release(engine, request.release, request.on_date)
    check_not_future(request, info, request.today or dt.date.today())
    return info


def run_release_check(
    engine: Engine, config: PipelineConfig, request: CheckRequest, hooks: Hooks = LOGGING_HOOKS
) -> ReleaseOutputs:
    """The impact report of a release (by name) or a date."""
    windows = request.windows(config.release)
    info = validate(engine, request)
    day = info.start.date()
    with hooks.stage("load", 0):
        # one typer for every message of the report
        docs, retyped = typed_window(engine, release_window(day, windows.pre_days, windows.post_days))
    log.info("release check %s: %d documents around %s", info.name, len(docs), day)
    # the last weekly run's saved topics take every message of both windows (no UMAP: no numba compile in
    # a fresh worker process, no fit), unless asked to refit or the drift test finds a theme they lack
    modelled = modelling.model(
        engine, config, docs, modelling.EVERY_MESSAGE, request.refit, keep_known=False, hooks=hooks
    )
    if not modelled.has_topics:
        raise ReleaseCheckError("; ".join(modelled.notes))
    tested, levels = {}, {}
    with hooks.stage("spikes", len(docs)):
        for level, groups, described in (
            (S.THEME, modelled.theme, modelled.themes.set_index(C.THEME_ID)),
            (S.TOPIC, modelled.topic, modelled.topics.set_index(C.TOPIC_ID)),
        ):
            counts, totals = modelling.complaint_day_counts(docs, groups)
            try:
                win, tested[level] = S.impact(
                    counts, totals, day, pre_days=windows.pre_days, post_days=windows.post_days
                )
            except S.SpikeInputError as exc:
                raise ReleaseCheckError(str(exc)) from exc
            levels[level] = report.Level(described, counts, post_quotes(docs, groups, modelled.centrality, day))
        result = S.joint(tested)
    with hooks.stage("report", len(docs)):
        context = report.build_context(info, win, result, levels, notes=[*retyped_notes(retyped), *modelled.notes])
        slug = "".join(ch if ch.isalnum() else "-" for ch in info.name).strip("-") or "release"
        html = report.write_html(context, config.out_dir / f"release-{day}-{slug}" / "report.html").resolve()
    period = Span(win.pre_start, win.post_end)
    run_id = modelling.record_run(engine, config, RunKind.RELEASE_CHECK, period, docs, modelled)
    modelling.finish_run(engine, run_id, report_path=html)
    digest = report.markdown_digest(context, html)
    return ReleaseOutputs(html, result, win, modelled.topics, modelled.themes, digest, info)
