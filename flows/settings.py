"""Settings, read once here: KOE_* environment variables, a .env file, then koe.toml (KOE_CONFIG names
another file); everything below flows/ takes arguments. koe.toml.example documents every key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from nlp import embed as embedders
from nlp.faq_match import MatchConfig
from pipeline.config import Modelling, PipelineConfig, ReleaseWindows, Windows
from sources import registry
from sources.base import SourceConfig
from sources.mail import MailRules


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
    embedder: str = embedders.DEFAULT
    sources: list[SourceConfig] = Field(default_factory=list)  # each validated by its connector's model
    mail: MailRules = Field(default_factory=MailRules)
    notify: Notify | None = None
    # the defaults below live in pipeline.config (one home each); these fields only let a shop override them
    history_weeks: int = Windows.history_weeks
    trend_weeks: int = Windows.trend_weeks
    spike_baseline_weeks: int = Windows.spike_baseline_weeks
    faq_period_weeks: int = Windows.faq_period_weeks
    release_pre_days: int = ReleaseWindows.pre_days
    release_post_days: int = ReleaseWindows.post_days
    release_lag_days: int = ReleaseWindows.lag_days
    min_topic_size: int = Modelling.min_topic_size
    seed: int = Modelling.seed
    # FAQ coverage (nlp.faq_match): calibrated by `koe eval faq-gaps` on real inquiries (bench/README.md)
    faq_embedding_weight: float = MatchConfig.embedding_weight
    faq_threshold: float = MatchConfig.threshold
    order_patterns: list[str] = Field(default_factory=list)  # extra regexes for the shop's order numbers
    dask_address: str | None = None  # tcp://scheduler:8786 for `koe prepare` (flows/scale.py); None: a local cluster

    @field_validator("sources", mode="before")
    @classmethod
    def _source_configs(cls, raw: Any) -> Any:
        """Each source by its connector's own model (sources/registry.py): a typo fails when settings load."""
        return [registry.parse(item) for item in raw] if isinstance(raw, list) else raw

    @field_validator("embedder")
    @classmethod
    def _known_embedder(cls, name: str) -> str:
        """A typo fails when the settings load, before any ingest or flow start."""
        if name not in embedders.names():
            raise ValueError(f"unknown embedder {name!r}; choose one of: {', '.join(embedders.names())}")
        return name

    def pipeline_config(self) -> PipelineConfig:
        """The typed, frozen configuration the pipeline runs with; the embedder is created here, once."""
        return PipelineConfig(
            embedder=embedders.get_embedder(self.embedder),
            out_dir=Path(self.out_dir),
            modelling=Modelling(min_topic_size=self.min_topic_size, seed=self.seed),
            windows=Windows(
                history_weeks=self.history_weeks,
                trend_weeks=self.trend_weeks,
                spike_baseline_weeks=self.spike_baseline_weeks,
                faq_period_weeks=self.faq_period_weeks,
            ),
            release=ReleaseWindows(
                pre_days=self.release_pre_days, post_days=self.release_post_days, lag_days=self.release_lag_days
            ),
            matching=MatchConfig(embedding_weight=self.faq_embedding_weight, threshold=self.faq_threshold),
        )
