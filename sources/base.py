"""The connector interface: a configured source is a pydantic model (`SourceConfig`), and its connector's
`pull(spec, sink, context)` hands what it reads to a `Sink` in batches. The sink (pipeline/pull.py) stores
each batch, with the cursor after it, in one transaction, so sources never touch the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from sources.records import RawRecord, Reject, SourceError

if TYPE_CHECKING:
    from sources.mail import MailRules

# (environment variable, secret block or None, what needs it) -> the credential
SecretResolver = Callable[[str, "str | None", str], str]


class SourceConfig(BaseModel):
    """A configured source (koe.toml `[[sources]]`, KOE_SOURCES): `type` picks the connector
    (sources/registry.py), `source` names it in the store. Credentials are never fields: a connector's
    config names the environment variable or Prefect Secret block that holds them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    source: str

    def origin(self) -> str:
        """Where the source reads from, for reports and messages (no secrets)."""
        return self.source


@dataclass(frozen=True)
class Batch:
    """What a connector read in one go: records, rejects (file:line and reason), how many items it saw
    (records + rejects unless told), automatic mail it left out, and the cursor to resume after it."""

    records: Sequence[RawRecord]
    rejects: Sequence[Reject] = ()
    read: int | None = None
    automatic: int = 0
    cursor: str | None = None
    update_replies: bool = False  # a ticket exported again gives its agent reply to a stored copy lacking one


class Sink(Protocol):
    def cursor(self) -> str | None:
        """Where the last pull of this source stopped (None: never pulled)."""
        ...

    def store(self, batch: Batch) -> None: ...


def environment_secret(env: str, block: str | None, what: str) -> str:
    """A credential from the environment variable `env`; Prefect Secret blocks are resolved by the flows."""
    if block:
        raise SourceError(f"{what}: Secret blocks are read inside a Prefect flow; set {env} instead")
    value = os.environ.get(env)
    if not value:
        raise SourceError(f"{what}: set the environment variable {env} (or name a Prefect Secret block)")
    return value


@dataclass(frozen=True)
class PullContext:
    """What every connector may need besides its own config."""

    secret: SecretResolver = environment_secret
    mail_rules: MailRules | None = None  # None: sources/mail.py's defaults
