"""Repository functions: every query koe makes lives here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, CursorResult, Insert, Table, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nlp import columns as C
from nlp.curation import Curation
from store.models import (
    Base,
    Document,
    DocumentTopic,
    EmbeddingCache,
    FaqEntryRow,
    FaqVersion,
    Release,
    Run,
    RunTheme,
    RunTopic,
    SourceCursor,
    TaughtType,
    ThemeCuration,
    TokenCache,
    TyperModel,
)

_CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


def _insert(model: type[Base]) -> Insert:
    """A Core INSERT into the model's table: executemany over plain dicts, no ORM identity work per row."""
    table = model.__table__
    assert isinstance(table, Table)
    return table.insert()


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- documents -------------------------------------------------------------------------------------


def existing_keys(session: Session, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (source, external_id) pairs of `keys` already stored. One source at a time: SQLite answers a
    row-value IN by scanning the table (0.28 s per 500 keys on a 1M-document store, bench/README.md),
    while `source = ? AND external_id IN (...)` walks the unique index."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found: set[tuple[str, str]] = set()
    for source, ids in by_source.items():
        for part in _chunks(ids):
            stmt = select(Document.external_id).where(Document.source == source, Document.external_id.in_(part))
            found.update((source, e) for e in session.scalars(stmt))
    return found


class ConcurrentWrite(Exception):
    """Another writer stored some of the same documents between our check and our insert (two ingests of
    one export at once). The transaction is rolled back; running it again counts them as duplicates. The
    message never carries the rows (customer text)."""


class Added(NamedTuple):
    new: int
    duplicate: int  # already stored under the same source and id (or twice in the batch)
    cross_source: int = 0  # already stored under another source: the same export imported under two names


def add_documents(session: Session, rows: Sequence[Mapping]) -> Added:
    """Insert rows whose (source, external_id) is not stored yet and whose message (created_at, text) is not
    stored under another source; returns the counts.

    Duplicates inside `rows` count once: a file that lists a ticket twice stores it once. Raises
    ConcurrentWrite when another writer stored one of them meanwhile.
    """
    keys = [(r["source"], r["external_id"]) for r in rows]
    seen = existing_keys(session, keys)
    unseen = []
    for row, key in zip(rows, keys, strict=True):
        if key not in seen:
            seen.add(key)
            unseen.append(row)
    elsewhere = _stored_elsewhere(session, unseen)
    fresh = [dict(r) for r in unseen if (r[C.CREATED_AT], r[C.TEXT_HASH]) not in elsewhere]
    if fresh:
        try:
            session.execute(_insert(Document), fresh)
        except IntegrityError:
            raise ConcurrentWrite("another writer stored some of these documents at the same moment") from None
    return Added(len(fresh), len(rows) - len(unseen), len(unseen) - len(fresh))


def _stored_elsewhere(session: Session, rows: Sequence[Mapping]) -> set[tuple[datetime, str]]:
    """Content keys of `rows` stored under a source other than the row's own."""
    if not rows:
        return set()
    keys = {(r[C.CREATED_AT], r[C.TEXT_HASH]): r["source"] for r in rows}
    out = set()
    for part in _chunks(sorted({h for _, h in keys})):
        stmt = select(Document.created_at, Document.text_hash, Document.source).where(Document.text_hash.in_(part))
        for created_at, text_hash, source in session.execute(stmt):
            own = keys.get((created_at, text_hash))
            if own is not None and source != own:
                out.add((created_at, text_hash))
    return out


def add_missing_replies(session: Session, rows: Sequence[Mapping]) -> int:
    """Stored documents that had no agent reply get the one these rows carry (a helpdesk ticket is exported
    again when an agent answers it); returns how many were filled. Texts are never rewritten."""
    filled = 0
    for row in rows:
        if row.get(C.AGENT_REPLY):
            result: CursorResult = session.execute(  # type: ignore[assignment]
                update(Document)
                .where(
                    Document.source == row["source"],
                    Document.external_id == row["external_id"],
                    Document.agent_reply.is_(None),
                )
                .values(agent_reply=row[C.AGENT_REPLY])
            )
            filled += result.rowcount or 0
    return filled


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Document)) or 0


def source_counts(session: Session) -> dict[str, int]:
    """Stored documents per source name."""
    stmt = select(Document.source, func.count()).group_by(Document.source).order_by(Document.source)
    return {source: count for source, count in session.execute(stmt)}


class SourceSummary(NamedTuple):
    source: str
    documents: int
    first: datetime
    last: datetime
    cursor: str | None  # where an incremental source stopped


def source_summaries(session: Session) -> list[SourceSummary]:
    stmt = (
        select(Document.source, func.count(), func.min(Document.created_at), func.max(Document.created_at))
        .group_by(Document.source)
        .order_by(Document.source)
    )
    cursors = dict(session.execute(select(SourceCursor.source, SourceCursor.cursor)).tuples().all())
    return [SourceSummary(s, n, first, last, cursors.get(s)) for s, n, first, last in session.execute(stmt)]


def remove_source(session: Session, source: str) -> int:
    """Every document of `source` (with its topic assignments) and its cursor; returns how many documents.
    Token and embedding caches stay: they are keyed by text, which other sources may share."""
    ids = select(Document.id).where(Document.source == source).scalar_subquery()
    session.execute(delete(DocumentTopic).where(DocumentTopic.document_id.in_(ids)))
    result: CursorResult = session.execute(delete(Document).where(Document.source == source))  # type: ignore[assignment]
    session.execute(delete(SourceCursor).where(SourceCursor.source == source))
    return result.rowcount or 0


def load_documents(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Documents with start <= created_at < end as a DataFrame with `columns.DOC_COLUMNS`."""
    cols = [getattr(Document, c) for c in C.DOC_COLUMNS]
    stmt = select(*cols).where(Document.created_at >= start, Document.created_at < end).order_by(Document.id)
    # plain tuples through Core: building the frame from Row objects took 1.2 of 3.9 s for a 240k-document
    # window (pandas probes every Row's attributes), from tuples 0.35 s (bench/README.md)
    rows = [tuple(row) for row in session.connection().execute(stmt)]
    frame = pd.DataFrame.from_records(rows, columns=list(C.DOC_COLUMNS))
    frame[C.CREATED_AT] = pd.to_datetime(frame[C.CREATED_AT])
    return frame


class Created(NamedTuple):
    """created_at bounds: start <= created_at < end."""

    start: datetime
    end: datetime


def documents_to_type(
    session: Session, after_id: int, limit: int, not_typed_by: str | None = None, created: Created | None = None
) -> pd.DataFrame:
    """The next `limit` documents by id after `after_id`: id, text, rating, kind and the stored type (for
    `koe retype`, which walks the store in id order); with `not_typed_by`, only those another typer (or
    none) typed; with `created`, only those created in [start, end)."""
    cols = [Document.id, Document.text, Document.rating, Document.kind, Document.doc_type]
    stmt = select(*cols).where(Document.id > after_id, *_created_within(created))
    if not_typed_by is not None:
        stmt = stmt.where(_typed_otherwise(not_typed_by))
    stmt = stmt.order_by(Document.id).limit(limit)
    rows = [tuple(row) for row in session.connection().execute(stmt)]
    return pd.DataFrame.from_records(rows, columns=[C.ID, C.TEXT, C.RATING, C.KIND, C.DOC_TYPE])


def _created_within(created: Created | None) -> list[ColumnElement[bool]]:
    return [] if created is None else [Document.created_at >= created.start, Document.created_at < created.end]


def _typed_otherwise(version: str) -> ColumnElement[bool]:
    """Typed by another typer than `version`, or not typed (yet, or before versions were kept)."""
    return or_(Document.typed_by.is_(None), Document.typed_by != version)


def any_not_typed_by(session: Session, version: str, created: Created | None = None) -> bool:
    """Whether a stored document (created in `created`) was typed by another typer than `version`, or by none."""
    stmt = select(Document.id).where(_typed_otherwise(version), *_created_within(created)).limit(1)
    return session.execute(stmt).first() is not None


def set_doc_types(session: Session, types: Mapping[int, str], typed_by: str) -> None:
    """Store types by document id, with the typer that gave them (ORM bulk update by primary key)."""
    rows = [{"id": int(i), "doc_type": str(t), "typed_by": typed_by} for i, t in types.items()]
    for part in _chunks(rows):
        session.execute(update(Document), list(part))


class RatedReviews(NamedTuple):
    low: list[str]  # texts of 1-2 star reviews, first stored first
    high: list[str]  # texts of 4-5 star reviews, first stored first


def rated_review_counts(session: Session) -> tuple[int, int]:
    """How many stored reviews have 1-2 stars and how many 4-5."""
    low = func.sum(case((Document.rating <= 2, 1), else_=0))
    high = func.sum(case((Document.rating >= 4, 1), else_=0))
    row = session.execute(select(low, high).where(Document.kind == "review", Document.rating.is_not(None))).one()
    return int(row[0] or 0), int(row[1] or 0)


def rated_reviews(session: Session, limit: int, offset: int = 0) -> RatedReviews:
    """`limit` review texts of each side, from the `offset`-th stored (in id order): what a shop's own
    typing model learns from (by position, so the same examples come back until the model's generation
    changes, pipeline/typing.py)."""

    def texts(condition) -> list[str]:
        stmt = select(Document.text).where(Document.kind == "review", condition).order_by(Document.id)
        return list(session.scalars(stmt.offset(offset).limit(limit)))

    return RatedReviews(texts(Document.rating <= 2), texts(Document.rating >= 4))


def teach_types(session: Session, taught: Mapping[str, tuple[str, str]]) -> int:
    """Store types a lead taught (`taught`: text hash -> (redacted text, type)); a text taught before takes
    its new type. Returns how many were stored."""
    now = datetime.now()
    for part in _chunks(list(taught)):
        session.execute(delete(TaughtType).where(TaughtType.text_hash.in_(part)))
        session.execute(
            _insert(TaughtType),
            [{"text_hash": h, "text": taught[h][0], "doc_type": taught[h][1], "taught_at": now} for h in part],
        )
    return len(taught)


def forget_types(session: Session, hashes: Iterable[str]) -> set[str]:
    """Remove taught types by text hash; returns the hashes that were taught (and are now forgotten)."""
    found: set[str] = set()
    for part in _chunks(list(dict.fromkeys(hashes))):
        found.update(session.scalars(select(TaughtType.text_hash).where(TaughtType.text_hash.in_(part))))
        session.execute(delete(TaughtType).where(TaughtType.text_hash.in_(part)))
    return found


def taught_hashes(session: Session) -> set[str]:
    """The text hashes of every taught message."""
    return set(session.scalars(select(TaughtType.text_hash)))


def taught_types(session: Session) -> list[tuple[str, str]]:
    """(text, type) of every taught message, oldest first: the same list gives the same model version."""
    rows = session.execute(
        select(TaughtType.text, TaughtType.doc_type).order_by(TaughtType.taught_at, TaughtType.text_hash)
    )
    return [(text, doc_type) for text, doc_type in rows]


def date_range(session: Session) -> tuple[datetime | None, datetime | None]:
    row = session.execute(select(func.min(Document.created_at), func.max(Document.created_at))).one()
    return row[0], row[1]


# --- caches ----------------------------------------------------------------------------------------


def cached_tokens(session: Session, hashes: Sequence[str], version: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in _chunks(list(hashes)):
        stmt = select(TokenCache.text_hash, TokenCache.tokens).where(
            TokenCache.version == version, TokenCache.text_hash.in_(part)
        )
        out.update((h, t.split(" ") if t else []) for h, t in session.execute(stmt))
    return out


def store_tokens(session: Session, tokens: Mapping[str, list[str]], version: str) -> None:
    rows = [{"text_hash": h, "version": version, "tokens": " ".join(t)} for h, t in tokens.items()]
    for part in _chunks(rows):
        session.execute(_insert(TokenCache), list(part))


def cached_embeddings(session: Session, hashes: Sequence[str], backend: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for part in _chunks(list(hashes)):
        stmt = select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
            EmbeddingCache.backend == backend, EmbeddingCache.text_hash.in_(part)
        )
        out.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in session.execute(stmt))
    return out


def store_embeddings(session: Session, vectors: Mapping[str, np.ndarray], backend: str) -> None:
    rows = [
        {"text_hash": h, "backend": backend, "vector": np.asarray(v, dtype=np.float32).tobytes()}
        for h, v in vectors.items()
    ]
    for part in _chunks(rows):
        session.execute(_insert(EmbeddingCache), list(part))


def cached_typer_model(session: Session, key: str) -> bytes | None:
    return session.scalar(select(TyperModel.model).where(TyperModel.key == key))


def store_typer_model(session: Session, key: str, model: bytes, keep: int = 4) -> None:
    """Store a trained typer under `key` (replacing an unreadable one) and keep only the `keep` newest (a
    shop model is replaced each time its rated reviews double). Raises ConcurrentWrite when another process
    stored the same key meanwhile."""
    session.execute(delete(TyperModel).where(TyperModel.key == key))
    try:
        session.execute(_insert(TyperModel), [{"key": key, "created_at": datetime.now(), "model": model}])
    except IntegrityError:
        raise ConcurrentWrite("another process stored the same typer at the same moment") from None
    newest = select(TyperModel.key).order_by(TyperModel.created_at.desc(), TyperModel.key).limit(keep)
    session.execute(delete(TyperModel).where(TyperModel.key.not_in(newest)))


# --- runs ------------------------------------------------------------------------------------------


def create_run(
    session: Session, *, kind: str, period_start: date, period_end: date, embedder: str, n_documents: int
) -> int:
    run = Run(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        created_at=datetime.now(),
        embedder=embedder,
        n_documents=n_documents,
    )
    session.add(run)
    session.flush()
    return run.id


def store_run_results(
    session: Session, run_id: int, topics: pd.DataFrame, assignments: pd.DataFrame, themes: pd.DataFrame
) -> None:
    """Topics (`TOPIC_COLUMNS`), their themes (`THEME_COLUMNS`) and per-document topic ids (columns id,
    topic) of one run; replaces earlier ones."""
    session.execute(delete(RunTopic).where(RunTopic.run_id == run_id))
    session.execute(delete(RunTheme).where(RunTheme.run_id == run_id))
    session.execute(delete(DocumentTopic).where(DocumentTopic.run_id == run_id))
    topic_rows = [
        {
            "run_id": run_id,
            "topic_id": int(r[C.TOPIC_ID]),
            "label": r[C.LABEL],
            "keywords": "、".join(r[C.KEYWORDS]),
            "representative": r[C.REPRESENTATIVE],
            "size": int(r[C.SIZE]),
        }
        for r in topics.to_dict("records")
    ]
    if topic_rows:
        session.execute(_insert(RunTopic), topic_rows)
    theme_rows = [
        {
            "run_id": run_id,
            "theme_id": int(r[C.THEME_ID]),
            "label": r[C.LABEL],
            "keywords": "、".join(r[C.KEYWORDS]),
            "size": int(r[C.SIZE]),
            "subtopics": " ".join(str(int(t)) for t in r[C.SUBTOPICS]),
        }
        for r in themes.to_dict("records")
    ]
    if theme_rows:
        session.execute(_insert(RunTheme), theme_rows)
    doc_rows = [
        {"run_id": run_id, "document_id": int(i), "topic_id": int(t)}
        for i, t in zip(assignments[C.ID], assignments[C.TOPIC], strict=True)
    ]
    for part in _chunks(doc_rows):
        session.execute(_insert(DocumentTopic), list(part))


def finish_run(session: Session, run_id: int, **paths: str | None) -> None:
    """The files the run wrote; the run becomes complete, and earlier incomplete runs of its kind (killed
    after their row was committed) are removed with their topics and assignments."""
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"run {run_id} is gone (removed as incomplete by a later run of its kind)")
    for name, value in paths.items():
        setattr(run, name, value)
    run.completed_at = datetime.now()
    orphans = select(Run.id).where(Run.kind == run.kind, Run.id < run_id, Run.completed_at.is_(None))
    orphan_ids = list(session.scalars(orphans))
    if orphan_ids:
        session.execute(delete(RunTopic).where(RunTopic.run_id.in_(orphan_ids)))
        session.execute(delete(RunTheme).where(RunTheme.run_id.in_(orphan_ids)))
        session.execute(delete(DocumentTopic).where(DocumentTopic.run_id.in_(orphan_ids)))
        session.execute(delete(Run).where(Run.id.in_(orphan_ids)))


def run_topics(session: Session, run_id: int) -> pd.DataFrame:
    stmt = select(RunTopic.topic_id, RunTopic.label, RunTopic.keywords, RunTopic.representative, RunTopic.size).where(
        RunTopic.run_id == run_id
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(C.TOPIC_COLUMNS))
    frame[C.KEYWORDS] = frame[C.KEYWORDS].map(lambda s: s.split("、") if s else [])
    return frame


def run_themes(session: Session, run_id: int) -> pd.DataFrame:
    """The themes of one run (`THEME_COLUMNS`), largest first; empty for runs made before themes existed."""
    stmt = (
        select(RunTheme.theme_id, RunTheme.label, RunTheme.keywords, RunTheme.size, RunTheme.subtopics)
        .where(RunTheme.run_id == run_id)
        .order_by(RunTheme.theme_id)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(C.THEME_COLUMNS))
    frame[C.KEYWORDS] = frame[C.KEYWORDS].map(lambda s: s.split("、") if s else [])
    frame[C.SUBTOPICS] = frame[C.SUBTOPICS].map(lambda s: [int(t) for t in s.split()])
    return frame


def next_theme_id(session: Session) -> int:
    """The first theme id no run and no curation has used: a retired theme's id is never given again."""
    used = [
        session.scalar(select(func.max(RunTheme.theme_id))),
        session.scalar(select(func.max(ThemeCuration.theme_id))),
        session.scalar(select(func.max(ThemeCuration.merged_into))),
    ]
    return max((u for u in used if u is not None), default=-1) + 1


def theme_curation(session: Session) -> Curation:
    """Every rename and merge a lead made, by stable theme id."""
    rows = session.execute(select(ThemeCuration.theme_id, ThemeCuration.name, ThemeCuration.merged_into)).all()
    return Curation(
        names={t: n for t, n, _ in rows if n},
        merged_into={t: m for t, _, m in rows if m is not None},
    )


def curate_theme(session: Session, theme_id: int, *, name: str | None = None, merged_into: int | None = None) -> None:
    """Record a rename (`name`) or a merge (`merged_into`) of one theme; other decisions about it are kept."""
    row = session.get(ThemeCuration, theme_id)
    if row is None:
        row = ThemeCuration(theme_id=theme_id, name=None, merged_into=None, updated_at=datetime.now())
        session.add(row)
    if name is not None:
        row.name = name
    if merged_into is not None:
        row.merged_into = merged_into
    row.updated_at = datetime.now()


def run_assignments(session: Session, run_id: int) -> pd.Series:
    """Topic id per document id of one run."""
    rows = session.execute(
        select(DocumentTopic.document_id, DocumentTopic.topic_id).where(DocumentTopic.run_id == run_id)
    ).all()
    return pd.Series([t for _, t in rows], index=[d for d, _ in rows], dtype="int64")


def latest_run(session: Session, kind: str) -> Run | None:
    """The last complete run of `kind`: a run killed half-way (no model, no report) is never reused."""
    stmt = select(Run).where(Run.kind == kind, Run.completed_at.is_not(None)).order_by(Run.id.desc()).limit(1)
    return session.scalars(stmt).first()


# --- releases --------------------------------------------------------------------------------------


def add_releases(session: Session, releases: Sequence[Mapping]) -> tuple[int, int]:
    """Insert releases whose name is new; returns (new, duplicate)."""
    names = [r["name"] for r in releases]
    known = set(session.scalars(select(Release.name).where(Release.name.in_(names)))) if names else set()
    fresh = []
    for release in releases:
        if release["name"] not in known:
            known.add(release["name"])
            fresh.append({**release, "created_at": datetime.now()})
    if fresh:
        session.execute(_insert(Release), fresh)
    return len(fresh), len(releases) - len(fresh)


def list_releases(session: Session) -> list[Release]:
    return list(session.scalars(select(Release).order_by(Release.start, Release.name)))


def get_release(session: Session, name: str) -> Release | None:
    return session.scalars(select(Release).where(Release.name == name)).first()


# --- FAQ -------------------------------------------------------------------------------------------

FAQ_COLUMNS = ("position", "category", "question", "answer", "url", "updated")


def current_faq_version(session: Session) -> FaqVersion | None:
    return session.scalars(select(FaqVersion).order_by(FaqVersion.id.desc()).limit(1)).first()


def add_faq_version(session: Session, source: str, content_hash: str, entries: Sequence[Mapping]) -> int | None:
    """Store a new FAQ version and return its id; None when it equals the current version (nothing stored)."""
    current = current_faq_version(session)
    if current is not None and current.content_hash == content_hash:
        return None
    version = FaqVersion(imported_at=datetime.now(), source=source, content_hash=content_hash, n_entries=len(entries))
    session.add(version)
    session.flush()
    rows = [
        {"version_id": version.id, "position": i, **{k: e.get(k) for k in FAQ_COLUMNS[1:]}}
        for i, e in enumerate(entries)
    ]
    session.execute(_insert(FaqEntryRow), rows)
    return version.id


def faq_entries(session: Session, version_id: int | None = None) -> pd.DataFrame:
    """Entries of a version (default: the current one) with FAQ_COLUMNS; empty when no FAQ was imported."""
    if version_id is None:
        current = current_faq_version(session)
        version_id = current.id if current else -1
    cols = [getattr(FaqEntryRow, c) for c in FAQ_COLUMNS]
    stmt = select(*cols).where(FaqEntryRow.version_id == version_id).order_by(FaqEntryRow.position)
    return pd.DataFrame(session.execute(stmt).all(), columns=list(FAQ_COLUMNS))


def faq_versions(session: Session) -> list[FaqVersion]:
    return list(session.scalars(select(FaqVersion).order_by(FaqVersion.id)))


def get_cursor(session: Session, source: str) -> str | None:
    row = session.get(SourceCursor, source)
    return row.cursor if row else None


def set_cursor(session: Session, source: str, cursor: str) -> None:
    """Call in the transaction that stores the documents pulled up to `cursor`."""
    row = session.get(SourceCursor, source)
    if row is None:
        session.add(SourceCursor(source=source, cursor=cursor, updated_at=datetime.now()))
    else:
        row.cursor, row.updated_at = cursor, datetime.now()
