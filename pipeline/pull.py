"""Pull one configured source into the store: the registry maps a source's `type` to its puller.

Incremental sources (Zendesk, IMAP) store each page or batch together with the cursor after it, so a
failure keeps everything stored so far and the next pull resumes there. Secrets (API tokens, passwords)
come from the environment or a Prefect Secret block (resolved by the flows), never from koe.toml.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import Engine

from nlp.pii import Redactor
from pipeline.ingest import IngestReport, ingest_file, store_records
from sources import imap, mail
from sources.parse import TOKYO
from sources.records import SourceError
from sources.reviews import review_options
from sources.specs import FileSource, ImapSource, MailFiles, MailRules, ReviewExport, SourceSpec, ZendeskSource
from sources.zendesk import RetryPolicy, ZendeskClient
from store import repo
from store.db import session_scope

# (environment variable, secret block or None, what needs it) -> the credential
SecretResolver = Callable[[str, "str | None", str], str]


def environment_secret(env: str, block: str | None, what: str) -> str:
    """A credential from the environment variable `env`; the flows resolve Prefect Secret blocks."""
    if block:
        raise SourceError(f"{what}: Secret blocks are read inside a Prefect flow; set {env} instead")
    value = os.environ.get(env)
    if not value:
        raise SourceError(f"{what}: set the environment variable {env} (or name a Prefect Secret block)")
    return value


@dataclass(frozen=True)
class PullContext:
    """What every puller may need besides its own spec: the redactor, the mail rules, the secret resolver."""

    redactor: Redactor
    mail_rules: MailRules = field(default_factory=MailRules)
    secret: SecretResolver = environment_secret


Puller = Callable[[Engine, SourceSpec, PullContext], IngestReport]


def _cursor(engine: Engine, source: str) -> str | None:
    with session_scope(engine) as session:
        return repo.get_cursor(session, source)


def pull_file(engine: Engine, spec: FileSource, context: PullContext) -> IngestReport:
    return ingest_file(
        engine, spec.path, source=spec.source, kind=spec.kind, mapping=spec.map, redactor=context.redactor
    )


def pull_reviews(engine: Engine, spec: ReviewExport, context: PullContext) -> IngestReport:
    return ingest_file(engine, spec.path, source=spec.source, redactor=context.redactor, **review_options(spec.preset))


def pull_zendesk(engine: Engine, spec: ZendeskSource, context: PullContext) -> IngestReport:
    redactor = context.redactor
    token = context.secret(spec.token_env, spec.token_secret, f"zendesk source {spec.source!r}")
    retry = RetryPolicy(attempts=spec.attempts, backoff_seconds=spec.backoff_seconds)
    client = ZendeskClient(spec.base_url, spec.email, token, source=spec.source, retry=retry)
    start = int(datetime.combine(spec.start, time(), TOKYO).timestamp())
    report = IngestReport(origin=f"{spec.source} ({spec.base_url})")
    try:
        for page in client.pages(_cursor(engine, spec.source), start):
            cursor = (spec.source, page.cursor) if page.cursor else None
            store_records(
                engine, page.records, report, redactor, rejects=page.rejects, cursor=cursor, update_replies=True
            )
    finally:
        client.close()
    return report


def _store_mail(
    engine: Engine, batches: Iterable[mail.MailBatch], report: IngestReport, redactor: Redactor, source: str
) -> IngestReport:
    for batch in batches:
        report.automatic += len(batch.automatic)
        cursor = (source, batch.cursor) if batch.cursor else None
        store_records(engine, batch.records, report, redactor, rejects=batch.rejects, read=batch.read, cursor=cursor)
    return report


def pull_mail_files(engine: Engine, spec: MailFiles, context: PullContext) -> IngestReport:
    items = mail.eml_items(spec.path) if spec.type == "eml" else mail.mbox_items(spec.path)
    batch = mail.read_messages(items, source=spec.source, rules=context.mail_rules.compiled())
    return _store_mail(engine, [batch], IngestReport(origin=str(spec.path)), context.redactor, spec.source)


def pull_imap(engine: Engine, spec: ImapSource, context: PullContext) -> IngestReport:
    password = context.secret(spec.password_env, spec.password_secret, f"imap source {spec.source!r}")
    account = imap.ImapAccount(spec.host, spec.user, password, spec.folder, spec.port, spec.cafile)
    batches = imap.pull(account, _cursor(engine, spec.source), source=spec.source, rules=context.mail_rules.compiled())
    origin = f"imap://{spec.user}@{spec.host}:{spec.port}/{spec.folder}"
    return _store_mail(engine, batches, IngestReport(origin=origin), context.redactor, spec.source)


PULLERS: dict[str, Puller] = {
    "file": pull_file,
    "reviews": pull_reviews,
    "zendesk": pull_zendesk,
    "eml": pull_mail_files,
    "mbox": pull_mail_files,
    "imap": pull_imap,
}


def pull(engine: Engine, spec: SourceSpec, context: PullContext) -> IngestReport:
    return PULLERS[spec.type](engine, spec, context)
