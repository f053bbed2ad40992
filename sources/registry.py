"""The connectors, chosen by a configured source's `type`. Each connector module holds its config model
(`CONFIG`, a sources.base.SourceConfig) and `pull(spec, sink, context)`; it is imported only when a source
of its type is configured, so an IMAP-less shop never loads imaplib. Adding a connector: its module and
one line here (CONTRIBUTING.md)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from types import ModuleType
from typing import Any

from sources.base import PullContext, Sink, SourceConfig

CONNECTORS: dict[str, str] = {
    "file": "sources.files",
    "reviews": "sources.reviews",
    "zendesk": "sources.zendesk",
    "eml": "sources.mail",
    "mbox": "sources.mail",
    "imap": "sources.imap",
}
DEFAULT_TYPE = "file"  # KOE_SOURCES='[{"path": ..., "source": ...}]' names file exports without a type


def types() -> list[str]:
    return sorted(CONNECTORS)


def connector(source_type: str) -> ModuleType:
    try:
        return import_module(CONNECTORS[source_type])
    except KeyError:
        raise ValueError(f"unknown source type {source_type!r}; choose one of: {', '.join(types())}") from None


def parse(raw: Mapping[str, Any] | SourceConfig) -> SourceConfig:
    """A source's config from koe.toml / KOE_SOURCES, validated by its connector's model."""
    if isinstance(raw, SourceConfig):
        return raw
    source_type = raw.get("type", DEFAULT_TYPE)
    model: type[SourceConfig] = connector(source_type).CONFIG
    return model.model_validate({**raw, "type": source_type})


def pull(spec: SourceConfig, sink: Sink, context: PullContext) -> None:
    connector(spec.type).pull(spec, sink, context)
