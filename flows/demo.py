"""`koe demo`: the weekly flow on the bundled sample shop (data/sample), with its own SQLite file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow
from sqlalchemy import Engine

from flows import analysis
from flows.settings import FileSource, Settings
from flows.weekly import WeeklyOutputs, analyse_week, ingest_all
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


@flow(name="demo-report", log_prints=True)
def demo_report(out_dir: Path = DEMO_OUT) -> WeeklyOutputs:
    settings = demo_settings(out_dir)
    engine = make_engine(settings.database_url)
    reports, failures = ingest_all(engine, settings)
    for report in reports:
        print(report.summary())
        for reject in report.rejects[:10]:
            print(f"  rejected {reject}")
    return analyse_week(engine, settings, last_data_week(engine), notes=failures)
