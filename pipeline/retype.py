"""`koe retype`: the stored messages typed again by the store's current typer.

Messages are typed once, at ingest (pipeline/ingest.py). When the typer changes (a new koe version, or the
shop's own model retrained from its rated reviews, pipeline/typing.py), the messages stored before keep
their old types and the report's complaint counts mix two typers; this walks the store in id order, a
chunk at a time, and stores the types that changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from nlp import columns as C
from pipeline.typing import typer_for
from store import repo
from store.db import session_scope

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


def retype(engine: Engine, chunk: int = CHUNK) -> Retyped:
    """Every stored message typed again; returns what moved."""
    typer = typer_for(engine)
    out, last_id = Retyped(), 0
    while True:
        with session_scope(engine) as session:
            docs = repo.documents_to_type(session, last_id, chunk)
        if docs.empty:
            return out
        ratings = [None if pd.isna(r) else float(r) for r in docs[C.RATING]]  # a missing rating is no rating
        types = typer.classify_many(docs[C.TEXT].tolist(), ratings, docs[C.KIND].tolist())
        moved = {
            int(i): str(new) for i, old, new in zip(docs[C.ID], docs[C.DOC_TYPE], types, strict=True) if old != new
        }
        for i, old in zip(docs[C.ID], docs[C.DOC_TYPE], strict=True):
            if int(i) in moved:
                out.changes[(str(old), moved[int(i)])] += 1
        if moved:
            with session_scope(engine) as session:
                repo.set_doc_types(session, moved)
        out.total += len(docs)
        last_id = int(docs[C.ID].iloc[-1])
