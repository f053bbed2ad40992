"""`koe demo`: the weekly flow on the bundled sample shop (data/sample), into the configured store
(data/koe.db by default), so the commands a newcomer runs next (`koe release list`, `koe weekly` ...) see
the demo's data. A store that already holds another shop's documents is never mixed with the demo's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow
from sqlalchemy import Engine

from flows.ingest_flow import ingest_all
from flows.settings import Settings
from flows.tasks import analyse_week, check_release
from flows.weekly import say_summary
from pipeline import caches
from pipeline.imports import import_faq, import_releases
from pipeline.release_check import CheckRequest, ReleaseCheckError, ReleaseOutputs
from pipeline.weekly import WeeklyOutputs
from sources.files import FileSource
from store import repo
from store.db import make_engine, session_scope

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SOURCES = ("demo-helpdesk", "demo-reviews")


class DemoStoreInUse(RuntimeError):
    """The store holds documents of other sources: the demo would mix its invented shop into them."""


def demo_settings(out_dir: Path | None = None, database_url: str | None = None) -> Settings:
    """The configured settings (KOE_*), with the sample shop's exports as the sources."""
    base = Settings()
    return base.model_copy(
        update={
            "database_url": database_url or base.database_url,
            "out_dir": out_dir or base.out_dir,
            "sources": [
                FileSource(path=SAMPLE / "tickets.csv", source=SOURCES[0], kind="ticket"),
                FileSource(path=SAMPLE / "reviews.jsonl", source=SOURCES[1], kind="review"),
            ],
        }
    )


def check_store(engine: Engine, database_url: str) -> None:
    """Refuse a store that holds another shop's documents (one line saying how to run the demo apart)."""
    with session_scope(engine) as session:
        others = sorted(set(repo.source_counts(session)) - set(SOURCES))
    if others:
        raise DemoStoreInUse(
            f"{database_url} holds other sources ({', '.join(others)}); run the demo in its own store: "
            "KOE_DATABASE_URL=sqlite:///data/demo.db koe demo"
        )


@dataclass(frozen=True)
class DemoOutputs:
    weekly: WeeklyOutputs
    release_checks: dict[str, ReleaseOutputs]


@flow(name="demo-report")  # prints go to the terminal: the demo is run by a person
def demo_report(out_dir: Path | None = None, database_url: str | None = None) -> DemoOutputs:
    """The sample shop into the configured store (or `database_url`), its release checks and the report of
    its last complete week, written under the configured out dir (or `out_dir`)."""
    settings = demo_settings(out_dir, database_url)
    engine = make_engine(settings.database_url)
    check_store(engine, settings.database_url)
    config = settings.pipeline_config()
    reports, failures = ingest_all(engine, settings)
    for report in reports:
        print(report.summary())
        for reject in report.rejects[:10]:
            print(f"  rejected {reject}")
    faq = import_faq(engine, SAMPLE / "faq.csv")
    print(f"{SAMPLE / 'faq.csv'}: " + (f"FAQ version {faq.version_id}" if faq.version_id else "FAQ unchanged"))
    print(import_releases(engine, SAMPLE / "releases.csv").summary())
    week = caches.last_week_with_data(engine)
    assert week is not None, "the sample shop was just ingested"
    weekly = analyse_week(engine, config, week, failures, False)
    with session_scope(engine) as session:
        names = [r.name for r in repo.list_releases(session)]
    checks = {}
    for name in names:  # after the weekly run: its themes and names are the release reports' (one taxonomy)
        try:
            checks[name] = check_release(engine, config, CheckRequest(release=name))
        except ReleaseCheckError as exc:
            print(f"release check {name}: skipped ({exc})")
    for name, check in checks.items():
        print(f"release check {name}: {check.html}")
    say_summary(weekly)
    return DemoOutputs(weekly, checks)
