"""From a raw record's text to what koe stores: normalized, redacted, hashed (typed in batches at ingest,
pipeline/ingest.py, so the model scores a chunk at once)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from nlp.normalize import normalize_text
from nlp.pii import Redactor, redact

MAIL_CHANNELS = frozenset({"mail", "email", "e-mail", "メール"})


@dataclass(frozen=True)
class PreparedText:
    text: str
    title: str | None
    agent_reply: str | None
    text_hash: str


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(
    body: str,
    *,
    title: str | None = None,
    agent_reply: str | None = None,
    channel: str | None = None,
    redactor: Redactor = redact,
) -> PreparedText:
    """Mail bodies also lose HTML, quoted replies and signatures. Raises ValueError when nothing is left."""
    mail = (channel or "").lower() in MAIL_CHANNELS
    text = redactor(normalize_text(body, html=mail, mail=mail))
    if not text:
        raise ValueError("no text left after removing markup, quoted replies and signature")
    clean_title = redactor(normalize_text(title)) if title else None
    clean_reply = redactor(normalize_text(agent_reply, html=mail, mail=mail)) if agent_reply else None
    return PreparedText(
        text=text,
        title=clean_title or None,
        agent_reply=clean_reply or None,
        text_hash=text_hash(text),
    )
