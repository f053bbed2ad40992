"""Ingest: read a source, prepare every record (normalize, redact), store what is new in one transaction.
Messages are stored untyped: the first report over their window types them (pipeline/retype.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Engine

from nlp import columns as C
from nlp.parallel import map_parts
from nlp.pii import Redactor
from nlp.prepare import prepare
from sources.files import read_chunks
from sources.records import RawRecord, Reject, SourceError
from store import repo
from store.db import session_scope


@dataclass
class IngestReport:
    origin: str
    read: int = 0
    new: int = 0
    duplicate: int = 0
    cross_source: int = 0  # already stored under another source name (the same export twice): stored once
    replies: int = 0  # stored documents that got the agent reply they lacked (a ticket exported again)
    automatic: int = 0  # automatic mails left out (shipping notices ...)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def counts(self) -> str:
        counts = f"read {self.read} / new {self.new} / duplicate {self.duplicate} / rejected {self.rejected}"
        extra = []
        if self.cross_source:
            extra.append(f"already stored under another source {self.cross_source}")
        if self.replies:
            extra.append(f"replies added {self.replies}")
        if self.automatic:
            extra.append(f"automatic {self.automatic}")
        return " / ".join([counts, *extra])

    def summary(self) -> str:
        return f"{self.origin}: {self.counts()}"


def to_row(record: RawRecord, redactor: Redactor, now: datetime) -> dict:
    """The stored form of a record: only redacted text leaves this function."""
    prepared = prepare(
        record.body,
        title=record.title,
        agent_reply=record.agent_reply,
        channel=record.channel,
        redactor=redactor,
    )
    return {
        C.SOURCE: record.source,
        "external_id": record.external_id,
        C.KIND: record.kind,
        C.CHANNEL: record.channel,
        C.PRODUCT: record.product,
        C.PRODUCT_ID: record.product_id,
        C.CREATED_AT: record.created_at,
        C.TITLE: prepared.title,
        C.TEXT: prepared.text,
        C.AGENT_REPLY: prepared.agent_reply,
        C.RATING: record.rating,
        C.TEXT_HASH: prepared.text_hash,
        C.DOC_TYPE: C.UNTYPED,  # typed where it is read, by the typer of that day (pipeline/retype.py)
        C.TYPED_BY: None,
        "ingested_at": now,
    }


def _rows_of(records: list[RawRecord], redactor: Redactor, now: datetime) -> list[dict | Reject]:
    """to_row of each record, or its Reject (nothing left of its text): a batch for one worker."""
    out: list[dict | Reject] = []
    for record in records:
        try:
            out.append(to_row(record, redactor, now))
        except ValueError as exc:
            out.append(Reject(record.origin, str(exc)))
    return out


CONFLICT_ATTEMPTS = 3  # two ingests of one export at once: the batch is stored again after the other's


def store_records(
    engine: Engine,
    records: list[RawRecord],
    report: IngestReport,
    redactor: Redactor,
    *,
    rejects: Sequence[Reject] = (),
    read: int | None = None,
    cursor: tuple[str, str] | None = None,
    update_replies: bool = False,
) -> IngestReport:
    """One batch a source read (its records, its rejects, `read` items seen: records + rejects unless told)
    into `report`; the new records are stored with, in the same transaction, the (source, cursor) they were
    pulled up to. `update_replies`: records already stored give their agent reply to a stored copy that had
    none."""
    report.read += len(records) + len(rejects) if read is None else read
    report.rejects.extend(rejects)
    now = datetime.now()
    rows = []
    for row in map_parts(partial(_rows_of, redactor=redactor, now=now), records):
        if isinstance(row, Reject):
            report.rejects.append(row)
        else:
            rows.append(row)
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            with session_scope(engine) as session:
                added = repo.add_documents(session, rows)
                if added.duplicate and update_replies:
                    report.replies += repo.add_missing_replies(session, rows)
                if cursor is not None:
                    repo.set_cursor(session, *cursor)
            break
        except repo.ConcurrentWrite:  # the other writer's rows are visible now: they count as duplicates
            if attempt == CONFLICT_ATTEMPTS:
                raise
    report.new += added.new
    report.duplicate += added.duplicate
    report.cross_source += added.cross_source
    return report


def ingest_file(
    engine: Engine,
    path: Path | str,
    *,
    source: str,
    kind: str,
    redactor: Redactor,
    mapping: Mapping[str, str] | None = None,
) -> IngestReport:
    """Raises SourceError for an unusable file (nothing stored); bad rows are reported, good ones stored,
    a chunk of rows per transaction (a re-run after a crash stores the rest, nothing twice). `mapping`
    maps columns to fields (review presets go through their connector, sources/reviews.py)."""
    if kind not in C.KINDS:
        raise SourceError(f"--kind {kind!r}: use one of {', '.join(C.KINDS)}")
    report = IngestReport(origin=str(path))
    for chunk in read_chunks(path, source=source, kind=kind, mapping=mapping):
        store_records(engine, chunk.records, report, redactor, rejects=chunk.rejects)
    return report
