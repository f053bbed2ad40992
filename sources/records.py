"""What every source yields: raw records with their origin, plus rejects with file:line and reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nlp.pii import redact

# The fields a source maps its columns onto.
FIELDS = ("id", "created_at", "title", "body", "rating", "channel", "product", "product_id", "agent_reply")


@dataclass(frozen=True)
class RawRecord:
    """One ticket or review as read: text not yet normalized or redacted (that happens before storing)."""

    source: str
    kind: str
    external_id: str
    created_at: datetime
    body: str
    title: str | None = None
    rating: float | None = None
    channel: str | None = None
    product: str | None = None  # the product's name, as customers and reports say it
    product_id: str | None = None  # the shop's or marketplace's code (商品管理番号, ASIN ...)
    agent_reply: str | None = None
    origin: str = ""  # "file:line", for messages


@dataclass(frozen=True)
class Reject:
    origin: str  # "file:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


class SourceError(Exception):
    """A whole input cannot be read (missing, unreadable, unknown format): nothing from it is stored."""


SHOWN_CHARS = 24  # of a value quoted in a message: enough to find it in the file, too little for a message


def shown(value: object) -> str:
    """A value for an error message or reject reason, which reach the terminal, the report and Prefect's
    logs: personal data redacted, cut to SHOWN_CHARS (a date column mapped to the message text must not
    copy the message into every reject)."""
    text = redact(str(value))
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def shown_columns(header: list[str]) -> str:
    """A file's first line for a message: column names as they are, but a file without a header has a data
    row there, so anything long or holding personal data is elided."""
    names = [h if len(h) <= SHOWN_CHARS and redact(h) == h else "…" for h in header[:12]]
    return ", ".join(names) + (f" (+{len(header) - 12} more)" if len(header) > 12 else "")
