"""Ingest into a real SQLite file: redaction before storing, idempotent re-runs, nothing lost on errors."""

from datetime import date

import pytest
from sqlalchemy import select

from nlp.columns import DOC_TYPE, UNTYPED
from nlp.pii import redact
from pipeline.calendar import Span
from pipeline.ingest import ingest_file
from pipeline.retype import typed_window
from pipeline.typing import current_typer_version
from sources.records import SourceError
from store import repo
from store.db import session_scope
from store.models import Document

CSV = (
    "チケットID,受付日時,チャネル,お問い合わせ内容,回答内容\r\n"
    "A1,2026/11/02 10:00,mail,お世話になっております。注文した土鍋がまだ届きません。電話は090-1234-5678です。,"
    "ご不便をおかけしております。担当 鈴木 <suzuki@shop.example.jp>\r\n"
    "A2,2026/11/02 11:00,form,カード 4111 1111 1111 1111 で二重に決済されました。返金してください,\r\n"
    "A3,2026/11/02 12:00,chat,<script>alert(1)</script> カートに入らない,\r\n"
    "A4,2026/13/40,chat,ログインできない,\r\n"
)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_bytes(CSV.encode("cp932"))
    return path


def stored(engine) -> list[Document]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Document).order_by(Document.external_id)))


@pytest.mark.parametrize("over_workers", [False, True], ids=["in-process", "over-workers"])
def test_ingest_redacts_and_reports_and_the_report_types(engine, export, monkeypatch, over_workers):
    """Also with every batch prepared and typed by the worker processes (nlp/parallel.py): the same rows."""
    from nlp import parallel

    if over_workers:
        if not parallel.may_start_workers():
            pytest.skip("one core, or a daemonic process: steps run in the process itself")
        monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 2)
    report = ingest_file(engine, export, source="helpdesk", kind="ticket", redactor=redact)
    assert (report.read, report.new, report.duplicate, report.rejected) == (4, 3, 0, 1)
    assert str(report.rejects[0]) == f"{export}:5: unparsable date '2026/13/40' (month must be in 1..12)"
    docs = stored(engine)
    assert docs[0].text == "注文した土鍋がまだ届きません。電話は<PHONE>です。"
    assert docs[0].agent_reply == "ご不便をおかけしております。担当 鈴木 <EMAIL>"
    assert docs[1].text == "カード <CARD> で二重に決済されました。返金してください"
    assert docs[2].text == "<script>alert(1)</script> カートに入らない"  # stored as text, escaped when shown
    # stored untyped: the first report over their window types them, with the typer of that day
    assert [(d.doc_type, d.typed_by) for d in docs] == [(UNTYPED, None)] * 3
    window = typed_window(engine, Span(date(2026, 11, 2), date(2026, 11, 3))).docs
    assert window[DOC_TYPE].tolist() == ["complaint", "complaint", "complaint"]
    assert {d.typed_by for d in stored(engine)} == {current_typer_version(engine)}


def test_reingest_adds_nothing(engine, export):
    ingest_file(engine, export, source="helpdesk", kind="ticket", redactor=redact)
    again = ingest_file(engine, export, source="helpdesk", kind="ticket", redactor=redact)
    assert (again.new, again.duplicate) == (0, 3)
    assert len(stored(engine)) == 3


def test_bad_file_loses_nothing(engine, export, tmp_path):
    ingest_file(engine, export, source="helpdesk", kind="ticket", redactor=redact)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"garbage")
    with pytest.raises(SourceError, match="broken.xlsx"):
        ingest_file(engine, broken, source="helpdesk", kind="ticket", redactor=redact)
    with pytest.raises(SourceError, match="--kind 'complaint'"):
        ingest_file(engine, export, source="helpdesk", kind="complaint", redactor=redact)
    with session_scope(engine) as s:
        assert repo.count_documents(s) == 3


def test_two_ingests_of_one_export_at_once_store_it_once(tmp_path, engine, monkeypatch):
    """The race of two `koe ingest` of the same file: the other writer stores the rows between our duplicate
    check and our insert (made to happen here by hiding them from the first check). The batch is stored
    again and counts them as duplicates; no IntegrityError, nothing lost or doubled."""
    from nlp.pii import make_redactor
    from store import repo

    export = tmp_path / "tickets.csv"
    export.write_text(
        "id,date,text\nC1,2026-11-02 10:00,注文した商品がまだ届きません\nC2,2026-11-02 11:00,ログインできません\n",
        encoding="utf-8",
    )
    other = ingest_file(engine, export, source="desk", kind="ticket", redactor=make_redactor())
    real = repo.existing_keys
    calls = []

    def first_check_misses_the_other_writer(session, keys):
        calls.append(len(keys))
        return set() if len(calls) == 1 else real(session, keys)

    monkeypatch.setattr(repo, "existing_keys", first_check_misses_the_other_writer)
    ours = ingest_file(engine, export, source="desk", kind="ticket", redactor=make_redactor())
    assert (other.new, ours.new, ours.duplicate) == (2, 0, 2) and len(calls) == 2
    with session_scope(engine) as session:
        assert repo.count_documents(session) == 2
