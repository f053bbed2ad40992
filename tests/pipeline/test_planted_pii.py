"""End to end: 784 personal values (49 formats) planted in real customer requests, ingested and analysed as a weekly
run does (topics, FAQ gaps, report, CSVs, saved models). None may appear in any table of the store, any
file under the output folder, or what the run printed (issue #17)."""

import re
import sqlite3
from datetime import date, datetime, timedelta

from nlp.pii import make_redactor
from pipeline.config import PipelineConfig
from pipeline.imports import import_faq
from pipeline.ingest import ingest_file
from pipeline.weekly import analyse_week
from store.db import make_engine, sqlite_url
from tests.helpers.planted import planted, secrets_of

WEEK = date(2026, 11, 9)
SAMPLE_FAQ = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "sample" / "faq.csv"


def write_export(export, values, texts) -> None:
    """A ticket export with each planted sentence in the text, the subject or the agent's reply."""
    import csv

    with export.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "date", "title", "text", "reply"])
        for i, (_, _, sentence) in enumerate(values):
            when = datetime.combine(WEEK, datetime.min.time()) - timedelta(days=i % 14, hours=i % 9)
            # in the text, the subject and the agent's reply: every field a person typed
            where = i % 3
            body = f"{texts[i % len(texts)]} {sentence}" if where == 0 else texts[i % len(texts)]
            title = sentence if where == 1 else "お問い合わせ"
            reply = sentence if where == 2 else None
            writer.writerow([f"t{i}", f"{when:%Y-%m-%d %H:%M}", title, body, reply])


def text_cells(database) -> str:
    """Every text cell of every table of an SQLite file; hashes hold no text."""
    with sqlite3.connect(database) as db:
        tables = [name for (name,) in db.execute("select name from sqlite_master where type = 'table'")]
        return "\n".join(
            str(cell)
            for table in tables
            for row in db.execute(f'select * from "{table}"')
            for cell in row
            if isinstance(cell, str) and not re.fullmatch(r"[0-9a-f]{64}", cell)
        )


def file_texts(folder) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in (".safetensors", ".npz", ".db")  # vectors: no text; stores: dumped
    )


def leaks_in(places: dict[str, str], values) -> list[tuple[str, str, str]]:
    # a number is found however it is written: separators between its digits do not hide it
    joined = {where: re.sub(r"(?<=\d)[\s\-‐―ー.()（）]+(?=\d)", "", text) for where, text in places.items()}
    leaks = []
    for kind, value, _ in values:
        for secret in secrets_of(kind, value):
            if secret.isdigit() and len(secret) < 7:
                continue  # short digit runs (a block number 1-2-3) occur in any store by chance
            # a digit secret as a number of its own: inside a longer run it is a float of a chart's path
            number = re.compile(rf"(?<!\d){re.escape(secret)}(?!\d)") if secret.isdigit() else None
            leaks += [
                (kind, secret, where)
                for where, text in joined.items()
                if (number.search(text) if number else secret in text)
            ]
    return leaks


def test_no_planted_value_survives_a_weekly_run(tmp_path, asdc_sample, use_embedder, capfd):
    values = planted()
    export = tmp_path / "tickets.csv"
    write_export(export, values, [r["text"] for r in asdc_sample])
    store = tmp_path / "koe.db"
    engine = make_engine(sqlite_url(store))
    report = ingest_file(engine, export, source="desk", kind="ticket", redactor=make_redactor())
    assert report.new == len(values)
    import_faq(engine, SAMPLE_FAQ)
    out = tmp_path / "out"
    outputs = analyse_week(engine, PipelineConfig(embedder=use_embedder, out_dir=out), WEEK)
    # asdc's requests are questions and requests: the FAQ-gap topics model them (and quote and propose them)
    assert len(outputs.faq_gaps.suggestions) > 0
    printed = capfd.readouterr()

    places = {"store": text_cells(store), "output files": file_texts(out), "terminal": printed.out + printed.err}
    assert leaks_in(places, values) == []
