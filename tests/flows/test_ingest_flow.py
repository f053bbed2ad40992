"""The ingest flow: sources from koe.toml, a task per source; a failing source is named, the others land."""

import sqlite3
import tomllib
from pathlib import Path

import pytest

from flows.settings import ConfigFileError, Settings
from sources import registry
from sources.zendesk import EXPORT_PATH
from tests.helpers.http_stub import HttpStub, serve
from tests.sources.test_mail import iso2022jp_mail
from tests.sources.test_reviews import RAKUTEN
from tests.sources.test_zendesk import comments, page

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_documents_every_source_type(tmp_path, monkeypatch):
    monkeypatch.setenv("KOE_CONFIG", str(ROOT / "koe.toml.example"))
    settings = Settings()
    assert sorted({s.type for s in settings.sources}) == registry.types()  # every connector documented
    assert settings.notify is not None and settings.mail.automatic_from[0] == "no-?reply"
    assert "token" not in {k for s in tomllib.loads((ROOT / "koe.toml.example").read_text()).get("sources", [])
                           for k in s}  # fmt: skip


def test_broken_config_names_the_file(tmp_path, monkeypatch):
    bad = tmp_path / "koe.toml"
    bad.write_text('[[sources]]\ntype = "file"\nsource = \n', encoding="utf-8")
    monkeypatch.setenv("KOE_CONFIG", str(bad))
    with pytest.raises(ConfigFileError, match=f"{bad}: .*line 3"):
        Settings()


@pytest.fixture
def zendesk():
    stub = HttpStub()
    stub.answer(EXPORT_PATH, (200, {}, page([101, 102], "c1", True)))
    for tid in (101, 102):
        stub.answer(f"/api/v2/tickets/{tid}/comments.json", (200, {}, comments(tid)))
    stop = serve(stub)
    yield stub
    stop()


def test_ingest_flow_pulls_zendesk_mail_reviews_and_names_the_failure(prefect_api, zendesk, tmp_path, monkeypatch):
    from flows.ingest_flow import SourcesFailed, ingest_sources

    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "1.eml").write_bytes(iso2022jp_mail())
    (tmp_path / "rakuten.csv").write_bytes(RAKUTEN.encode("cp932"))
    config = tmp_path / "koe.toml"
    config.write_text(
        f"""
database_url = "sqlite:///{tmp_path / "koe.db"}"
[[sources]]
type = "zendesk"
source = "zendesk"
base_url = "{zendesk.url}"
email = "cs@example.jp"
[[sources]]
type = "file"
source = "old-export"
path = "{tmp_path / "missing.csv"}"
[[sources]]
type = "eml"
source = "mailbox"
path = "{tmp_path / "mail"}"
[[sources]]
type = "reviews"
source = "rakuten"
preset = "rakuten"
path = "{tmp_path / "rakuten.csv"}"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("KOE_CONFIG", str(config))
    monkeypatch.delenv("KOE_DATABASE_URL")  # the test's koe.toml names the store (the environment would win)
    monkeypatch.setenv("KOE_ZENDESK_TOKEN", "TOKEN")
    with pytest.raises(SourcesFailed) as failed:  # a failed source fails the run: cron and monitoring see it
        ingest_sources()
    lines = failed.value.summary.splitlines()
    assert f"- zendesk ({zendesk.url}): read 2 / new 2 / duplicate 0 / rejected 0" in lines
    assert f"- {tmp_path / 'mail'}: read 1 / new 1 / duplicate 0 / rejected 0" in lines
    assert f"- {tmp_path / 'rakuten.csv'}: read 2 / new 2 / duplicate 0 / rejected 0" in lines
    assert f"- ❌ ソース「old-export」を取り込めませんでした: {tmp_path / 'missing.csv'}: no such file" in lines
    db = sqlite3.connect(tmp_path / "koe.db")
    assert dict(db.execute("select source, count(*) from documents group by source").fetchall()) == {
        "zendesk": 2,
        "mailbox": 1,
        "rakuten": 2,
    }
    # typed by the flow (the typer of the day), not left to the next report's load
    assert db.execute("select count(*) from documents where typed_by is null or doc_type = 'untyped'").fetchone() == (
        0,
    )
    with pytest.raises(SourcesFailed) as again:  # hourly: nothing twice
        ingest_sources()
    assert "new 0" in again.value.summary and db.execute("select count(*) from documents").fetchone() == (5,)
