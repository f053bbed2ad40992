"""Typing stored messages with the store's current typer, where a report reads them.

Ingest stores a message untyped (columns.UNTYPED, typed_by NULL): the typer that reads it is known only at
report time, because a shop's own model appears once its rated reviews are many (pipeline/typing.py), often
in the very import that brings them. Every report first types the messages of its window that no typer or
another typer typed (`typed_window`), so no report mixes two typers, a message is typed once in the usual
life of a store, and an upgrade types again only the windows that are read. `koe retype` types every
stored message again. Both walk the messages in id order, a chunk at a time.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from pipeline import caches
from pipeline.calendar import WEEK, Span, last_complete_data_week, week_window
from pipeline.typing import current_typer_version, typer_for
from reports import notes as report_notes
from store import repo
from store.db import session_scope

log = logging.getLogger(__name__)

CHUNK = 5_000  # messages typed per batch: the model scores a batch's distinct sentences at once


@dataclass
class Retyped:
    total: int = 0
    first: int = 0  # typed for the first time (stored untyped by ingest)
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (old type, new type) -> messages

    @property
    def changed(self) -> int:
        return sum(self.changes.values())

    @property
    def again(self) -> int:
        """Messages another typer had typed (a new koe, or the shop's model retrained): their counts move."""
        return self.total - self.first

    def summary(self) -> str:
        moves = ", ".join(f"{old} -> {new}: {n}" for (old, new), n in self.changes.most_common())
        again = self.again
        head = f"typed {self.first} new messages and {again} again" if self.first else f"typed {again} messages again"
        return f"{head}; {self.changed} changed" + (f" ({moves})" if moves else "")


def retype(engine: Engine, chunk: int = CHUNK, only_stale: bool = False, span: Span | None = None) -> Retyped:
    """Every stored message (created in `span`) typed again (`only_stale`: those no typer or another typer
    typed); returns what moved."""
    typer = typer_for(engine)
    created = _created(span)
    out, last_id = Retyped(), 0
    while True:
        with session_scope(engine) as session:
            docs = repo.documents_to_type(session, last_id, chunk, typer.version if only_stale else None, created)
        if docs.empty:
            return out
        ratings = [None if pd.isna(r) else float(r) for r in docs[C.RATING]]  # a missing rating is no rating
        types = typer.classify_many(docs[C.TEXT].tolist(), ratings, docs[C.KIND].tolist())
        for old, new in zip(docs[C.DOC_TYPE], types, strict=True):
            if old == C.UNTYPED:
                out.first += 1
            elif old != new:
                out.changes[(str(old), str(new))] += 1
        with session_scope(engine) as session:
            repo.set_doc_types(session, {int(i): str(t) for i, t in zip(docs[C.ID], types, strict=True)}, typer.version)
        out.total += len(docs)
        last_id = int(docs[C.ID].iloc[-1])


def retype_stale(engine: Engine, span: Span | None = None) -> Retyped:
    """The messages (created in `span`) that no typer or another typer typed, typed now; when there are
    none (a report over a window already read), nothing is trained either."""
    version = current_typer_version(engine)
    with session_scope(engine) as session:
        if not repo.any_not_typed_by(session, version, _created(span)):
            return Retyped()
    out = retype(engine, only_stale=True, span=span)
    if out.total:
        log.info("%s", out.summary())
    return out


def type_recent(engine: Engine, history_weeks: int) -> Retyped:
    """The messages the next reports read typed now (the hourly ingest flow calls it after pulling): the
    weekly window of the data's last complete week and the week after it, so a report, or a release check
    run right after a release, finds them typed. After the shop's low-rated reviews double, typing a 12-week
    window again took 104.6 s of a report's load on the 1M bench (bench/README.md, session 12)."""
    with session_scope(engine) as session:
        _, newest = repo.date_range(session)
    if newest is None:
        return Retyped()
    week = last_complete_data_week(newest)
    return retype_stale(engine, Span(week_window(week, history_weeks).start, week + 2 * WEEK))


class TypedWindow(NamedTuple):
    docs: pd.DataFrame  # caches.load_window's frame
    retyped: Retyped  # what typing the window took: messages typed before by another typer are the report's note


def typed_window(engine: Engine, span: Span) -> TypedWindow:
    """The documents of `span` (caches.load_window), every one typed by the store's current typer."""
    retyped = retype_stale(engine, span)
    return TypedWindow(caches.load_window(engine, span), retyped)


def retyped_notes(retyped: Retyped) -> list[str]:
    """A report's note when messages another typer had typed were typed again for it: its past weeks'
    counts differ from the earlier reports'."""
    return [report_notes.retyped(retyped.again, dict(retyped.changes))] if retyped.again else []


def _created(span: Span | None) -> repo.Created | None:
    return None if span is None else repo.Created(*span.bounds())
