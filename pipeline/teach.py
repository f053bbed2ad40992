"""`koe teach`: a CS lead corrects the types koe gives and the store's typer learns from them.

The input is what `koe classify` prints, edited: one `type<TAB>text` line per message, the type in English
(complaint) or as the reports name it (苦情). Each text is normalized and redacted as ingest does, then
stored (a text taught again takes its new type); the next report, or `koe retype`, types the store's
messages with a model that learnt from them (pipeline/typing.py). Why: koe's model learnt from hotel
reviews, and typed plain e-commerce tickets 「届いたお皿にひびが入っていました」 *other*; taught 30 written
e-commerce complaints and 8 neutral ticket lines it found 10 of 20 unseen complaints, 7 before
(bench/README.md, session 13).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from nlp.columns import DocType
from nlp.pii import Redactor
from nlp.prepare import prepare, text_hash
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

    def summary(self) -> str:
        if not self.counts:
            return "学習に使える行はありませんでした。"
        said = "・".join(f"{TYPE_NAMES[t]} {n:,}" for t, n in sorted(self.counts.items()))
        return (
            f"{sum(self.counts.values()):,} 件の分類を覚えました（{said}）。"
            "次のレポート（または koe retype）から、この店舗の分類モデルに反映されます。"
        )


def taught_lines(engine: Engine) -> list[tuple[str, str]]:
    """(type, text) of every taught message, oldest first: `koe teach --list`, ready to edit and teach again."""
    with session_scope(engine) as session:
        return [(doc_type, " ".join(text.split())) for text, doc_type in repo.taught_types(session)]


def parse_line(line: str, origin: str) -> tuple[DocType, str] | Reject:
    """One `type<TAB>text` line; a Reject (never quoting the line) when it is not one."""
    kind, tab, text = line.partition("\t")
    if not tab or not text.strip():
        return Reject(origin, "expected type<TAB>text, as koe classify prints")
    doc_type = _TYPES.get(kind.strip().lstrip("\ufeff"))  # a spreadsheet saves the file with a BOM
    if doc_type is None:
        return Reject(origin, f"unknown type: use one of {_KNOWN}")
    return doc_type, text


def teach(engine: Engine, rows: Iterable[TextRow | Reject], redactor: Redactor) -> Taught:
    """Store the types of `rows` (pipeline.classify.lines_of: one per line); the last line of a text wins."""
    taught: dict[str, tuple[str, str]] = {}
    rejected = []
    for row in rows:
        parsed = row if isinstance(row, Reject) else parse_line(row.body, row.origin)
        if isinstance(parsed, Reject):
            rejected.append(parsed)
            continue
        doc_type, body = parsed
        try:
            text = prepare(body, redactor=redactor).text
        except ValueError as exc:
            rejected.append(Reject(row.origin, str(exc)))
            continue
        taught[text_hash(text)] = (text, doc_type.value)
    if taught:
        with session_scope(engine) as session:
            repo.teach_types(session, taught)
    return Taught(Counter(t for _, t in taught.values()), rejected)
