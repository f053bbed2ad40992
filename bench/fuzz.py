"""`koe bench fuzz --cases 10000`: malformed exports and mail through every reader, into a real store.

Each case is a small export (CSV, TSV, JSONL, XLSX) or mail file (.eml, mbox) built from real Japanese
requests (tests/data/asdc_sample.jsonl, CC BY 4.0) with one to three seeded faults: impossible dates and
numbers, ratings out of range, huge, empty or binary text, lone surrogates, NUL bytes, deep JSON, broken
quoting, CR-only lines, lines in other encodings, truncated characters, broken workbooks and MIME. It is
ingested the way koe ingests (pipeline.ingest / pipeline.pull) into one store that also holds a baseline
of good documents. A case ends as stored rows with line rejects, or as a clear file-level error
(SourceError); anything else is a crash, a case over the time limit a hang, and after the run every
baseline row must still be there unchanged. The last line is one JSON object: cases, clear_rejects,
crashes, hangs, rows_lost_or_changed (and what crashed, by exception type).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlp.pii import make_redactor
from pipeline.ingest import IngestReport, ingest_file
from pipeline.pull import pull
from sources.mail import MailFiles
from sources.records import SourceError
from store import repo
from store.db import make_engine, session_scope, sqlite_url

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "asdc_sample.jsonl"
HANG_SECONDS = 20  # one small file through a reader: far beyond any honest case

BAD_DATES = ["9999-12-31T23:59:59-01:00", "1e20", "Infinity", "-Infinity", "NaN", "0000-00-00", "2026-13-45",
             "", "  ", "昨日", "1900-01-01", "2100-01-01T00:00:00", "-1", "99999999999999999999", "2026/02/30",
             "２０２６年１１月２日", "2026-11-02T10:00:00+25:00"]  # fmt: skip
BAD_RATINGS = ["0", "6", "★★★★★★", "☆☆☆☆☆", "-1", "1e308", "nan", "五", "4.5点", "5つ星のうち9.0", "inf"]
BAD_TEXTS = ["", " ", "\x00\x00", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "\u202e反転", "🙂" * 50,
             "あ" * 150_000, "a" * 300_000, "\ud800壊れ", "\r\r\r", '"', '""""', "\\", "\t\t"]  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str  # file name with its format's suffix
    data: bytes
    kind: str  # the fault(s), for the crash report


def _rows(rng: random.Random, texts: list[str]) -> list[dict]:
    return [
        {"id": f"r{rng.randrange(10**9)}", "date": f"2026-11-{rng.randint(1, 28):02d} 10:00",
         "text": rng.choice(texts), "rating": str(rng.randint(1, 5))}
        for _ in range(rng.randint(1, 12))
    ]  # fmt: skip


def _fault_rows(rng: random.Random, rows: list[dict]) -> str:
    faults = []
    for _ in range(rng.randint(1, 3)):
        row, fault = rng.choice(rows), rng.choice(("date", "rating", "text", "id"))
        if fault == "date":
            row["date"] = rng.choice(BAD_DATES)
        elif fault == "rating":
            row["rating"] = rng.choice(BAD_RATINGS)
        elif fault == "text":
            row["text"] = rng.choice(BAD_TEXTS)
        else:
            row["id"] = rng.choice(["", "x" * 5000, "\ud801", "id\x00", "重複"])
        faults.append(fault)
    return "+".join(faults)


def _delimited(rows: list[dict], sep: str, rng: random.Random) -> tuple[bytes, str]:
    lines = [sep.join(["id", "date", "text", "rating"])]
    for r in rows:
        cells = [str(r[k]).replace("\n", " ") for k in ("id", "date", "text", "rating")]
        lines.append(sep.join(f'"{c}"' if sep in c or '"' in c else c for c in cells))
    text = "\n".join(lines) + "\n"
    fault = rng.choice(("none", "cr", "crlf", "quote", "encoding", "truncate", "columns", "bom", "nul"))
    encoding = rng.choice(("utf-8", "cp932", "euc_jp"))
    if fault == "cr":
        text = text.replace("\n", "\r")
    elif fault == "crlf":
        text = text.replace("\n", "\r\n")
    elif fault == "quote":
        text = text.replace(sep, sep + '"', 1)
    elif fault == "columns":
        text += sep.join(["extra"] * rng.randint(1, 9)) + "\n"
    data = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    if fault == "encoding":
        other = rng.choice(("utf-8", "cp932", "euc_jp", "latin-1"))
        data += ("99,2026-11-02," + rng.choice(["届きません", "返品したい"]) + ",3\n").encode(other, errors="replace")
    elif fault == "truncate" and len(data) > 3:
        data = data[: -rng.randint(1, 3)]
    elif fault == "bom":
        data = b"\xef\xbb\xbf" + data
    elif fault == "nul":
        data = data.replace(b",", b"\x00,", 1)
    return data, f"{fault}/{encoding}"


def _jsonl(rows: list[dict], rng: random.Random) -> tuple[bytes, str]:
    lines = [json.dumps(r, ensure_ascii=rng.random() < 0.5) for r in rows]
    fault = rng.choice(("none", "deep", "array", "garbage", "numbers", "surrogate"))
    if fault == "deep":
        lines.insert(rng.randrange(len(lines) + 1), "[" * 5000 + "]" * 5000)
    elif fault == "array":
        lines.append("[1, 2, 3]")
    elif fault == "garbage":
        lines.append("{not json")
    elif fault == "numbers":
        lines.append('{"id": "n", "date": 1e308, "text": "届きません", "rating": Infinity}')
    elif fault == "surrogate":
        lines.append('{"id": "\\ud800", "date": "2026-11-02", "text": "\\udfff届きません"}')
    return "\n".join(lines).encode("utf-8", errors="surrogatepass") + b"\n", fault


def _xlsx(rows: list[dict], rng: random.Random) -> tuple[bytes, str]:
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: object) -> str:  # what a workbook can hold at all: the faults come after saving
        text = str(value).encode("utf-8", errors="replace").decode("utf-8")
        return ILLEGAL_CHARACTERS_RE.sub("", text)[:30000]

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "date", "text", "rating"])
    for r in rows:
        sheet.append([cell(r["id"]), cell(r["date"]), cell(r["text"]), cell(r["rating"])])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    fault = rng.choice(("none", "truncate", "flip", "garbage"))
    if fault == "truncate":
        data = data[: rng.randint(10, len(data) - 1)]
    elif fault == "flip":
        at = rng.randrange(len(data))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    elif fault == "garbage":
        data = b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200))
    return data, fault


def _mail(rng: random.Random, texts: list[str], n: int) -> bytes:
    structures = [
        "Content-Type: text/plain; charset=utf-8\n\n{text}\n",
        "Content-Type: text/plain; charset=iso-2022-jp\n\n{text}\n",
        "Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: multipart/related\n\n{text}\n--XX--\n",
        "Content-Type: multipart/alternative\n\n{text}\n",
        "Content-Type: text/html; charset=utf-8\n\n<p>{text}<script>x</script>\n",
        "Content-Transfer-Encoding: base64\nContent-Type: text/plain\n\n!!!not base64!!!\n",
    ]
    date = rng.choice(["Mon, 2 Nov 2026 10:00:00 +0900", "not a date", "Fri, 31 Dec 9999 23:59:59 -0100", ""])
    body = rng.choice(structures).format(text=rng.choice(texts))
    head = f"From: customer{n}@example.jp\nSubject: =?utf-8?B?{rng.choice(['44GK', '!!'])}?=\nDate: {date}\n"
    return (head + f"Message-ID: <{n}.{rng.randrange(10**9)}@example.jp>\n" + body).encode("utf-8", errors="replace")


def make_case(rng: random.Random, texts: list[str], n: int) -> Case:
    fmt = rng.choice(("csv", "tsv", "jsonl", "xlsx", "eml", "mbox"))
    if fmt in ("eml", "mbox"):
        messages = [_mail(rng, texts, n * 100 + i) for i in range(rng.randint(1, 4))]
        if fmt == "eml":
            return Case(f"case{n}.eml", messages[0], "mail")
        mbox = b"".join(b"From MAILER-DAEMON Mon Nov  2 10:00:00 2026\n" + m + b"\n" for m in messages)
        return Case(f"case{n}.mbox", mbox, "mbox")
    rows = _rows(rng, texts)
    faults = _fault_rows(rng, rows) if rng.random() < 0.8 else "none"
    if fmt == "jsonl":
        data, structure = _jsonl(rows, rng)
    elif fmt == "xlsx":
        data, structure = _xlsx(rows, rng)
    else:
        data, structure = _delimited(rows, "," if fmt == "csv" else "\t", rng)
    return Case(f"case{n}.{fmt}", data, f"{faults}|{structure}")


class Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise Hang


def _ingest(engine, path: Path, source: str) -> IngestReport:
    redactor = make_redactor()
    if path.suffix in (".eml", ".mbox"):
        spec = MailFiles(type=path.suffix.lstrip("."), path=path, source=source)
        return pull(engine, spec, redactor)
    return ingest_file(engine, path, source=source, kind="review", redactor=redactor)


def _snapshot(engine) -> dict[int, str]:
    """Every baseline document, by id: a digest of all it holds."""
    with session_scope(engine) as session:
        rows = repo.load_documents(session, *_all_time())
    base = rows[rows["source"] == "baseline"]

    def plain(value: object) -> str | None:  # the frame's dtypes follow the other rows (None or NaN)
        return None if value is None or value != value else str(value)

    return {
        int(r["id"]): hashlib.sha256(json.dumps({k: plain(v) for k, v in r.items()}).encode()).hexdigest()
        for r in base.to_dict("records")
    }


def _all_time():
    from datetime import datetime

    return datetime(1900, 1, 1), datetime(2200, 1, 1)


def run(cases: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> dict:
    texts = [json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="koe-fuzz-"))
    engine = make_engine(sqlite_url(work / "koe.db"))
    baseline = work / "baseline.csv"
    baseline.write_text(
        "id,date,text\n" + "".join(f"b{i},2026-11-02 10:00,{t}\n" for i, t in enumerate(texts[:50])), encoding="utf-8"
    )
    _ingest(engine, baseline, "baseline")
    before = _snapshot(engine)
    counts: Counter[str] = Counter()
    crashed: Counter[str] = Counter()
    clear: Counter[str] = Counter()  # file-level errors by message: which whole files were refused, and why
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for n in range(cases):
            case = make_case(rng, texts, n)
            path = work / case.name
            path.write_bytes(case.data)
            signal.alarm(HANG_SECONDS)
            try:
                report = _ingest(engine, path, f"case{n % 7}")
                counts["stored"] += report.new
                counts["line_rejects"] += report.rejected
            except SourceError as exc:
                counts["clear_rejects"] += 1
                reason = str(exc).replace(str(path), "FILE").split("(")[0].strip()
                clear[re.sub(r"\d+", "N", reason)[:80]] += 1
            except Hang:
                counts["hangs"] += 1
            except Exception as exc:  # noqa: BLE001 - what the fuzz run is for
                counts["crashes"] += 1
                crashed[f"{type(exc).__name__} ({case.kind})"] += 1
            finally:
                signal.alarm(0)
                path.unlink()
            if progress and (n + 1) % 500 == 0:
                progress(n + 1)
    finally:
        signal.signal(signal.SIGALRM, previous)
    after = _snapshot(engine)
    return {
        "cases": cases,
        "clear_rejects": counts["clear_rejects"],
        "crashes": counts["crashes"],
        "hangs": counts["hangs"],
        "rows_lost_or_changed": sum(1 for i, digest in before.items() if after.get(i) != digest),
        "rows_stored": counts["stored"],
        "line_rejects": counts["line_rejects"],
        "crashed": dict(crashed.most_common(20)),
        "clear_reasons": dict(clear.most_common(10)),
        "seconds": round(time.perf_counter() - started, 1),
        "seed": seed,
    }


def main(cases: int, seed: int = 0) -> int:
    result = run(cases, seed, lambda done: print(f"{done:,} cases", flush=True))
    print(json.dumps(result, ensure_ascii=False))
    return 0
