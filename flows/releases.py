"""Release calendar commands: import a CSV, add one release, list them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine

from flows.ingest import IngestReport
from sources.releases import ReleaseRecord, read_releases
from store import repo
from store.db import session_scope


def store_releases(engine: Engine, releases: list[ReleaseRecord]) -> tuple[int, int]:
    with session_scope(engine) as session:
        return repo.add_releases(session, [asdict(r) for r in releases])


def import_releases(engine: Engine, path: Path | str) -> IngestReport:
    """The counts and rejects of a CSV calendar's import; raises SourceError when the file is unusable."""
    records, rejects = read_releases(path)
    new, duplicate = store_releases(engine, records)
    return IngestReport(str(path), read=len(records) + len(rejects), new=new, duplicate=duplicate, rejects=rejects)


def format_release(release) -> str:
    end = f" 〜 {release.end:%Y-%m-%d %H:%M}" if release.end else ""
    area = f"  [{release.area}]" if release.area else ""
    return f"{release.start:%Y-%m-%d %H:%M}{end}  {release.kind:<9} {release.name}{area}"
