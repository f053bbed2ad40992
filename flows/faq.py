"""FAQ import: read the shop's FAQ and store it as a new version (history kept, unchanged FAQs not duplicated)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine

from sources.faq import read_faq
from sources.records import Reject
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
