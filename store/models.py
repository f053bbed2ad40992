"""SQLAlchemy 2 typed models. Datetimes are naive Asia/Tokyo wall time: the shop's business week."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One ticket or review, stored only after normalization and PII redaction."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_documents_source_external_id"),
        Index("ix_documents_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(50))
    product: Mapped[str | None] = mapped_column(String(200))
    product_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    agent_reply: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[float | None] = mapped_column(Float)
    doc_type: Mapped[str] = mapped_column(String(20))
    # the typer that gave doc_type (nlp.doctype.Typer.version): a newer koe or a shop model retrained from
    # its rated reviews types the older messages again before the next report (pipeline/retype.py)
    typed_by: Mapped[str | None] = mapped_column(String(40))
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)


class TokenCache(Base):
    """Tokens per distinct text and tokenizer version: no text is tokenized twice across runs."""

    __tablename__ = "token_cache"
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(50), primary_key=True)
    tokens: Mapped[str] = mapped_column(Text)  # space-joined; MeCab tokens never contain spaces


class EmbeddingCache(Base):
    """float32 vector per distinct text and embedder backend."""

    __tablename__ = "embedding_cache"
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    backend: Mapped[str] = mapped_column(String(100), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class TyperModel(Base):
    """A trained typer (a pickled nlp.typing_model.TypingModel) per examples version and scikit-learn
    version: a report process loads it in 0.1 s instead of training for 7-15 s (pipeline/typing.py). Only
    koe writes this table; a store is trusted as koe's own code is."""

    __tablename__ = "typer_models"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    model: Mapped[bytes] = mapped_column(LargeBinary)


class TaughtType(Base):
    """A message type a CS lead corrected (`koe teach`: the lines `koe classify` prints, edited), stored
    redacted like every message; the store's typer learns from these beside its rated reviews
    (pipeline/typing.py). One row per text: teaching a text again replaces its type."""

    __tablename__ = "taught_types"
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    doc_type: Mapped[str] = mapped_column(String(16))
    taught_at: Mapped[datetime] = mapped_column(DateTime)


class Run(Base):
    """One analysis run (the weekly report): its period, model and outputs."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    embedder: Mapped[str] = mapped_column(String(100))
    n_documents: Mapped[int] = mapped_column(Integer)
    model_path: Mapped[str | None] = mapped_column(Text)
    report_path: Mapped[str | None] = mapped_column(Text)
    csv_path: Mapped[str | None] = mapped_column(Text)
    # set when everything the run writes is written: only complete runs are ever reused
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class RunTopic(Base):
    __tablename__ = "run_topics"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text)  # "、"-joined
    representative: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)


class RunTheme(Base):
    """The themes above a run's topics (nlp/themes.py); a table of its own, so stores made before themes
    existed gain it from create_all (which adds tables, not columns)."""

    __tablename__ = "run_themes"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text)  # "、"-joined
    size: Mapped[int] = mapped_column(Integer)
    subtopics: Mapped[str] = mapped_column(Text)  # topic ids, largest first, space-joined


class ThemeCuration(Base):
    """What a lead decided about a theme (`koe themes rename/merge`), by its stable id (nlp/lineage.py):
    later runs show the name and fold merged themes into their target."""

    __tablename__ = "theme_curation"
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DocumentTopic(Base):
    __tablename__ = "document_topics"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer)


class Release(Base):
    """A launch, redesign, campaign or incident whose effect on complaints is tested (start: Asia/Tokyo)."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[datetime | None] = mapped_column(DateTime)
    area: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FaqVersion(Base):
    """One import of the shop's FAQ; the newest is the current FAQ, older ones stay as history."""

    __tablename__ = "faq_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    n_entries: Mapped[int] = mapped_column(Integer)


class FaqEntryRow(Base):
    __tablename__ = "faq_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("faq_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[str | None] = mapped_column(String(50))


class SourceCursor(Base):
    """Where an incremental source (helpdesk API, IMAP folder) stopped: stored in the same transaction as
    the documents it pulled, so a failed page leaves it where it was."""

    __tablename__ = "source_cursors"
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
