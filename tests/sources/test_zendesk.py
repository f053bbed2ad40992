"""The Zendesk connector against a local HTTP server that serves pages shaped as Zendesk documents them
(Incremental Ticket Export, cursor-based; ticket comments): several pages, a 429, a 500, a malformed page,
and a restart from the stored cursor."""

import base64
import sqlite3

import pytest

from nlp.pii import make_redactor
from pipeline.pull import pull
from sources.base import PullContext
from sources.records import SourceError
from sources.zendesk import EXPORT_PATH, RetryPolicy, ZendeskClient, ZendeskSource
from store.db import make_engine, sqlite_url
from tests.helpers.http_stub import HttpStub, serve

REQUESTER, AGENT = 9001, 42

TICKETS = {
    101: ("商品が届きません", "先週注文したマグカップがまだ届きません。注文番号は KM-123456 です。", "email"),
    102: ("ギフト包装について", "ギフト包装はできますか？のしも付けられるでしょうか。", "web"),
    103: ("ログインできない", "パスワードを再設定してもログインできません。", "chat"),
    104: ("領収書", "領収書の宛名を会社名にできますか？", "email"),
}


def ticket(tid: int) -> dict:
    subject, text, channel = TICKETS[tid]
    return {
        "id": tid,
        "url": f"https://shop.zendesk.com/api/v2/tickets/{tid}.json",
        "created_at": f"2026-11-0{tid - 100}T01:30:00Z",
        "updated_at": f"2026-11-0{tid - 100}T02:00:00Z",
        "subject": subject,
        "description": text,
        "requester_id": REQUESTER,
        "status": "open",
        "via": {"channel": channel},
    }


def page(ids: list[int], cursor: str, end: bool) -> dict:
    return {
        "tickets": [ticket(i) for i in ids],
        "after_url": f"https://shop.zendesk.com{EXPORT_PATH}?cursor={cursor}",
        "after_cursor": cursor,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": end,
    }


def comments(tid: int) -> dict:
    _, text, _ = TICKETS[tid]
    reply = "お問い合わせありがとうございます。担当の佐藤です。確認して折り返しご連絡いたします。"
    return {
        "comments": [
            {"id": tid * 10, "type": "Comment", "author_id": REQUESTER, "body": text, "plain_body": text,
             "public": True, "created_at": "2026-11-02T01:30:00Z"},
            {"id": tid * 10 + 1, "type": "Comment", "author_id": AGENT, "body": "社内メモ", "public": False},
            {"id": tid * 10 + 2, "type": "Comment", "author_id": AGENT, "body": reply, "plain_body": reply,
             "public": True},
        ],
        "next_page": None,
        "previous_page": None,
        "count": 3,
    }  # fmt: skip


@pytest.fixture
def zendesk():
    stub = HttpStub()
    for tid in TICKETS:
        stub.answer(f"/api/v2/tickets/{tid}/comments.json", (200, {}, comments(tid)))
    stop = serve(stub)
    yield stub
    stop()


FAST = RetryPolicy(attempts=3, backoff_seconds=0.01)


def client(stub: HttpStub, waits: list[float] | None = None) -> ZendeskClient:
    sleep = waits.append if waits is not None else (lambda s: None)
    return ZendeskClient(stub.url, "cs@example.jp", "TOKEN", retry=FAST, sleep=sleep)


def test_zendesk_pages_until_end_of_stream_with_comments(zendesk):
    zendesk.answer(
        EXPORT_PATH,
        (200, {}, page([101, 102], "c1", False)),
        (200, {}, page([103], "c2", False)),
        (200, {}, page([104], "c3", True)),
    )
    pages = list(client(zendesk).pages(None, 1_700_000_000))
    assert [p.cursor for p in pages] == ["c1", "c2", "c3"] and pages[-1].end_of_stream
    first = zendesk.hits(EXPORT_PATH)
    assert first[0].query == {"start_time": ["1700000000"]}
    assert [r.query for r in first[1:]] == [{"cursor": ["c1"]}, {"cursor": ["c2"]}]
    auth = base64.b64decode(first[0].headers["Authorization"].removeprefix("Basic ")).decode()
    assert auth == "cs@example.jp/token:TOKEN"
    gift = pages[0].records[1]
    assert gift.external_id == "102" and gift.title == "ギフト包装について" and gift.channel == "form"
    assert gift.body == "ギフト包装はできますか？のしも付けられるでしょうか。"
    assert gift.agent_reply.startswith("お問い合わせありがとうございます")  # the public reply, not the note
    assert str(gift.created_at) == "2026-11-02 10:30:00"  # Asia/Tokyo wall time


def test_zendesk_honours_retry_after_and_retries_server_errors(zendesk):
    zendesk.answer(
        EXPORT_PATH,
        (429, {"Retry-After": "7"}, {"error": "APIRateLimitExceeded"}),
        (500, {}, "Internal Server Error"),
        (200, {}, page([101], "c1", True)),
    )
    waits: list[float] = []
    pages = list(client(zendesk, waits).pages(None, 0))
    assert [r.external_id for r in pages[0].records] == ["101"]
    assert waits == [7.0, FAST.backoff_seconds * 2]  # Retry-After as told, then backoff on the 500


def test_zendesk_gives_up_with_a_clear_error(zendesk):
    zendesk.answer(EXPORT_PATH, (503, {}, "Service Unavailable"))
    with pytest.raises(SourceError, match=r"failed after 3 attempts \(HTTP 503\)"):
        list(client(zendesk).pages(None, 0))
    zendesk.answer(EXPORT_PATH, (200, {}, "<html>maintenance</html>"))
    with pytest.raises(SourceError, match="malformed JSON"):
        list(client(zendesk).pages(None, 0))
    zendesk.answer(EXPORT_PATH, (200, {}, {"results": []}))
    with pytest.raises(SourceError, match="malformed page"):
        list(client(zendesk).pages(None, 0))


def test_zendesk_pull_stores_cursor_and_restarts_from_it(zendesk, tmp_path, monkeypatch):
    """A page that still fails leaves the cursor at the last good page: the next pull resumes there,
    nothing lost, nothing duplicated."""
    monkeypatch.setenv("KOE_ZENDESK_TOKEN", "TOKEN")
    db = tmp_path / "koe.db"
    engine = make_engine(sqlite_url(db))
    spec = ZendeskSource(type="zendesk", base_url=zendesk.url, email="cs@example.jp", attempts=2, backoff_seconds=0)
    zendesk.answer(EXPORT_PATH, (200, {}, page([101, 102], "c1", False)), (500, {}, "boom"))
    with pytest.raises(SourceError, match="failed after 2 attempts"):
        pull(engine, spec, make_redactor())
    stored = sqlite3.connect(db)
    assert stored.execute("select cursor from source_cursors where source = 'zendesk'").fetchone() == ("c1",)
    texts = [t for (t,) in stored.execute("select text from documents order by external_id")]
    assert len(texts) == 2 and "KM-123456" not in texts[0] and "<ORDER>" in texts[0]  # redacted before storing

    zendesk.requests.clear()
    zendesk.answer(EXPORT_PATH, (200, {}, page([102, 103], "c2", False)), (200, {}, page([104], "c3", True)))
    report = pull(engine, spec, make_redactor())
    assert zendesk.hits(EXPORT_PATH)[0].query == {"cursor": ["c1"]}
    assert (report.read, report.new, report.duplicate) == (3, 2, 1)
    assert stored.execute("select count(*) from documents").fetchone() == (4,)
    assert stored.execute("select cursor from source_cursors").fetchone() == ("c3",)


def test_zendesk_ticket_answered_later_gets_its_reply(zendesk, tmp_path, monkeypatch):
    """The export returns a ticket again when it changes: the agent's answer that came later is stored."""
    monkeypatch.setenv("KOE_ZENDESK_TOKEN", "TOKEN")
    db = tmp_path / "koe.db"
    engine = make_engine(sqlite_url(db))
    spec = ZendeskSource(type="zendesk", base_url=zendesk.url, email="cs@example.jp")
    unanswered = {**comments(104), "comments": comments(104)["comments"][:1]}
    zendesk.answer("/api/v2/tickets/104/comments.json", (200, {}, unanswered), (200, {}, comments(104)))
    zendesk.answer(EXPORT_PATH, (200, {}, page([104], "c1", True)), (200, {}, page([104], "c2", True)))
    pull(engine, spec, make_redactor())
    stored = sqlite3.connect(db)
    assert stored.execute("select agent_reply from documents").fetchone() == (None,)
    again = pull(engine, spec, make_redactor())
    assert again.counts() == "read 1 / new 0 / duplicate 1 / rejected 0 / replies added 1"
    (reply,) = stored.execute("select agent_reply from documents").fetchone()
    assert reply.startswith("お問い合わせありがとうございます")


def test_zendesk_token_never_from_the_config(tmp_path, monkeypatch):
    monkeypatch.delenv("KOE_ZENDESK_TOKEN", raising=False)
    spec = ZendeskSource(type="zendesk", base_url="http://127.0.0.1:9", email="cs@example.jp")
    with pytest.raises(SourceError, match="set the environment variable KOE_ZENDESK_TOKEN"):
        pull(make_engine(sqlite_url(tmp_path / "k.db")), spec, make_redactor())


def test_zendesk_token_from_a_prefect_secret_block(prefect_api, zendesk, tmp_path, monkeypatch):
    from prefect.blocks.system import Secret

    from flows.tasks import secret

    monkeypatch.delenv("KOE_ZENDESK_TOKEN", raising=False)
    Secret(value="TOKEN").save("koe-zendesk-token", overwrite=True)
    zendesk.answer(EXPORT_PATH, (200, {}, page([101], "c1", True)))
    spec = ZendeskSource(type="zendesk", base_url=zendesk.url, email="cs@example.jp", token_secret="koe-zendesk-token")
    context = PullContext(secret=secret)  # the flows' resolver: Prefect blocks, then environment
    report = pull(make_engine(sqlite_url(tmp_path / "k.db")), spec, make_redactor(), context)
    assert report.new == 1
    auth = zendesk.hits(EXPORT_PATH)[0].headers["Authorization"]
    assert base64.b64decode(auth.removeprefix("Basic ")).decode() == "cs@example.jp/token:TOKEN"


def test_a_ticket_deleted_before_its_comments_is_skipped_and_named_and_the_cursor_moves_on(
    zendesk, tmp_path, monkeypatch
):
    """The export lists ticket 103, then its comments answer 404 (deleted meanwhile): the page's other
    tickets are stored, the pull goes on to the next page, and 103 is a reject naming its id."""
    monkeypatch.setenv("KOE_ZENDESK_TOKEN", "TOKEN")
    zendesk.responses.pop("/api/v2/tickets/103/comments.json")  # the stub answers 404 for unknown paths
    zendesk.answer(EXPORT_PATH, (200, {}, page([101, 103], "c1", False)), (200, {}, page([104], "c2", True)))
    engine = make_engine(sqlite_url(tmp_path / "k.db"))
    spec = ZendeskSource(type="zendesk", base_url=zendesk.url, email="cs@example.jp", attempts=2, backoff_seconds=0)
    report = pull(engine, spec, make_redactor())
    assert (report.read, report.new, report.rejected) == (3, 2, 1)
    (reject,) = report.rejects
    assert str(reject).endswith("ticket 103: deleted before its comments could be read (HTTP 404): skipped")
    db = sqlite3.connect(tmp_path / "k.db")
    assert db.execute("select cursor from source_cursors").fetchall() == [("c2",)]
    assert sorted(r for (r,) in db.execute("select external_id from documents")) == ["101", "104"]
