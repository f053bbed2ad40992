"""An IMAP folder over SSL, pulled incrementally by UID.

The cursor is "UIDVALIDITY:last UID". UIDs only mean something within one UIDVALIDITY: when the server
changes it (folder recreated), the pull starts over and the store's (source, Message-ID) key keeps it
from duplicating anything. The folder is opened read-only: koe never marks customer mail as read.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sources.base import PullContext, Sink, SourceConfig
from sources.mail import AutomaticMailRules, MailBatch, automatic_rules, read_messages, store_batch
from sources.records import SourceError

FETCH_CHUNK = 200  # messages per FETCH and per stored batch


@dataclass(frozen=True)
class ImapAccount:
    host: str
    user: str
    password: str
    folder: str = "INBOX"
    port: int = 993
    cafile: Path | None = None  # a private CA (or the test server's self-signed certificate)
    timeout: float = 30.0


def parse_cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    validity, _, last = cursor.partition(":")
    return int(validity), int(last)


def _connect(account: ImapAccount) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=str(account.cafile) if account.cafile else None)
    try:
        conn = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=account.timeout)
        if (account.user + account.password).isascii():
            conn.login(account.user, account.password)
        else:  # LOGIN is ASCII-only in imaplib; SASL PLAIN carries UTF-8 (RFC 4616)
            conn.authenticate("PLAIN", lambda _: f"\0{account.user}\0{account.password}".encode())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise SourceError(f"imap {account.user}@{account.host}:{account.port}: {exc}") from exc
    return conn


def _new_uids(conn: imaplib.IMAP4_SSL, account: ImapAccount, cursor: str | None) -> tuple[int, list[int]]:
    typ, _ = conn.select(_quote(account.folder), readonly=True)
    if typ != "OK":
        raise SourceError(f"imap {account.host}: cannot open folder {account.folder!r}")
    values = conn.untagged_responses.get("UIDVALIDITY") or [b"0"]
    last_value = values[-1]
    validity = int(last_value if isinstance(last_value, bytes) else last_value[0])
    old_validity, last = parse_cursor(cursor)
    if validity != old_validity:
        last = 0
    typ, data = conn.uid("SEARCH", f"UID {last + 1}:*")
    if typ != "OK":
        raise SourceError(f"imap {account.host}: UID SEARCH failed: {data!r}")
    # "n:*" always includes the newest message, even when its UID is below n
    return validity, sorted(u for u in map(int, (data[0] or b"").split()) if u > last)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def batches(account: ImapAccount, cursor: str | None, *, source: str, rules: AutomaticMailRules) -> Iterator[MailBatch]:
    """Batches of new messages in UID order, each with the cursor after it (store both together)."""
    conn = _connect(account)
    try:
        validity, uids = _new_uids(conn, account, cursor)
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start : start + FETCH_CHUNK]
            typ, data = conn.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[])")
            if typ != "OK":
                raise SourceError(f"imap {account.host}: FETCH failed: {data!r}")
            items = [
                (f"imap://{account.host}/{account.folder};UID={_uid(meta)}", raw)
                for meta, raw in (part for part in data if isinstance(part, tuple))
            ]
            batch = read_messages(items, source=source, rules=rules)
            batch.cursor = f"{validity}:{chunk[-1]}"
            yield batch
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _uid(meta: bytes) -> str:
    found = re.search(rb"UID (\d+)", meta)
    return found.group(1).decode() if found else "?"


class ImapSource(SourceConfig):
    """An IMAP folder over SSL, pulled by UID; the password from `password_env` or the Secret `password_secret`."""

    type: Literal["imap"]
    host: str
    user: str
    port: int = 993
    folder: str = "INBOX"
    password_env: str = "KOE_IMAP_PASSWORD"
    password_secret: str | None = None
    cafile: Path | None = None  # a private CA's certificate

    def origin(self) -> str:
        return f"imap://{self.user}@{self.host}:{self.port}/{self.folder}"


def pull(spec: ImapSource, sink: Sink, context: PullContext) -> None:
    """New messages since the stored cursor, a batch of FETCH_CHUNK at a time, each with the cursor after it."""
    password = context.secret(spec.password_env, spec.password_secret, f"imap source {spec.source!r}")
    account = ImapAccount(spec.host, spec.user, password, spec.folder, spec.port, spec.cafile)
    for batch in batches(account, sink.cursor(), source=spec.source, rules=automatic_rules(context)):
        store_batch(sink, batch)


CONFIG = ImapSource
