"""Reference data a shop imports: its FAQ (each changed import a new version, history kept, unchanged FAQs
not duplicated) and its release calendar."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine

from pipeline.ingest import IngestReport
from sources.faq import read_faq
from sources.records import Reject
from sources.releases import ReleaseRecord, read_releases
from store import repo
from store.db import session_scope


@dataclass(frozen=True)
class FaqImport:
    version_id: int | None  # None: identical to the current FAQ, nothing stored
    entries: int
    rejects: list[Reject]


def import_faq(engine: Engine, path: Path | str) -> FaqImport:
    entries, rejects = read_faq(path)
    rows = [{k: v for k, v in asdict(e).items() if k != "origin"} for e in entries]
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    with session_scope(engine) as session:
        version_id = repo.add_faq_version(session, str(path), digest, rows)
    return FaqImport(version_id, len(rows), rejects)


def store_releases(engine: Engine, releases: list[ReleaseRecord]) -> tuple[int, int]:
    """(new, already known) releases."""
    with session_scope(engine) as session:
        return repo.add_releases(session, [asdict(r) for r in releases])


def import_releases(engine: Engine, path: Path | str) -> IngestReport:
    """The counts and rejects of a CSV calendar's import; raises SourceError when the file is unusable."""
    records, rejects = read_releases(path)
    new, duplicate = store_releases(engine, records)
    return IngestReport(str(path), read=len(records) + len(rejects), new=new, duplicate=duplicate, rejects=rejects)
