"""Pull one configured source into the store: its connector (sources/registry.py) reads, a `StoreSink`
prepares and stores each batch.

Incremental sources (Zendesk, IMAP) hand each page or batch over with the cursor after it, and the sink
stores both in one transaction, so a failure keeps everything stored so far and the next pull resumes
there. Credentials come from the environment or a Prefect Secret block (the flows pass the resolver),
never from koe.toml.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from nlp.pii import Redactor
from pipeline.ingest import IngestReport, store_records
from sources import registry
from sources.base import Batch, PullContext, SourceConfig
from store import repo
from store.db import session_scope


@dataclass
class StoreSink:
    """A connector's batches into the store, counted in `report`."""

    engine: Engine
    source: str
    redactor: Redactor
    report: IngestReport

    def cursor(self) -> str | None:
        with session_scope(self.engine) as session:
            return repo.get_cursor(session, self.source)

    def store(self, batch: Batch) -> None:
        self.report.automatic += batch.automatic
        store_records(
            self.engine,
            list(batch.records),
            self.report,
            self.redactor,
            rejects=batch.rejects,
            read=batch.read,
            cursor=(self.source, batch.cursor) if batch.cursor else None,
            update_replies=batch.update_replies,
        )


def pull(engine: Engine, spec: SourceConfig, redactor: Redactor, context: PullContext | None = None) -> IngestReport:
    """Everything new from `spec`'s source, stored; what was read, stored and rejected."""
    report = IngestReport(origin=spec.origin())
    sink = StoreSink(engine, spec.source, redactor, report)
    registry.pull(spec, sink, context or PullContext())
    return report
