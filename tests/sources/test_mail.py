"""Mail as Japanese customers' mailers send it: ISO-2022-JP, Shift_JIS labels on CP932 text, MIME-encoded
subjects, HTML-only mail, multipart; automatic mail filtered; .eml files and mbox archives."""

import mailbox
from email.header import Header
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from nlp.pii import make_redactor
from pipeline.pull import pull
from sources.mail import AutomaticMailRules, MailFiles, eml_items, mbox_items, read_messages
from sources.records import SourceError
from store import repo
from store.db import make_engine, session_scope, sqlite_url

DATE = "Mon, 09 Nov 2026 10:15:00 +0900"


def iso2022jp_mail() -> bytes:
    body = "先日注文したマグカップが割れて届きました。交換をお願いできますか。"
    msg = MIMEText(body, "plain", "iso-2022-jp")
    msg["Subject"] = Header("商品が破損していました", "iso-2022-jp").encode()
    msg["From"] = "yamada@example.jp"
    msg["Date"] = DATE
    msg["Message-ID"] = "<m1@example.jp>"
    return msg.as_bytes()


def sjis_labelled_cp932_mail() -> bytes:
    """Windows mailers write CP932 (① ㈱) and label it Shift_JIS, which Python's shift_jis rejects."""
    body = "①ギフト包装はできますか。②のしの名入れは㈱山田商店でお願いします。"
    head = (
        "From: order@example.co.jp\r\nDate: " + DATE + "\r\nMessage-ID: <m2@example.jp>\r\n"
        "Subject: =?Shift_JIS?B?" + _b64("ギフト包装について".encode("cp932")) + "?=\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode("ascii") + body.encode("cp932")


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def html_only_mail() -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "領収書の発行について"
    msg["From"] = "suzuki@example.jp"
    msg["Date"] = DATE
    msg["Message-ID"] = "<m3@example.jp>"
    msg.set_content(
        "<html><body><p>領収書の発行はできますか？</p><p>宛名は会社名でお願いします。</p>"
        "<blockquote>2026/11/08 10:00 ショップ &lt;shop@example.jp&gt;:<br>ご注文ありがとうございます</blockquote>"
        "</body></html>",
        subtype="html",
    )
    return msg.as_bytes()


def multipart_mail() -> bytes:
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header("配送先の変更", "utf-8").encode()
    msg["From"] = "tanaka@example.jp"
    msg["Date"] = DATE
    msg["Message-ID"] = "<m4@example.jp>"
    msg.attach(MIMEText("配送先を実家に変更してください。", "plain", "utf-8"))
    msg.attach(MIMEText("<p>配送先を<b>実家</b>に変更してください。</p>", "html", "utf-8"))
    return msg.as_bytes()


def automatic_mails() -> list[bytes]:
    out = []
    for i, (sender, subject, extra) in enumerate(
        [
            ("shop@example.jp", "【発送のお知らせ】ご注文の商品を発送しました", {}),
            ("no-reply@mall.example.jp", "レビューのお願い", {}),
            ("support@example.jp", "自動応答: お問い合わせを受け付けました", {"Auto-Submitted": "auto-replied"}),
        ]
    ):
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["Date"], msg["Message-ID"] = subject, sender, DATE, f"<auto{i}@example.jp>"
        for name, value in extra.items():
            msg[name] = value
        msg.set_content("このメールは送信専用です。")
        out.append(msg.as_bytes())
    return out


def test_mail_bodies_and_subjects_decoded():
    items = [("a.eml", iso2022jp_mail()), ("b.eml", sjis_labelled_cp932_mail()), ("c.eml", html_only_mail()),
             ("d.eml", multipart_mail())]  # fmt: skip
    batch = read_messages(items, source="mail", rules=AutomaticMailRules())
    assert not batch.rejects and batch.read == 4
    by_id = {r.external_id: r for r in batch.records}
    assert by_id["<m1@example.jp>"].title == "商品が破損していました"
    assert by_id["<m1@example.jp>"].body.startswith("先日注文したマグカップが割れて届きました")
    assert by_id["<m2@example.jp>"].title == "ギフト包装について"
    assert "①ギフト包装はできますか" in by_id["<m2@example.jp>"].body and "㈱山田商店" in by_id["<m2@example.jp>"].body
    assert by_id["<m3@example.jp>"].body.startswith("<html>")  # HTML is turned into text when prepared
    assert by_id["<m4@example.jp>"].body.strip() == "配送先を実家に変更してください。"  # the plain part
    assert {r.channel for r in batch.records} == {"mail"}
    assert str(by_id["<m1@example.jp>"].created_at) == "2026-11-09 10:15:00"


def test_automatic_mail_filtered_by_configurable_rules():
    items = [(f"auto{i}.eml", raw) for i, raw in enumerate(automatic_mails())] + [("a.eml", iso2022jp_mail())]
    batch = read_messages(items, source="mail", rules=AutomaticMailRules())
    assert [r.external_id for r in batch.records] == ["<m1@example.jp>"]
    assert batch.automatic == ["auto0.eml", "auto1.eml", "auto2.eml"]
    # a shop whose rules are only headers: the notices become inquiries again, the auto-reply does not
    lenient = read_messages(items, source="mail", rules=AutomaticMailRules(from_patterns=(), subject_patterns=()))
    assert lenient.automatic == ["auto2.eml"]


def test_mail_without_date_is_rejected_with_its_origin():
    raw = iso2022jp_mail().replace(b"Date: " + DATE.encode(), b"X-No-Date: 1")
    batch = read_messages([("inbox/broken.eml", raw)], source="mail", rules=AutomaticMailRules())
    assert [str(r) for r in batch.rejects] == ["inbox/broken.eml: no usable Date header"]


def test_eml_directory_and_mbox_ingested_once(tmp_path):
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "1.eml").write_bytes(html_only_mail())
    (tmp_path / "eml" / "2.eml").write_bytes(sjis_labelled_cp932_mail())
    box = mailbox.mbox(tmp_path / "support.mbox")
    for raw in [iso2022jp_mail(), multipart_mail(), *automatic_mails()]:
        box.add(raw)
    box.close()
    assert [origin for origin, _ in mbox_items(tmp_path / "support.mbox")][:2] == [
        f"{tmp_path / 'support.mbox'}#1",
        f"{tmp_path / 'support.mbox'}#2",
    ]
    engine = make_engine(sqlite_url(tmp_path / "koe.db"))
    redactor = make_redactor()
    eml = MailFiles(type="eml", path=tmp_path / "eml", source="mailbox")
    mbox = MailFiles(type="mbox", path=tmp_path / "support.mbox", source="mailbox")
    assert pull(engine, eml, redactor).counts() == "read 2 / new 2 / duplicate 0 / rejected 0"
    report = pull(engine, mbox, redactor)
    assert report.counts() == "read 5 / new 2 / duplicate 0 / rejected 0 / automatic 3"
    again = pull(engine, mbox, redactor)
    assert (again.new, again.duplicate) == (0, 2)
    with session_scope(engine) as session:
        texts = set(repo.load_documents(session, *_day_bounds())["text"])
    assert "領収書の発行はできますか?\n宛名は会社名でお願いします。" in texts  # HTML to text (NFKC), quote dropped
    assert not any("ご注文ありがとうございます" in t for t in texts)


def _day_bounds():
    from datetime import datetime

    return datetime(2026, 11, 9), datetime(2026, 11, 10)


def test_missing_mail_paths_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match="no such file or directory"):
        list(eml_items(tmp_path / "nope"))
    with pytest.raises(SourceError, match="no such mbox file"):
        list(mbox_items(tmp_path / "nope.mbox"))


def test_one_broken_mime_message_is_its_own_reject_and_the_mbox_goes_on(tmp_path):
    """A multipart/related part without a boundary makes the email package raise AttributeError ('str'
    object has no attribute 'is_attachment'): that message is rejected, the others of the mbox stored."""
    import mailbox

    good = (
        "From: 山田 <yamada@example.jp>\nSubject: 配送\nDate: Mon, 2 Nov 2026 10:00:00 +0900\n"
        "Message-ID: <{n}@example.jp>\nContent-Type: text/plain; charset=utf-8\n\n注文した商品がまだ届きません\n"
    )
    broken = (
        b"From: a@example.jp\nSubject: x\nDate: Mon, 2 Nov 2026 11:00:00 +0900\nMessage-ID: <b@example.jp>\n"
        b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: multipart/related\n\ninner\n--XX--\n"
    )
    box = mailbox.mbox(tmp_path / "support.mbox")
    for message in (good.format(n=1).encode(), broken, good.format(n=3).encode()):
        box.add(message)
    box.close()
    batch = read_messages(mbox_items(tmp_path / "support.mbox"), source="mail", rules=AutomaticMailRules())
    assert len(batch.records) == 2 and batch.read == 3
    (reject,) = batch.rejects
    assert str(reject).endswith("support.mbox#2: unreadable MIME structure (AttributeError)")
