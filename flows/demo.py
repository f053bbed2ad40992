"""`koe demo`: the weekly flow on the bundled sample shop (data/sample), with its own SQLite file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from prefect import flow
from sqlalchemy import Engine

from flows import analysis
from flows.faq import import_faq
from flows.ingest_flow import ingest_all
from flows.release_check import ReleaseCheckError, ReleaseOutputs, run_release_check
from flows.releases import import_releases
from flows.settings import FileSource, Settings
from flows.weekly import WeeklyOutputs, analyse_week
from store import repo
from store.db import make_engine, session_scope

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DEMO_OUT = Path("data/out/demo")


def demo_settings(out_dir: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{(out_dir / 'koe-demo.db').resolve()}",
        out_dir=out_dir,
        sources=[
            FileSource(path=SAMPLE / "tickets.csv", source="demo-helpdesk", kind="ticket"),
            FileSource(path=SAMPLE / "reviews.jsonl", source="demo-reviews", kind="review"),
        ],
    )


def last_data_week(engine: Engine) -> date:
    """Monday of the last Monday-Sunday week that the stored data covers completely."""
    with session_scope(engine) as session:
        _, newest = repo.date_range(session)
    monday = analysis.week_start(newest.date())
    return monday if newest.date() >= monday + timedelta(days=6) else monday - timedelta(days=7)


@dataclass(frozen=True)
class DemoOutputs:
    weekly: WeeklyOutputs
    release_checks: dict[str, ReleaseOutputs]


def release_checks(engine: Engine, settings: Settings) -> dict[str, ReleaseOutputs]:
    """A release check for every release in the calendar; one that cannot be checked is said and skipped."""
    with session_scope(engine) as session:
        names = [r.name for r in repo.list_releases(session)]
    out = {}
    for name in names:
        try:
            out[name] = run_release_check(engine, settings, name, None, post_days=14, pre_days=56)
        except ReleaseCheckError as exc:
            print(f"release check {name}: skipped ({exc})")
    return out


@flow(name="demo-report")  # prints go to the terminal: the demo is run by a person
def demo_report(out_dir: Path = DEMO_OUT) -> DemoOutputs:
    settings = demo_settings(out_dir)
    engine = make_engine(settings.database_url)
    reports, failures = ingest_all(engine, settings)
    for report in reports:
        print(report.summary())
        for reject in report.rejects[:10]:
            print(f"  rejected {reject}")
    faq = import_faq(engine, SAMPLE / "faq.csv")
    print(f"{SAMPLE / 'faq.csv'}: " + (f"FAQ version {faq.version_id}" if faq.version_id else "FAQ unchanged"))
    print(import_releases(engine, SAMPLE / "releases.csv").summary())
    checks = release_checks(engine, settings)
    for name, check in checks.items():
        print(f"release check {name}: {check.html}")
    return DemoOutputs(analyse_week(engine, settings, last_data_week(engine), notes=failures), checks)
