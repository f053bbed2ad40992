"""File exports (CSV, TSV, JSONL, XLSX) from helpdesks, forms and marketplaces, read into RawRecords.

Column names are matched against common English and Japanese headers (件名, 本文, 評価 ...); `mapping`
overrides them. Encodings are detected with charset-normalizer: Japanese tools export CP932.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from sources.base import Batch, PullContext, Sink, SourceConfig
from sources.parse import parse_datetime, parse_rating
from sources.records import FIELDS, RawRecord, Reject, SourceError, shown_columns

FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}

DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "ticket_id",
        "review_id",
        "external_id",
        "チケットid",
        "問い合わせid",
        "お問い合わせid",
        "問い合わせ番号",
        "レビューid",
        "管理番号",
    ),
    "created_at": (
        "created_at",
        "created",
        "date",
        "datetime",
        "timestamp",
        "日時",
        "作成日時",
        "受付日時",
        "問い合わせ日時",
        "投稿日",
        "投稿日時",
        "レビュー日",
        "日付",
    ),
    "title": ("title", "subject", "件名", "タイトル", "レビュータイトル"),
    "body": (
        "body",
        "text",
        "content",
        "message",
        "description",
        "review",
        "review_text",
        "comment",
        "本文",
        "内容",
        "お問い合わせ内容",
        "問い合わせ内容",
        "レビュー本文",
        "レビュー内容",
        "コメント",
    ),
    "rating": ("rating", "score", "stars", "評価", "星", "評価点", "おすすめ度"),
    "channel": ("channel", "via", "チャネル", "チャネル名", "経路", "問い合わせ経路", "流入経路"),
    "product": ("product", "product_name", "item", "item_name", "商品", "商品名"),
    "product_id": ("product_id", "item_id", "sku", "asin", "商品id", "商品番号", "商品管理番号", "商品コード"),
    "agent_reply": ("agent_reply", "reply", "answer", "回答", "返信", "対応内容", "回答内容"),
}


@dataclass
class FileReadResult:
    records: list[RawRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Data rows seen, usable or not."""
        return len(self.records) + len(self.rejects)


JAPANESE = ("utf-8", "cp932", "euc_jp")  # what Japanese shops' tools write, most common first


def japanese_score(text: str) -> int:
    """How much `text` reads as Japanese: kana and kanji count, half-width katakana (what EUC-JP bytes
    become when read as CP932) and replacement characters count against."""
    score = 0
    for ch in text:
        code = ord(ch)
        if 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF:
            score += 1
        elif 0xFF61 <= code <= 0xFF9F:
            score -= 1
        elif ch == "\ufffd":
            score -= 10
        elif 0xAC00 <= code <= 0xD7AF:  # Hangul: what charset-normalizer made of small CP932 files
            score -= 2
    return score


def _encoding_of(data: bytes, path: Path, complete: bool = True) -> str:
    """UTF-8 when it decodes strictly (a BOM says UTF-8 or UTF-16), else the Japanese encoding under which
    the bytes read most like Japanese, and only then what charset-normalizer detects. charset-normalizer
    alone took small CP932 files for Korean (23 of 200) and EUC-JP ones (65 of 200) on this data.
    `complete` False: `data` is the head of a bigger file, and may end inside a character."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # a few bad lines (one UTF-8 line in a CP932 export, a character cut off at the end) must not decide
    scores = {enc: japanese_score(data.decode(enc, errors="replace")) for enc in JAPANESE}
    best_japanese = max(scores, key=lambda enc: scores[enc])
    if scores[best_japanese] > 0:
        return best_japanese
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(f"{path}: cannot detect the text encoding (not UTF-8, CP932 or another known one)")
    # charset-normalizer says shift_jis for CP932 files; CP932 is the superset Windows tools write (①, ㈱).
    return "cp932" if best.encoding in ("shift_jis", "shift_jis_2004", "shift_jisx0213") else best.encoding


def decode_line(raw: bytes, encoding: str) -> str | None:
    """One line in the file's encoding, else in another Japanese encoding that decodes it cleanly and reads
    as Japanese (a UTF-8 line pasted into a CP932 export), else None: the line is rejected, not the file."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        pass
    for other in (enc for enc in JAPANESE if enc != encoding):
        try:
            text = raw.decode(other)
        except UnicodeDecodeError:
            continue
        if japanese_score(text) > 0:
            return text
    return None


def decode_bytes(data: bytes, path: Path) -> str:
    """A small file's whole text (FAQ pages, release calendars)."""
    return data.decode(_encoding_of(data, path), errors="strict")


DETECT_BYTES = 4 << 20  # the encoding is detected on this much of an export; the rest streams


def detect_encoding(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(DETECT_BYTES)
            complete = not f.read(1)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from exc
    return _encoding_of(head, path, complete)


def _lines(path: Path, encoding: str, rejects: list[Reject]) -> Iterator[str]:
    """The file's lines, decoded as they are read: a big export never sits in memory as one string. Line by
    line, so a decode error names its line (a newline byte never occurs inside a UTF-8, CP932 or EUC-JP
    character); UTF-16/32 (Excel's "Unicode text") go through Python's decoder instead. Old Mac exports end
    lines with CR alone: those are split too (the csv module refused them)."""
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        # no line structure to reject by in a broken UTF-16 stream: the whole file is decoded once first,
        # so it fails before anything of it is stored
        with path.open(encoding=encoding, newline="") as f:
            try:
                for _ in f:
                    pass
            except UnicodeDecodeError as exc:
                raise SourceError(f"{path}: not {encoding} text (byte {exc.start} of a block)") from None
        with path.open(encoding=encoding, newline="") as f:
            yield from _cr_split(f)
        return
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            text = decode_line(raw, encoding)
            if text is None:  # the line is rejected; a blank line keeps the reader's line numbers
                rejects.append(Reject(f"{path}:{number}", f"not {encoding} text, nor UTF-8, CP932 or EUC-JP"))
                text = "\n"
            yield from _cr_split([text])


def _cr_split(lines: Iterable[str]) -> Iterator[str]:
    """Lines as the csv module wants them: a lone CR (not part of CRLF) ends a line too."""
    for line in lines:
        if "\r" not in line.rstrip("\r\n"):
            yield line
            continue
        yield from (part + "\n" for part in line.replace("\r\n", "\n").split("\r") if part)


# a field may hold a pasted log of several MB (the csv module stops at 131,072 characters by default);
# what a document may hold is decided later (MAX_TEXT), with a reject, not a crash
csv.field_size_limit(64 << 20)


def delimited_rows(
    text: str | Iterable[str], delimiter: str = ",", rejects: list[Reject] | None = None, origin: str = ""
) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """(header, rows) of a whole text or of lines as they are read: each non-blank row as (the line it
    starts on, {column: value}). Quoted values may span lines, so the line is the reader's, not a count.
    A line the csv module refuses (a NUL byte ...) becomes a reject in `rejects`, and reading goes on."""
    reader = csv.reader(io.StringIO(text, newline="") if isinstance(text, str) else text, delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise SourceError(f"{origin or 'the file'}:1: unreadable header ({exc})") from None

    def rows() -> Iterator[tuple[int, dict]]:
        line = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if rejects is None:
                    raise SourceError(f"{origin or 'the file'}:{reader.line_num}: {exc}") from None
                rejects.append(Reject(f"{origin}:{reader.line_num}", f"unreadable line ({exc})"))
                line = reader.line_num
                continue
            start, line = line + 1, reader.line_num
            if any(v.strip() for v in values):
                yield start, dict(zip(header, values, strict=False))

    return header, rows()


def find_columns(header: list[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str | None]:
    """field -> the header's column named by one of the field's aliases (case-insensitive), or None."""
    lowered = {h.strip().lower(): h for h in header}
    return {field: next((lowered[a] for a in names if a in lowered), None) for field, names in aliases.items()}


def _rows_jsonl(lines: Iterable[str], path: Path, rejects: list[Reject]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rejects.append(Reject(f"{path}:{number}", f"invalid JSON ({exc.msg})"))
            continue
        except RecursionError:  # a line nested a few thousand levels deep
            rejects.append(Reject(f"{path}:{number}", "JSON nested too deeply"))
            continue
        if not isinstance(obj, dict):
            rejects.append(Reject(f"{path}:{number}", "a JSON line must be an object"))
            continue
        yield number, obj


def _rows_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    """The workbook's rows, after one pass that reads them all and keeps none: a workbook that breaks at
    row 40,000 (bad XML, a CRC error) must fail before the first chunk is stored, not after (a re-run
    would store nothing more and fail at the same row)."""
    for _ in _read_xlsx(path):
        pass
    yield from _read_xlsx(path)


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise SourceError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = book.active
        if sheet is None:
            raise SourceError(f"{path}: the workbook has no sheet")
        rows = sheet.iter_rows(values_only=True)
        number = 1
        try:
            header = [str(h) if h is not None else "" for h in next(rows, ())]
            for number, values in enumerate(rows, start=2):
                if any(v not in (None, "") for v in values):
                    yield number, dict(zip(header, values, strict=False))
        except Exception as exc:  # bad XML or a CRC error inside the zip shows only while the rows are read
            raise SourceError(f"{path}: workbook unreadable after row {number} ({type(exc).__name__})") from None
    finally:
        book.close()


def resolve_columns(header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """field -> column: explicit `mapping` (column -> field) first, then the default aliases."""
    for column, fld in mapping.items():
        if fld not in FIELDS:
            raise SourceError(f"--map {column}={fld}: unknown field {fld!r}; fields are {', '.join(FIELDS)}")
        if column not in header:
            raise SourceError(
                f"--map {column}={fld}: the file has no column {column!r} (columns: {shown_columns(header)})"
            )
    out = {fld: column for column, fld in mapping.items()}
    found = find_columns(header, {fld: aliases for fld, aliases in DEFAULT_ALIASES.items() if fld not in out})
    return out | {fld: column for fld, column in found.items() if column is not None}


def _value(row: Mapping, column: str | None) -> object:
    if column is None:
        return None
    value = row.get(column)
    return value.strip() if isinstance(value, str) else value


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_TEXT = 100_000  # characters of one message: beyond, a pasted log or a broken export, not a customer's words


def _text(value: object) -> str | None:
    """A cell as text; a lone surrogate (from a JSON \\ud800 escape) becomes U+FFFD and a NUL is dropped:
    no database stores the one, PostgreSQL refuses the other (and with it the whole chunk)."""
    if value is None:
        return None
    text = _SURROGATE.sub("\ufffd", str(value)).replace("\x00", "").strip()
    return text or None


def _cut(text: str | None, width: int) -> str | None:
    return text[:width] if text else text


def _body(row: Mapping, cols: Mapping[str, str]) -> str:
    """The row's message text; ValueError when there is none or it is too long to be one message."""
    body = _text(_value(row, cols.get("body")))
    if not body:
        raise ValueError("no text (empty body)")
    if len(body) > MAX_TEXT:
        raise ValueError(f"text of {len(body):,} characters (over {MAX_TEXT:,}: pasted data?)")
    return body


def to_record(row: Mapping, cols: Mapping[str, str], *, source: str, kind: str, origin: str) -> RawRecord:
    """One mapped row as a RawRecord; ValueError with the reason when the row is unusable."""
    body = _body(row, cols)
    created_at = parse_datetime(_value(row, cols.get("created_at")))
    rating = parse_rating(_value(row, cols.get("rating")))
    title = _text(_value(row, cols.get("title")))
    external_id = _text(_value(row, cols.get("id")))
    if external_id is None:  # no id column: the content identifies the row, so a re-run stays idempotent
        digest = hashlib.sha256(f"{created_at.isoformat()}\x1f{title or ''}\x1f{body}".encode()).hexdigest()
        external_id = f"sha:{digest[:32]}"
    elif len(external_id) > 200:  # the store's column width (store/models.py): a stable stand-in, not a failure
        external_id = "sha:" + hashlib.sha256(external_id.encode()).hexdigest()[:32]
    channel = _text(_value(row, cols.get("channel"))) or ("review" if kind == "review" else None)
    return RawRecord(
        source=source,
        kind=kind,
        external_id=external_id,
        created_at=created_at,
        body=body,
        title=title,
        rating=rating,
        # cut to the store's column widths (store/models.py): PostgreSQL refused the whole chunk otherwise
        channel=channel[:50] if channel else None,
        product=_cut(_text(_value(row, cols.get("product"))), 200),
        product_id=_cut(_text(_value(row, cols.get("product_id"))), 100),
        agent_reply=_text(_value(row, cols.get("agent_reply"))),
        origin=origin,
    )


def _rows(path: Path, fmt: str, rejects: list[Reject]) -> Iterator[tuple[int, dict]]:
    if fmt == "xlsx":
        return _rows_xlsx(path)
    lines = _lines(path, detect_encoding(path), rejects)
    if fmt == "jsonl":
        return _rows_jsonl(lines, path, rejects)
    return delimited_rows(lines, "," if fmt == "csv" else "\t", rejects, str(path))[1]


CHUNK_ROWS = 5000  # rows per stored chunk: memory stays flat however big the export is


def _mapped_rows(
    path: Path,
    rejects: list[Reject],
    mapping: Mapping[str, str] | None = None,
    mapping_for: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> Iterator[tuple[str, dict, dict[str, str]]]:
    """(file:line, row, column mapping) for every row of an export; lines that are not rows go to `rejects`.
    The mapping is `mapping`, or what `mapping_for` makes of the header; an unusable file raises SourceError
    before the first row."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    cols: dict[str, str] | None = None
    for line, row in _rows(path, fmt, rejects):
        if cols is None:
            header = list(row)
            cols = resolve_columns(header, mapping or (mapping_for(header) if mapping_for else {}))
            if "body" not in cols:
                raise SourceError(
                    f"{path}: no text column found (looked for {', '.join(DEFAULT_ALIASES['body'])}); "
                    "name it with --map COLUMN=body"
                )
        yield f"{path}:{line}", row, cols


def read_chunks(
    path: Path | str,
    *,
    source: str,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    mapping_for: Callable[[list[str]], Mapping[str, str]] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[FileReadResult]:
    """The usable rows of one export, `chunk_rows` at a time; bad rows become Rejects ("file:line: reason").
    The column mapping is `mapping`, or what `mapping_for` makes of the header (review presets). An
    unusable file raises SourceError before the first chunk."""
    chunk = FileReadResult()
    rejects: list[Reject] = []  # lines rejected while rows are read (not JSON objects, undecodable)
    for origin, row, cols in _mapped_rows(Path(path), rejects, mapping, mapping_for):
        chunk.rejects.extend(rejects)
        rejects.clear()
        try:
            chunk.records.append(to_record(row, cols, source=source, kind=kind, origin=origin))
        except ValueError as exc:
            chunk.rejects.append(Reject(origin, str(exc)))
        if chunk.rows_read >= chunk_rows:
            yield chunk
            chunk = FileReadResult()
    chunk.rejects.extend(rejects)
    yield chunk


@dataclass(frozen=True)
class TextRow:
    origin: str  # file:line
    body: str
    rating: float | None


def read_texts(path: Path | str, mapping: Mapping[str, str] | None = None) -> Iterator[TextRow | Reject]:
    """The text (and rating) of every row of an export, for looking at messages without storing them
    (`koe classify`): no date needed; an unusable row is a Reject, an unusable file a SourceError."""
    rejects: list[Reject] = []
    for origin, row, cols in _mapped_rows(Path(path), rejects, mapping):
        yield from rejects
        rejects.clear()
        try:
            yield TextRow(origin, _body(row, cols), parse_rating(_value(row, cols.get("rating"))))
        except ValueError as exc:
            yield Reject(origin, str(exc))
    yield from rejects


def read_file(path: Path | str, **options) -> FileReadResult:
    """All of an export at once (small files: FAQ tools, tests); `read_chunks` takes the same options."""
    result = FileReadResult()
    for chunk in read_chunks(path, **options):
        result.records += chunk.records
        result.rejects += chunk.rejects
    return result


class FileSource(SourceConfig):
    """A CSV/TSV/JSONL/XLSX export read on every run (KOE_SOURCES='[{"path": ..., "source": ...}]')."""

    type: Literal["file"] = "file"
    path: Path
    kind: str = "ticket"
    map: dict[str, str] = Field(default_factory=dict)  # column -> field

    def origin(self) -> str:
        return str(self.path)


def pull(spec: FileSource, sink: Sink, context: PullContext) -> None:
    """Every chunk of the export to the sink: a re-read stores nothing twice (documents are unique)."""
    for chunk in read_chunks(spec.path, source=spec.source, kind=spec.kind, mapping=spec.map):
        sink.store(Batch(chunk.records, chunk.rejects))


CONFIG = FileSource
