"""`koe teach`: a CS lead corrects the types koe gives and the store's typer learns from them.

The input is what `koe classify` prints, edited: one `type<TAB>text` line per message, the type in English
(complaint) or as the reports name it (苦情). Each text is normalized and redacted as ingest does, then
stored (a text taught again takes its new type; `koe teach --forget` removes a lesson); the next report,
or `koe retype`, types the store's messages with a model that learnt from them (pipeline/typing.py). Why:
koe's model learnt from hotel reviews, and typed plain e-commerce tickets 「届いたお皿にひびが入っていました」
*other*; taught 30 written e-commerce complaints and 8 neutral ticket lines it found 10 of 20 unseen
complaints, 7 before (bench/README.md, session 13).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from nlp.columns import DocType
from nlp.pii import Redactor
from nlp.prepare import PreparedText, prepare
from pipeline.calendar import Span
from pipeline.classify import typed_line
from pipeline.retype import typed_window
from pipeline.typing import typer_for
from reports.notes import TYPE_NAMES
from sources.files import TextRow
from sources.records import Reject
from store import repo
from store.db import session_scope

_TYPES = {t.value: t for t in DocType} | {name: DocType(value) for value, name in TYPE_NAMES.items()}
_KNOWN = "、".join([*(t.value for t in DocType), *TYPE_NAMES.values()])


@dataclass(frozen=True)
class Taught:
    counts: Counter[str] = field(default_factory=Counter)  # stored messages per type
    rejected: list[Reject] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.counts)

    def problems(self) -> list[str]:
        return [f"rejected {r}" for r in self.rejected]

    def summary(self) -> str:
        if not self.counts:
            return "学習に使える行はありませんでした。"
        said = "・".join(f"{TYPE_NAMES[t]} {n:,}" for t, n in sorted(self.counts.items()))
        return (
            f"{sum(self.counts.values()):,} 件の分類を覚えました（{said}）。"
            "次のレポート（または koe retype）から、この店舗の分類モデルに反映されます。"
        )


@dataclass(frozen=True)
class Forgotten:
    count: int = 0  # taught messages removed
    not_taught: list[str] = field(default_factory=list)  # origins (file:line) of lines no lesson holds
    rejected: list[Reject] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.count > 0

    def problems(self) -> list[str]:
        """Bad lines, then lines no lesson holds (by file:line, never quoted)."""
        missing = [f"{origin}: not taught (koe teach --list shows what is)" for origin in self.not_taught]
        return [f"rejected {r}" for r in self.rejected] + missing

    def summary(self) -> str:
        if not self.count:
            return "忘れる分類はありませんでした（koe teach --list で覚えている行を確認できます）。"
        return f"{self.count:,} 件の分類を忘れました。次のレポート（または koe retype）から分類モデルに反映されます。"


SUGGESTED = 30  # lines `koe teach --suggest` prints unless asked for another number
SUGGEST_DAYS = 7  # read from the last days of the store's messages


def suggestions(engine: Engine, n: int | None = None) -> list[str]:
    """`type<TAB>text` lines of the `n` messages of the store's last SUGGEST_DAYS days whose type the typer is least
    sure of (Typer.doubts: on a set of e-commerce tickets koe had never seen, 18 of the 20 it doubted most
    were mistyped), each text once, none already taught: `koe teach --suggest`, for a lead to correct and
    teach back."""
    with session_scope(engine) as session:
        _, newest = repo.date_range(session)
        taught = repo.taught_hashes(session)
    n = SUGGESTED if n is None else n
    if newest is None or n <= 0:
        return []
    last = newest.date()
    docs = typed_window(engine, Span(last - timedelta(days=SUGGEST_DAYS - 1), last + timedelta(days=1))).docs
    docs = docs[~docs[C.TEXT_HASH].isin(taught)].drop_duplicates(C.TEXT_HASH)
    if docs.empty:
        return []
    ratings = [None if pd.isna(r) else float(r) for r in docs[C.RATING]]
    doubts = typer_for(engine).doubts(docs[C.TEXT].tolist(), ratings, docs[C.KIND].tolist())
    order = sorted(range(len(docs)), key=lambda i: (-doubts[i], int(docs[C.ID].iloc[i])))[:n]
    return [typed_line(str(docs[C.DOC_TYPE].iloc[i]), str(docs[C.TEXT].iloc[i])) for i in order]


def taught_lines(engine: Engine) -> list[str]:
    """`type<TAB>text` lines of every taught message, oldest first: `koe teach --list`, ready to edit and
    teach again."""
    with session_scope(engine) as session:
        return [typed_line(doc_type, text) for text, doc_type in repo.taught_types(session)]


def parse_line(line: str, origin: str) -> tuple[DocType, str] | Reject:
    """One `type<TAB>text` line; a Reject (never quoting the line) when it is not one."""
    kind, tab, text = line.partition("\t")
    if not tab or not text.strip():
        return Reject(origin, "expected type<TAB>text, as koe classify prints")
    doc_type = _TYPES.get(kind.strip().lstrip("\ufeff"))  # a spreadsheet saves the file with a BOM
    if doc_type is None:
        return Reject(origin, f"unknown type: use one of {_KNOWN}")
    return doc_type, text


def _forgotten_line(line: str, origin: str) -> tuple[DocType | None, str] | Reject:
    """A line to forget: `type<TAB>text` as `koe teach --list` prints it, or the text alone."""
    return (None, line) if "\t" not in line else parse_line(line, origin)


@dataclass(frozen=True)
class _Line:
    origin: str
    doc_type: DocType | None
    prepared: PreparedText  # normalized and redacted as ingest does, with its hash


def _lines(
    rows: Iterable[TextRow | Reject],
    redactor: Redactor,
    parse: Callable[[str, str], tuple[DocType | None, str] | Reject],
) -> Iterator[_Line | Reject]:
    """Each row parsed and its text prepared as a stored message's (so `--list`'s redacted lines hash as
    they were taught); a Reject for a bad line."""
    for row in rows:
        parsed = row if isinstance(row, Reject) else parse(row.body, row.origin)
        if isinstance(parsed, Reject):
            yield parsed
            continue
        doc_type, body = parsed
        try:
            yield _Line(row.origin, doc_type, prepare(body, redactor=redactor))
        except ValueError as exc:
            yield Reject(row.origin, str(exc))


def forget(engine: Engine, rows: Iterable[TextRow | Reject], redactor: Redactor) -> Forgotten:
    """Remove the lessons of `rows` (a wrong correction, a line taught by mistake): the store's typer is
    trained again without them, and back to the shipped one when none is left (pipeline/typing.py)."""
    wanted: dict[str, list[str]] = {}  # text hash -> origins of the lines asking for it
    rejected = []
    for line in _lines(rows, redactor, _forgotten_line):
        if isinstance(line, Reject):
            rejected.append(line)
        else:
            wanted.setdefault(line.prepared.text_hash, []).append(line.origin)
    with session_scope(engine) as session:
        found = repo.forget_types(session, wanted) if wanted else set()
    missing = [origin for h, origins in wanted.items() if h not in found for origin in origins]
    return Forgotten(len(found), missing, rejected)


def teach(engine: Engine, rows: Iterable[TextRow | Reject], redactor: Redactor) -> Taught:
    """Store the types of `rows` (pipeline.classify.lines_of: one per line); the last line of a text wins."""
    taught: dict[str, tuple[str, str]] = {}
    rejected = []
    for line in _lines(rows, redactor, parse_line):
        if isinstance(line, Reject):
            rejected.append(line)
        elif line.doc_type is not None:
            taught[line.prepared.text_hash] = (line.prepared.text, line.doc_type.value)
    if taught:
        with session_scope(engine) as session:
            repo.teach_types(session, taught)
    return Taught(Counter(t for _, t in taught.values()), rejected)
