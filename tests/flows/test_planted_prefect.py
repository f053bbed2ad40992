"""End to end under Prefect: planted personal values ingested by the ingest flow (beside a failing source
whose first row holds some of them) and analysed by the weekly flow. None may reach Prefect's database
(flow and task runs, states, logs, events, artifacts), its home folder, the store, the output folder or the
terminal (issue #17: a failing source's note once copied a row into Prefect's state and logs)."""

from datetime import date
from pathlib import Path

import pytest

from tests.helpers.planted import planted
from tests.pipeline.test_planted_pii import WEEK, file_texts, leaks_in, text_cells, write_export

SAMPLE_FAQ = Path(__file__).resolve().parents[2] / "data" / "sample" / "faq.csv"


def test_no_planted_value_reaches_prefects_state(prefect_api, tmp_path, asdc_sample, monkeypatch, capfd):
    import prefect.settings
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    from flows.ingest_flow import SourcesFailed, ingest_sources
    from flows.weekly import weekly_report
    from pipeline.imports import import_faq
    from store.db import make_engine, sqlite_url

    values = planted(n_per_format=4)
    write_export(tmp_path / "tickets.csv", values, [r["text"] for r in asdc_sample])
    # a headerless export of the wrong shape: its first row is personal data and the file is refused
    rows = [[value for _, value, _ in values[i : i + 3]] for i in (0, 3)]
    (tmp_path / "broken.csv").write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    store, out = tmp_path / "koe.db", tmp_path / "out"
    config = tmp_path / "koe.toml"
    config.write_text(
        f"""
database_url = "{sqlite_url(store)}"
out_dir = "{out}"
[[sources]]
type = "file"
source = "desk"
path = "{tmp_path / "tickets.csv"}"
kind = "ticket"
[[sources]]
type = "file"
source = "old-desk"
path = "{tmp_path / "broken.csv"}"
kind = "ticket"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("KOE_CONFIG", str(config))
    monkeypatch.delenv("KOE_DATABASE_URL", raising=False)
    monkeypatch.delenv("KOE_OUT_DIR", raising=False)
    with pytest.raises(SourcesFailed) as failed:
        ingest_sources()
    assert "old-desk" in failed.value.summary and "new 0" not in failed.value.summary.split("\n")[0]
    import_faq(make_engine(sqlite_url(store)), SAMPLE_FAQ)
    with pytest.raises(SourcesFailed) as weekly:  # the weekly flow pulls first: the report names the failure
        weekly_report(week_of=WEEK + (date(2026, 11, 12) - date(2026, 11, 9)))
    assert weekly.value.report and "old-desk" in Path(weekly.value.report).read_text(encoding="utf-8")
    APILogWorker.drain_all()  # logs and events are sent in batches: all of them are in the database now
    EventsWorker.drain_all()
    printed = capfd.readouterr()

    prefect_db = Path(prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split("///", 1)[1])
    places = {
        "prefect database": text_cells(prefect_db),
        "prefect home": file_texts(Path(prefect.settings.PREFECT_HOME.value())),
        "store": text_cells(store),
        "output files": file_texts(out),
        "terminal": printed.out + printed.err,
    }
    assert "old-desk" in places["prefect database"]  # the failure is there, named, without its rows
    assert leaks_in(places, values) == []
