"""Zendesk Support: the cursor-based Incremental Ticket Export, plus each ticket's comments for the
customer's words and the agents' first reply.

`/api/v2/incremental/tickets/cursor.json?start_time=T` on the first pull, then `?cursor=C` with the
`after_cursor` of the last page until `end_of_stream`. Each page is yielded with the cursor that follows
it; the caller stores its records and that cursor in one transaction, so a page that fails (after the
retries) leaves the stored cursor at the last good page. Rate limits (10 requests a minute on this
endpoint) answer 429 with Retry-After, which is honoured; 5xx and timeouts are retried with exponential
backoff.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

import httpx

from sources.base import Batch, PullContext, Sink, SourceConfig
from sources.parse import TOKYO, parse_datetime
from sources.records import RawRecord, Reject, SourceError

EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
# Zendesk's `via.channel` -> koe's channel names
CHANNELS = {"email": "mail", "web": "form", "chat": "chat", "native_messaging": "chat", "line": "line",
            "api": "api", "voice": "phone", "mobile_sdk": "app"}  # fmt: skip


class NotFound(SourceError):
    """HTTP 404: the resource is gone (a ticket deleted after the export listed it)."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # per request, the first included
    backoff_seconds: float = 1.0  # 1, 2, 4 ... between attempts after a 5xx or a timeout
    max_wait_seconds: float = 120.0  # a longer Retry-After fails the page instead of hanging the flow


@dataclass(frozen=True)
class Page:
    records: list[RawRecord]
    rejects: list[Reject]
    cursor: str | None  # where the next pull starts; None when the page gave none
    end_of_stream: bool


@dataclass
class ZendeskClient:
    base_url: str  # https://SHOP.zendesk.com, or a local server in tests
    email: str
    token: str
    source: str = "zendesk"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0
    sleep: Callable[[float], None] = clock.sleep

    def __post_init__(self) -> None:
        # API tokens authenticate as "{email}/token" with basic auth (Zendesk's API docs)
        self._http = httpx.Client(
            base_url=self.base_url.rstrip("/"), auth=(f"{self.email}/token", self.token), timeout=self.timeout
        )

    def close(self) -> None:
        self._http.close()

    def get_json(self, url: str, params: dict | None = None) -> dict:
        """GET with retries; SourceError naming the URL once the attempts are used up or the body is not JSON."""
        last = ""
        for attempt in range(self.retry.attempts):
            try:
                response = self._http.get(url, params=params)
            except httpx.TransportError as exc:  # timeouts, refused connections
                last = f"{type(exc).__name__}: {exc}"
                self.sleep(self.retry.backoff_seconds * 2**attempt)
                continue
            if response.status_code == 429:
                wait = _retry_after(response, self.retry.backoff_seconds * 2**attempt)
                if wait > self.retry.max_wait_seconds:
                    raise SourceError(f"{self.source}: GET {response.url}: rate limited for {wait:.0f} s")
                last = "429 Too Many Requests"
                self.sleep(wait)
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                self.sleep(self.retry.backoff_seconds * 2**attempt)
                continue
            if response.status_code == 404:
                raise NotFound(f"{self.source}: GET {response.url}: HTTP 404")
            if response.status_code >= 400:
                status = f"HTTP {response.status_code} {response.text[:200]}"
                raise SourceError(f"{self.source}: GET {response.url}: {status}")
            try:
                return response.json()
            except ValueError as exc:
                raise SourceError(f"{self.source}: GET {response.url}: malformed JSON ({exc})") from exc
        raise SourceError(f"{self.source}: GET {url}: failed after {self.retry.attempts} attempts ({last})")

    def comments(self, ticket_id: int) -> list[dict]:
        out: list[dict] = []
        url: str | None = f"/api/v2/tickets/{ticket_id}/comments.json"
        while url:
            body = self.get_json(url)
            out.extend(body.get("comments") or [])
            url = body.get("next_page")
        return out

    def pages(self, cursor: str | None, start_time: int) -> Iterator[Page]:
        """Pages from `cursor` (or from `start_time`, epoch seconds, on the first pull) to the end of the stream."""
        while True:
            params = {"cursor": cursor} if cursor else {"start_time": start_time}
            body = self.get_json(EXPORT_PATH, params)
            tickets, end = body.get("tickets"), body.get("end_of_stream")
            if not isinstance(tickets, list) or not isinstance(end, bool):
                raise SourceError(
                    f"{self.source}: GET {EXPORT_PATH} {params}: malformed page (no tickets list or end_of_stream)"
                )
            page = self._page(tickets, body.get("after_cursor") or cursor, end)
            yield page
            if end or not page.cursor or page.cursor == cursor:
                return
            cursor = page.cursor

    def _page(self, tickets: list[dict], cursor: str | None, end: bool) -> Page:
        """The page's tickets as records; a ticket that cannot be read is a reject naming its id and why,
        and the page (and the cursor after it) goes on: one deleted ticket must not stop the export."""
        records, rejects = [], []
        for ticket in tickets:
            origin = f"{self.base_url}{EXPORT_PATH} ticket {ticket.get('id')}"
            if ticket.get("status") == "deleted":
                continue
            try:
                records.append(self._record(ticket, origin))
            except NotFound:  # deleted between the export and the comments call
                rejects.append(Reject(origin, "deleted before its comments could be read (HTTP 404): skipped"))
            except (KeyError, TypeError, ValueError) as exc:
                rejects.append(Reject(origin, f"unusable ticket: {exc!r}"))
        return Page(records, rejects, cursor, end)

    def _record(self, ticket: dict, origin: str) -> RawRecord:
        comments = [c for c in self.comments(ticket["id"]) if c.get("public", True)]
        requester = ticket.get("requester_id")
        customer = [c for c in comments if c.get("author_id") == requester]
        agents = [c for c in comments if c.get("author_id") != requester]
        body = _comment_text(customer[0]) if customer else ticket.get("description") or ""
        return RawRecord(
            source=self.source,
            kind="ticket",
            external_id=str(ticket["id"]),
            created_at=parse_datetime(ticket["created_at"]),
            body=body,
            title=ticket.get("subject"),
            channel=CHANNELS.get(str((ticket.get("via") or {}).get("channel")), "helpdesk"),
            agent_reply=_comment_text(agents[0]) if agents else None,
            origin=origin,
        )


def _comment_text(comment: dict) -> str:
    return comment.get("plain_body") or comment.get("body") or ""


def _retry_after(response: httpx.Response, default: float) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", default)))
    except ValueError:  # an HTTP date instead of seconds: wait the default
        return default


class ZendeskSource(SourceConfig):
    """Zendesk's incremental ticket export. The API token comes from the environment variable `token_env`
    or the Prefect Secret block `token_secret`, never from this file."""

    type: Literal["zendesk"]
    source: str = "zendesk"
    base_url: str  # https://SHOP.zendesk.com
    email: str
    token_env: str = "KOE_ZENDESK_TOKEN"
    token_secret: str | None = None
    start: date = date(2020, 1, 1)  # the first pull exports tickets changed since this day
    attempts: int = RetryPolicy.attempts  # per request: 429 waits Retry-After, 5xx and timeouts back off
    backoff_seconds: float = RetryPolicy.backoff_seconds

    def origin(self) -> str:
        return f"{self.source} ({self.base_url})"


def pull(spec: ZendeskSource, sink: Sink, context: PullContext) -> None:
    """Every page after the stored cursor, each stored with the cursor after it (one transaction)."""
    token = context.secret(spec.token_env, spec.token_secret, f"zendesk source {spec.source!r}")
    retry = RetryPolicy(attempts=spec.attempts, backoff_seconds=spec.backoff_seconds)
    client = ZendeskClient(spec.base_url, spec.email, token, source=spec.source, retry=retry)
    start = int(datetime.combine(spec.start, time(), TOKYO).timestamp())
    try:
        for page in client.pages(sink.cursor(), start):
            sink.store(Batch(page.records, page.rejects, cursor=page.cursor, update_replies=True))
    finally:
        client.close()


CONFIG = ZendeskSource
