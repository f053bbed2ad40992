"""The IMAP connector against a real Dovecot server started on loopback with a self-signed certificate
(Debian's dovecot-imapd; .ci/run installs it). Messages are delivered with IMAP APPEND, pulled over SSL by
UID, incrementally."""

import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from nlp.pii import make_redactor
from pipeline.pull import pull
from sources.imap import ImapSource
from sources.records import SourceError
from store import repo
from store.db import make_engine, session_scope, sqlite_url
from tests.helpers.net import free_port
from tests.sources.test_mail import automatic_mails, html_only_mail, iso2022jp_mail, multipart_mail

USER, PASSWORD = "support", "s3cret-パス"

CONFIG = """
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot():
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if not binary or not shutil.which("openssl"):
        pytest.skip("dovecot/openssl not installed (apt-get install dovecot-imapd openssl; .ci/run does it)")
    # not under pytest's tmp dir: the mail processes run as an unprivileged user and must reach their home
    base = Path(tempfile.mkdtemp(prefix="koe-imap-"))
    base.chmod(0o755)
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    uid, gid = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(base / "home", uid, gid)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    (base / "dovecot.conf").write_text(CONFIG.format(d=base, uid=uid, gid=gid, port=port), encoding="utf-8")
    server = subprocess.Popen([binary, "-F", "-c", str(base / "dovecot.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dovecot did not start: {server.stderr.read().decode(errors='replace')}")
            time.sleep(0.1)
    yield base, port
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


def deliver(base: Path, port: int, *messages: bytes) -> None:
    context = ssl.create_default_context(cafile=str(base / "cert.pem"))
    with imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=context) as conn:
        conn.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode())
        for raw in messages:
            assert conn.append("INBOX", None, None, raw)[0] == "OK"


def spec(base: Path, port: int) -> ImapSource:
    return ImapSource(type="imap", source="support-imap", host="127.0.0.1", port=port, user=USER,
                      cafile=base / "cert.pem")  # fmt: skip


def test_imap_pulls_new_mail_by_uid(dovecot, tmp_path, monkeypatch):
    base, port = dovecot
    monkeypatch.setenv("KOE_IMAP_PASSWORD", PASSWORD)
    engine = make_engine(sqlite_url(tmp_path / "koe.db"))
    deliver(base, port, iso2022jp_mail(), *automatic_mails(), html_only_mail())
    first = pull(engine, spec(base, port), make_redactor())
    assert first.counts() == "read 5 / new 2 / duplicate 0 / rejected 0 / automatic 3"
    with session_scope(engine) as session:
        cursor = repo.get_cursor(session, "support-imap")
    validity, last = cursor.split(":")
    assert int(validity) > 0 and last == "5"

    again = pull(engine, spec(base, port), make_redactor())
    assert again.read == 0  # nothing fetched twice

    deliver(base, port, multipart_mail())
    third = pull(engine, spec(base, port), make_redactor())
    assert (third.read, third.new) == (1, 1)
    with session_scope(engine) as session:
        assert repo.get_cursor(session, "support-imap") == f"{validity}:6"
        assert repo.count_documents(session) == 3


def test_imap_wrong_password_and_untrusted_certificate_are_clear_errors(dovecot, tmp_path, monkeypatch):
    base, port = dovecot
    engine = make_engine(sqlite_url(tmp_path / "koe.db"))
    monkeypatch.setenv("KOE_IMAP_PASSWORD", "wrong")
    with pytest.raises(SourceError, match=f"imap {USER}@127.0.0.1:{port}: .*(?i:auth)"):
        pull(engine, spec(base, port), make_redactor())
    monkeypatch.setenv("KOE_IMAP_PASSWORD", PASSWORD)
    untrusted = spec(base, port).model_copy(update={"cafile": None})
    with pytest.raises(SourceError, match="CERTIFICATE_VERIFY_FAILED"):
        pull(engine, untrusted, make_redactor())
