"""Stored messages typed again by the store's current typer.

Messages are typed once, at ingest (pipeline/ingest.py), and stamped with the typer's version. When the
typer changes (a new koe version, or the shop's own model retrained from its rated reviews,
pipeline/typing.py), the messages stored before would keep their old types and a report's complaint counts
would mix two typers: every report first types again the messages another typer typed (`retype_stale`);
`koe retype` types every message again. Both walk the store in id order, a chunk at a time.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from pipeline.typing import current_typer_version, typer_for
from store import repo
from store.db import session_scope

log = logging.getLogger(__name__)

CHUNK = 5_000  # messages typed per batch: the model scores a batch's sentences at once


@dataclass
class Retyped:
    total: int = 0
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (old type, new type) -> messages

    @property
    def changed(self) -> int:
        return sum(self.changes.values())

    def summary(self) -> str:
        moves = ", ".join(f"{old} -> {new}: {n}" for (old, new), n in self.changes.most_common())
        return f"typed {self.total} messages again; {self.changed} changed" + (f" ({moves})" if moves else "")


def retype(engine: Engine, chunk: int = CHUNK, only_stale: bool = False) -> Retyped:
    """Every stored message typed again (`only_stale`: those another typer typed); returns what moved."""
    typer = typer_for(engine)
    out, last_id = Retyped(), 0
    while True:
        with session_scope(engine) as session:
            docs = repo.documents_to_type(session, last_id, chunk, typer.version if only_stale else None)
        if docs.empty:
            return out
        ratings = [None if pd.isna(r) else float(r) for r in docs[C.RATING]]  # a missing rating is no rating
        types = typer.classify_many(docs[C.TEXT].tolist(), ratings, docs[C.KIND].tolist())
        for old, new in zip(docs[C.DOC_TYPE], types, strict=True):
            if old != new:
                out.changes[(str(old), str(new))] += 1
        with session_scope(engine) as session:
            repo.set_doc_types(session, {int(i): str(t) for i, t in zip(docs[C.ID], types, strict=True)}, typer.version)
        out.total += len(docs)
        last_id = int(docs[C.ID].iloc[-1])


def retype_stale(engine: Engine) -> Retyped:
    """Before a report: the messages another typer typed, typed again (none after an upgrade-free week;
    then nothing is trained either)."""
    version = current_typer_version(engine)
    with session_scope(engine) as session:
        if not repo.any_not_typed_by(session, version):
            return Retyped()
    out = retype(engine, only_stale=True)
    if out.total:
        log.info("typer changed: %s", out.summary())
    return out
