"""Customer mail: .eml files, mbox archives and IMAP folders, decoded the way Japanese mail really arrives.

Bodies come out as text (plain part preferred, else the HTML part, which nlp.prepare turns into text and
strips of quoted replies and signatures, as for every mail channel). Charsets: Japanese mailers label
CP932 text as Shift_JIS and use ISO-2022-JP with NEC/IBM extensions (①, ㈱), which Python's strict codecs
reject; those labels are decoded with the superset codecs, and anything else that fails with
charset-normalizer. Automatic mail (shipping notices, marketplace notifications, bounces) is filtered by
rules: it would bury the real inquiries.
"""

from __future__ import annotations

import email
import hashlib
import mailbox
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Literal

from charset_normalizer import from_bytes
from pydantic import BaseModel, Field

from sources.base import Batch, PullContext, Sink, SourceConfig
from sources.parse import parse_datetime
from sources.records import RawRecord, Reject, SourceError

# what mail clients write -> the codec that decodes what they mean
_SUPERSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
              "iso-2022-jp": "iso2022_jp_ext", "csiso2022jp": "iso2022_jp_ext", "euc-jp": "euc_jis_2004"}  # fmt: skip

DEFAULT_AUTOMATIC_FROM = (r"no-?reply", r"do-?not-?reply", r"mailer-daemon", r"postmaster", r"^notifications?@")
DEFAULT_AUTOMATIC_SUBJECT = (
    r"発送(?:完了)?の(?:お知らせ|ご案内)", r"出荷(?:完了)?の(?:お知らせ|ご案内)", r"ご注文(?:内容)?の確認",
    r"ご注文ありがとうございま", r"配送状況のお知らせ", r"レビュー(?:投稿|記入)のお願い", r"Undelivered Mail",
    r"Delivery Status Notification", r"^【(?:楽天市場|Yahoo!ショッピング|Amazon)】",
)  # fmt: skip


@dataclass(frozen=True)
class AutomaticMailRules:
    """A message is automatic when a header says so (Auto-Submitted, Precedence: bulk/list/junk, List-Id)
    or its From or Subject matches one of these regexes (case-insensitive); configurable per shop."""

    from_patterns: tuple[str, ...] = DEFAULT_AUTOMATIC_FROM
    subject_patterns: tuple[str, ...] = DEFAULT_AUTOMATIC_SUBJECT

    def reason(self, msg: EmailMessage) -> str | None:
        auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
        if auto != "no":
            return f"Auto-Submitted: {auto}"
        if str(msg.get("Precedence", "")).strip().lower() in {"bulk", "list", "junk"}:
            return f"Precedence: {msg['Precedence']}"
        if msg.get("List-Id"):
            return "List-Id"
        for name, patterns in (("From", self.from_patterns), ("Subject", self.subject_patterns)):
            value = str(msg.get(name, ""))
            for pattern in patterns:
                if re.search(pattern, value, re.IGNORECASE):
                    return f"{name} matches {pattern!r}"
        return None


@dataclass
class MailBatch:
    records: list[RawRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    automatic: list[str] = field(default_factory=list)  # origins of filtered messages
    read: int = 0
    cursor: str | None = None


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):  # a multipart or missing payload has no bytes to decode
        payload = b""
    charset = (part.get_content_charset() or "").lower()
    for codec in filter(None, (_SUPERSETS.get(charset, charset), "utf-8")):
        try:
            return payload.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(payload).best()
    if best is None:
        raise ValueError(f"body in an unknown encoding (declared {charset or 'none'})")
    return str(best)


def message_text(msg: EmailMessage) -> str:
    """The body: the text/plain part if there is one, else the text/html part (converted later)."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise ValueError("no text or HTML body")
    return _decode_part(part)


def _subject(msg: EmailMessage) -> str | None:
    try:
        return str(msg.get("Subject", "")).strip() or None
    except (LookupError, UnicodeError):  # an encoded word in a charset Python does not know
        return None


def to_record(raw: bytes, *, source: str, origin: str) -> tuple[RawRecord, EmailMessage]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # policy.default builds EmailMessage objects
    date_header = msg.get("Date")
    if date_header is None or getattr(date_header, "datetime", None) is None:
        raise ValueError("no usable Date header")
    message_id = str(msg.get("Message-ID", "")).strip() or "sha256:" + hashlib.sha256(raw).hexdigest()
    return (
        RawRecord(
            source=source,
            kind="ticket",
            external_id=message_id,
            created_at=parse_datetime(date_header.datetime),
            body=message_text(msg),
            title=_subject(msg),
            channel="mail",
            origin=origin,
        ),
        msg,
    )


def read_messages(items: Iterable[tuple[str, bytes]], *, source: str, rules: AutomaticMailRules) -> MailBatch:
    """Records from (origin, raw message) pairs: bad messages become rejects naming their origin, automatic
    ones are counted and left out."""
    batch = MailBatch()
    for origin, raw in items:
        batch.read += 1
        try:
            record, msg = to_record(raw, source=source, origin=origin)
        except (ValueError, TypeError, LookupError) as exc:
            batch.rejects.append(Reject(origin, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - the email package fails on broken MIME in many ways
            # (multipart/related without a boundary: 'str' object has no attribute 'is_attachment'); one
            # broken message is that message's reject, never the mailbox's end
            batch.rejects.append(Reject(origin, f"unreadable MIME structure ({type(exc).__name__})"))
            continue
        if rules.reason(msg):
            batch.automatic.append(origin)
        else:
            batch.records.append(record)
    return batch


def eml_items(path: Path | str) -> Iterator[tuple[str, bytes]]:
    """One .eml file, or every .eml file under a directory (sorted, so origins are stable)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    files = sorted(path.rglob("*.eml")) if path.is_dir() else [path]
    for file in files:
        yield str(file), file.read_bytes()


def mbox_items(path: Path | str) -> Iterator[tuple[str, bytes]]:
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such mbox file")
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            yield f"{path}#{number}", box.get_bytes(key)
    finally:
        box.close()


class MailRules(BaseModel):
    """Automatic mail to leave out (regexes, case-insensitive; koe.toml `[mail]`); headers such as
    Auto-Submitted always count."""

    automatic_from: list[str] = Field(default_factory=lambda: list(DEFAULT_AUTOMATIC_FROM))
    automatic_subject: list[str] = Field(default_factory=lambda: list(DEFAULT_AUTOMATIC_SUBJECT))

    def compiled(self) -> AutomaticMailRules:
        return AutomaticMailRules(tuple(self.automatic_from), tuple(self.automatic_subject))


def automatic_rules(context: PullContext) -> AutomaticMailRules:
    return (context.mail_rules or MailRules()).compiled()


def store_batch(sink: Sink, batch: MailBatch) -> None:
    sink.store(
        Batch(batch.records, batch.rejects, read=batch.read, automatic=len(batch.automatic), cursor=batch.cursor)
    )


class MailFiles(SourceConfig):
    """Saved mail: one .eml file, a directory of them, or an mbox archive."""

    type: Literal["eml", "mbox"]
    path: Path

    def origin(self) -> str:
        return str(self.path)


def pull(spec: MailFiles, sink: Sink, context: PullContext) -> None:
    items = eml_items(spec.path) if spec.type == "eml" else mbox_items(spec.path)
    store_batch(sink, read_messages(items, source=spec.source, rules=automatic_rules(context)))


CONFIG = MailFiles
