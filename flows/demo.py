"""`koe demo`: the weekly flow on the bundled sample shop (data/sample), with its own SQLite file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow

from flows.ingest_flow import ingest_all
from flows.settings import Settings
from flows.tasks import analyse_week, check_release
from pipeline import caches
from pipeline.imports import import_faq, import_releases
from pipeline.release_check import CheckRequest, ReleaseCheckError, ReleaseOutputs
from pipeline.weekly import WeeklyOutputs
from sources.files import FileSource
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


@dataclass(frozen=True)
class DemoOutputs:
    weekly: WeeklyOutputs
    release_checks: dict[str, ReleaseOutputs]


@flow(name="demo-report")  # prints go to the terminal: the demo is run by a person
def demo_report(out_dir: Path = DEMO_OUT) -> DemoOutputs:
    settings = demo_settings(out_dir)
    engine = make_engine(settings.database_url)
    config = settings.pipeline_config()
    reports, failures = ingest_all(engine, settings)
    for report in reports:
        print(report.summary())
        for reject in report.rejects[:10]:
            print(f"  rejected {reject}")
    faq = import_faq(engine, SAMPLE / "faq.csv")
    print(f"{SAMPLE / 'faq.csv'}: " + (f"FAQ version {faq.version_id}" if faq.version_id else "FAQ unchanged"))
    print(import_releases(engine, SAMPLE / "releases.csv").summary())
    with session_scope(engine) as session:
        names = [r.name for r in repo.list_releases(session)]
    checks = {}
    for name in names:  # one that cannot be checked is said and skipped
        try:
            checks[name] = check_release(engine, config, CheckRequest(release=name))
        except ReleaseCheckError as exc:
            print(f"release check {name}: skipped ({exc})")
    for name, check in checks.items():
        print(f"release check {name}: {check.html}")
    week = caches.last_week_with_data(engine)
    assert week is not None, "the sample shop was just ingested"
    return DemoOutputs(analyse_week(engine, config, week, failures, False), checks)
