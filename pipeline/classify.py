"""`koe classify`: the type koe gives each message of a file or of stdin, for a CS lead checking a sample
and for evaluation. Messages are normalized and redacted first, exactly as ingest does; nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from nlp.columns import DocType
from nlp.doctype import Typer
from nlp.pii import Redactor
from nlp.prepare import prepare
from sources.files import FORMATS, TextRow, read_texts
from sources.records import Reject

BATCH = 2_000  # messages the model scores at once


@dataclass(frozen=True)
class Typed:
    doc_type: DocType
    text: str  # normalized and redacted: what koe stores and shows

    @property
    def line(self) -> str:
        return typed_line(self.doc_type, self.text)


def typed_line(doc_type: str, text: str) -> str:
    """`type<TAB>text` on one line (line breaks become spaces): what `koe classify` and `koe teach --list`
    / `--suggest` print and `koe teach` reads back."""
    return f"{doc_type}\t{' '.join(text.split())}"


def lines_of(path: str, stdin: Iterable[str]) -> Iterator[TextRow | Reject]:
    """One row per non-blank line of a text file, or of stdin for `-`, numbered `path:line` (`koe teach`
    reads its type<TAB>text lines this way, whatever the file's extension)."""
    return _rows_of_lines(stdin, "stdin") if path == "-" else _rows_of_text_file(path)


def _rows_of_lines(lines: Iterable[str], origin: str) -> Iterator[TextRow | Reject]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield TextRow(f"{origin}:{number}", line.rstrip("\r\n"), None)


def _rows_of_text_file(path: str) -> Iterator[TextRow | Reject]:
    with Path(path).open(encoding="utf-8", errors="replace") as lines:
        yield from _rows_of_lines(lines, path)


def rows_of(path: str, stdin: Iterable[str], mapping: dict[str, str] | None = None) -> Iterator[TextRow | Reject]:
    """`-`: stdin, one message per line; an export (CSV/TSV/JSONL/XLSX): its text column; else lines."""
    if path != "-" and Path(path).suffix.lower() in FORMATS:
        return read_texts(path, mapping)
    return lines_of(path, stdin)


def classify_rows(
    rows: Iterable[TextRow | Reject], typer: Typer, redactor: Redactor, kind: str = "ticket"
) -> Iterator[Typed | Reject]:
    """Each usable row typed as a `kind` message (columns.KINDS), in input order; a row that cannot be used
    is a Reject (never its text)."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        ready: list[tuple[str, float | None]] = []
        order: list[Reject | int] = []
        for row in batch:
            if isinstance(row, Reject):
                order.append(row)
                continue
            try:
                ready.append((prepare(row.body, redactor=redactor).text, row.rating))
                order.append(len(ready) - 1)
            except ValueError as exc:
                order.append(Reject(row.origin, str(exc)))
        types = typer.classify_many([t for t, _ in ready], [r for _, r in ready], [kind] * len(ready))
        for item in order:
            yield item if isinstance(item, Reject) else Typed(types[item], ready[item][0])
