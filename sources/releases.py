"""The release calendar: launches, redesigns, campaigns and incidents, from a CSV file or the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sources.files import decode_bytes, delimited_rows, find_columns
from sources.parse import parse_datetime
from sources.records import Reject, SourceError, shown_columns

RELEASE_KINDS = ("launch", "redesign", "campaign", "incident", "other")
_ALIASES = {
    "name": ("name", "名称", "リリース名", "施策名"),
    "kind": ("kind", "type", "種別", "種類"),
    "start": ("start", "start_at", "date", "開始", "開始日時", "リリース日時", "日時"),
    "end": ("end", "end_at", "終了", "終了日時"),
    "area": ("area", "product", "対象", "影響範囲", "対象商品"),
    "notes": ("notes", "note", "memo", "メモ", "備考"),
}


@dataclass(frozen=True)
class ReleaseRecord:
    name: str
    kind: str
    start: datetime  # naive Asia/Tokyo
    end: datetime | None = None
    area: str | None = None
    notes: str | None = None


def make_release(
    name: str, kind: str, start: object, end: object = None, area: str | None = None, notes: str | None = None
) -> ReleaseRecord:
    """A validated release; ValueError says what is wrong."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a release needs a name")
    kind = (kind or "").strip().lower()
    if kind not in RELEASE_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(RELEASE_KINDS)}")
    begins = parse_datetime(start)
    ends = parse_datetime(end) if end not in (None, "") else None
    if ends is not None and ends < begins:
        raise ValueError(f"end {ends:%Y-%m-%d %H:%M} is before start {begins:%Y-%m-%d %H:%M}")
    return ReleaseRecord(name, kind, begins, ends, (area or "").strip() or None, (notes or "").strip() or None)


def read_releases(path: Path | str) -> tuple[list[ReleaseRecord], list[Reject]]:
    """Releases of a CSV calendar; bad rows are rejected with file:line and the reason."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    header, rows = delimited_rows(decode_bytes(path.read_bytes(), path))
    cols = find_columns(header, _ALIASES)
    missing = [f for f in ("name", "kind", "start") if cols[f] is None]
    if missing:
        raise SourceError(f"{path}: the calendar needs columns {', '.join(missing)} (has: {shown_columns(header)})")
    records, rejects = [], []
    for start_line, row in rows:
        try:
            values = {f: row.get(c) if c else None for f, c in cols.items()}
            records.append(
                make_release(
                    str(values["name"] or ""),
                    str(values["kind"] or ""),
                    values["start"],
                    values.get("end"),
                    values.get("area"),
                    values.get("notes"),
                )
            )
        except ValueError as exc:
            rejects.append(Reject(f"{path}:{start_line}", str(exc)))
    return records, rejects
