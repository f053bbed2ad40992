"""What a configured source is: one pydantic model per connector type (koe.toml `[[sources]]`, KOE_SOURCES),
chosen by its `type`, and the mail rules every mail connector applies. Credentials are never fields here:
a source names the environment variable or Prefect Secret block that holds them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag

from sources.mail import DEFAULT_AUTOMATIC_FROM, DEFAULT_AUTOMATIC_SUBJECT, AutomaticMailRules


class FileSource(BaseModel):
    """A CSV/TSV/JSONL/XLSX export read on every run (KOE_SOURCES='[{"path": ..., "source": ...}]')."""

    type: Literal["file"] = "file"
    path: Path
    source: str
    kind: str = "ticket"
    map: dict[str, str] = Field(default_factory=dict)  # column -> field


class ReviewExport(BaseModel):
    """A marketplace review CSV with a column preset (sources/reviews.py: rakuten, futureshop, generic)."""

    type: Literal["reviews"]
    path: Path
    source: str
    preset: str = "generic"


class ZendeskSource(BaseModel):
    """Zendesk's incremental ticket export. The API token comes from the environment variable `token_env`
    or the Prefect Secret block `token_secret`, never from this file."""

    type: Literal["zendesk"]
    source: str = "zendesk"
    base_url: str  # https://SHOP.zendesk.com
    email: str
    token_env: str = "KOE_ZENDESK_TOKEN"
    token_secret: str | None = None
    start: date = date(2020, 1, 1)  # the first pull exports tickets changed since this day
    attempts: int = 5  # per request: 429 waits Retry-After, 5xx and timeouts back off 1, 2, 4 ... x backoff
    backoff_seconds: float = 1.0


class MailFiles(BaseModel):
    """Saved mail: one .eml file, a directory of them, or an mbox archive."""

    type: Literal["eml", "mbox"]
    path: Path
    source: str


class ImapSource(BaseModel):
    """An IMAP folder over SSL, pulled by UID; the password from `password_env` or the Secret `password_secret`."""

    type: Literal["imap"]
    source: str
    host: str
    user: str
    port: int = 993
    folder: str = "INBOX"
    password_env: str = "KOE_IMAP_PASSWORD"
    password_secret: str | None = None
    cafile: Path | None = None  # a private CA's certificate


def _source_type(value: Any) -> str:
    return value.get("type", "file") if isinstance(value, dict) else getattr(value, "type", "file")


SourceSpec = Annotated[
    Annotated[FileSource, Tag("file")]
    | Annotated[ReviewExport, Tag("reviews")]
    | Annotated[ZendeskSource, Tag("zendesk")]
    | Annotated[MailFiles, Tag("eml")]
    | Annotated[MailFiles, Tag("mbox")]
    | Annotated[ImapSource, Tag("imap")],
    Discriminator(_source_type),
]


class MailRules(BaseModel):
    """Automatic mail to leave out (regexes, case-insensitive); headers such as Auto-Submitted always count."""

    automatic_from: list[str] = Field(default_factory=lambda: list(DEFAULT_AUTOMATIC_FROM))
    automatic_subject: list[str] = Field(default_factory=lambda: list(DEFAULT_AUTOMATIC_SUBJECT))

    def compiled(self) -> AutomaticMailRules:
        return AutomaticMailRules(tuple(self.automatic_from), tuple(self.automatic_subject))
