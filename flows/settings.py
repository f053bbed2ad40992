"""Settings, read once here: KOE_* environment variables, a .env file, then koe.toml (KOE_CONFIG names
another file); everything below flows/ takes arguments. koe.toml.example documents every key."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from nlp.faq_match import MatchConfig
from sources.mail import DEFAULT_AUTOMATIC_FROM, DEFAULT_AUTOMATIC_SUBJECT


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


class Notify(BaseModel):
    """Where the weekly run says it is done: apprise URLs (slack://..., mailto://..., json://host/path),
    read from the environment variable `urls_env` (they hold tokens), and/or a Prefect notification block."""

    urls_env: str = "KOE_NOTIFY_URLS"  # whitespace-separated apprise URLs
    block: str | None = None  # name of a saved Prefect notification block (e.g. a SlackWebhook)


class ConfigFileError(ValueError):
    pass


class _KoeToml(TomlConfigSettingsSource):
    """koe.toml, with errors that name the file (tomllib's say only line and column)."""

    def _read_file(self, file_path: Path) -> dict[str, Any]:
        try:
            return super()._read_file(file_path)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigFileError(f"{file_path}: {exc}") from exc


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOE_", env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _KoeToml(settings_cls, toml_file=Path(os.environ.get("KOE_CONFIG", "koe.toml")))
        return init_settings, env_settings, dotenv_settings, toml, file_secret_settings

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path('data/koe.db').resolve()}")
    out_dir: Path = Path("data/out")
    embedder: str = "use"
    sources: list[SourceSpec] = Field(default_factory=list)
    mail: MailRules = Field(default_factory=MailRules)
    notify: Notify | None = None
    history_weeks: int = 11  # weeks before the reported one that the topic model also sees
    trend_weeks: int = 8
    min_topic_size: int = 10
    order_patterns: list[str] = Field(default_factory=list)  # extra regexes for the shop's order numbers
    seed: int = 0
    spike_baseline_weeks: int = 8  # a week's count is tested against the topic's own previous weeks
    release_lag_days: int = 14  # a spike is attributed to releases that started up to this long before it
    # FAQ coverage (nlp.faq_match): calibrated by `koe eval faq-gaps` on real inquiries (bench/README.md)
    faq_embedding_weight: float = MatchConfig.embedding_weight
    faq_threshold: float = MatchConfig.threshold
    dask_address: str | None = None  # tcp://scheduler:8786 for `koe prepare` (flows/scale.py); None: a local cluster
    faq_period_weeks: int = 4  # FAQ gaps count this many weeks up to the reported one: questions are few a week
