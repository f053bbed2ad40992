"""After a weekly run: an optional message through apprise (Slack, Mattermost, mail, any JSON webhook ...)
and/or a saved Prefect notification block. A failed notification is logged and returned, never fatal:
the report exists either way."""

from __future__ import annotations

import os

from flows.settings import Notify
from reports import notes


def send(notify: Notify | None, title: str, body: str) -> list[str]:
    """Send to every configured target; returns what failed (empty when all went out or none is set)."""
    if notify is None:
        return []
    failures = []
    urls = os.environ.get(notify.urls_env, "").split()
    if urls:
        import apprise

        targets = apprise.Apprise()
        bad = [url.split("://")[0] + "://…" for url in urls if not targets.add(url)]
        failures += [notes.notify_target_unreadable(b) for b in bad]
        if len(targets) and not targets.notify(title=title, body=body):
            failures.append(notes.NOTIFY_FAILED)
    if notify.block:
        from prefect.blocks.notifications import NotificationBlock

        try:
            NotificationBlock.load(notify.block).notify(body, subject=title)
        except Exception as exc:  # the block's service may raise anything; the report is done regardless
            failures.append(notes.notify_block_failed(notify.block, str(exc)))
    return failures
