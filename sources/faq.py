"""The shop's current FAQ from CSV/TSV, JSONL, Markdown or a saved HTML FAQ page.

HTML FAQ pages come in three shapes, all handled: <dl><dt>Q<dd>A lists, <details><summary>Q</summary>A,
and question headings followed by answer text (category from the section heading above them). Navigation,
scripts and footers are ignored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from sources.files import decode_bytes, delimited_rows, find_columns
from sources.records import Reject, SourceError, shown, shown_columns

_ALIASES = {
    "question": ("question", "q", "質問", "よくある質問", "タイトル", "title"),
    "answer": ("answer", "a", "回答", "答え", "本文"),
    "category": ("category", "カテゴリ", "カテゴリー", "分類"),
    "url": ("url", "link", "リンク"),
    "updated": ("updated", "updated_at", "更新日", "更新日時"),
}
_Q_PREFIX = re.compile(r"^\s*(?:Q\s*\d*\s*[.:：．、]?|質問\s*[:：]|Ｑ)\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^\s*(?:A\s*[.:：．、]|回答\s*[:：]|Ａ)\s*", re.IGNORECASE)
_QUESTION_END = re.compile(r"[？?]\s*$")  # a heading is a question when it asks one
_SKIP = ("script", "style", "nav", "header", "footer", "noscript", "form", "button", "aside")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5")


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer: str
    category: str | None = None
    url: str | None = None
    updated: str | None = None
    origin: str = ""


def _clean(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", text).strip()


def _entry(question: str, answer: str, origin: str, **extra: str | None) -> FaqEntry:
    q, a = _Q_PREFIX.sub("", _clean(question)), _A_PREFIX.sub("", _clean(answer))
    if not q:
        raise ValueError("no question")
    if not a:
        raise ValueError(f"no answer for {shown(q)}")
    category, url, updated = (_clean(extra.get(k)) or None for k in ("category", "url", "updated"))
    return FaqEntry(q, a, category, url, updated, origin=origin)


def _from_rows(header: list[str], rows: list[tuple[int, dict]], path: Path) -> tuple[list[FaqEntry], list[Reject]]:
    if not rows:
        return [], []
    cols = find_columns(header, _ALIASES)
    if cols["question"] is None or cols["answer"] is None:
        raise SourceError(f"{path}: an FAQ file needs question and answer columns (has: {shown_columns(header)})")
    entries, rejects = [], []
    for line, row in rows:
        values = {f: (str(row.get(c)) if c and row.get(c) is not None else None) for f, c in cols.items()}
        try:
            entries.append(_entry(values.pop("question") or "", values.pop("answer") or "", f"{path}:{line}", **values))
        except ValueError as exc:
            rejects.append(Reject(f"{path}:{line}", str(exc)))
    return entries, rejects


def _jsonl_rows(text: str, path: Path) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise SourceError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
    return rows


def _markdown(text: str, path: Path) -> tuple[list[FaqEntry], list[Reject]]:
    """`## カテゴリ` sections, `### 質問` (or `Q:` lines) followed by the answer paragraphs."""
    entries: list[FaqEntry] = []
    rejects: list[Reject] = []
    category: str | None = None
    question: str | None = None
    answer: list[str] = []
    start = 0

    def close() -> None:
        if question is not None:
            try:
                entries.append(_entry(question, " ".join(answer), f"{path}:{start}", category=category))
            except ValueError as exc:
                rejects.append(Reject(f"{path}:{start}", str(exc)))

    for number, line in enumerate(text.splitlines(), start=1):
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading and len(heading.group(1)) <= 2:
            close()
            category, question, answer = heading.group(2), None, []
        elif heading or _Q_PREFIX.match(line) and line.strip():
            close()
            question, answer, start = (heading.group(2) if heading else line), [], number
        elif question is not None and line.strip():
            answer.append(line)
    close()
    return entries, rejects


def _text(node: Tag) -> str:
    return _clean(node.get_text(" "))


def _html(text: str, path: Path) -> tuple[list[FaqEntry], list[Reject]]:
    soup = BeautifulSoup(text, "html.parser")
    for node in soup(_SKIP):
        node.decompose()
    entries: list[FaqEntry] = []
    rejects: list[Reject] = []

    def add(question: str, answer: str, shape: str, category: str | None) -> None:
        try:
            entries.append(_entry(question, answer, f"{path}:{shape}", category=category))
        except ValueError as exc:
            rejects.append(Reject(f"{path}:{shape}", str(exc)))

    def section_of(node: Tag) -> str | None:
        heading = node.find_previous(_HEADINGS)
        return _text(heading) if heading and not _is_question(_text(heading)) else None

    for details in soup.find_all("details"):
        summary = details.find("summary")
        if summary:
            summary_text = _text(summary)
            summary.decompose()  # the answer is what is left of the details
            add(summary_text, _text(details), "details", section_of(details))
        details.decompose()
    for dl in soup.find_all("dl"):
        for dt in dl.find_all("dt"):
            dd = dt.find_next_sibling("dd")
            add(_text(dt), _text(dd) if dd else "", "dl", section_of(dl))
        dl.decompose()
    # question headings followed by answer text, in document order
    heading_category: str | None = None
    heading_question: str | None = None
    answer_parts: list[str] = []
    for element in soup.descendants:
        if isinstance(element, Tag) and element.name in _HEADINGS:
            if heading_question:
                add(heading_question, " ".join(answer_parts), "heading", heading_category)
            title = _text(element)
            heading_question, answer_parts = (title, []) if _is_question(title) else (None, [])
            heading_category = heading_category if heading_question else title
        elif (
            isinstance(element, NavigableString)
            and heading_question
            and element.parent is not None
            and element.parent.name not in _HEADINGS
            and element.strip()
        ):
            answer_parts.append(str(element))
    if heading_question:
        add(heading_question, " ".join(answer_parts), "heading", heading_category)
    return entries, rejects


def _is_question(title: str) -> bool:
    return bool(_QUESTION_END.search(title) or _Q_PREFIX.match(title))


def _distinct(entries: list[FaqEntry]) -> tuple[list[FaqEntry], list[Reject]]:
    """The first entry of each question; a later one is reported where it is: merged when it repeats the
    answer, rejected when it contradicts it (issue #16: an import merged such entries without a word)."""
    first: dict[str, FaqEntry] = {}
    notes = []
    for entry in entries:
        kept = first.setdefault(entry.question, entry)
        if kept is entry:
            continue
        same = kept.answer == entry.answer
        reason = (
            f"same entry as {kept.origin}: merged"
            if same
            else f"same question as {kept.origin} with another answer: the first is kept"
        )
        notes.append(Reject(entry.origin or "?", reason))
    return list(first.values()), notes


def read_faq(path: Path | str) -> tuple[list[FaqEntry], list[Reject]]:
    """FAQ entries of a file, distinct by question (later repeats reported by line); entries without a
    question or answer are rejected."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    suffix = path.suffix.lower()
    text = decode_bytes(path.read_bytes(), path)
    if suffix in (".csv", ".tsv"):
        header, rows = delimited_rows(text, "," if suffix == ".csv" else "\t")
        entries, rejects = _from_rows(header, list(rows), path)
    elif suffix in (".jsonl", ".ndjson"):
        json_rows = _jsonl_rows(text, path)
        entries, rejects = _from_rows(list(json_rows[0][1]) if json_rows else [], json_rows, path)
    elif suffix in (".md", ".markdown"):
        entries, rejects = _markdown(text, path)
    elif suffix in (".html", ".htm"):
        entries, rejects = _html(text, path)
    else:
        raise SourceError(f"{path}: unsupported FAQ file type {suffix!r}; use .csv, .tsv, .jsonl, .md or .html")
    distinct, duplicates = _distinct(entries)
    rejects.extend(duplicates)
    if not distinct:
        raise SourceError(f"{path}: no question/answer pairs found")
    return distinct, rejects
