"""Settings, read once here (env prefix KOE_, or a .env file); everything below flows/ takes arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FileSource(BaseModel):
    """A file export to ingest on every run (KOE_SOURCES='[{"path": ..., "source": ..., "kind": ...}]')."""

    path: Path
    source: str
    kind: str = "ticket"
    map: dict[str, str] = Field(default_factory=dict)  # column -> field


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOE_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path('data/koe.db').resolve()}")
    out_dir: Path = Path("data/out")
    embedder: str = "use"
    sources: list[FileSource] = Field(default_factory=list)
    history_weeks: int = 11  # weeks before the reported one that the topic model also sees
    trend_weeks: int = 8
    min_topic_size: int = 10
    order_patterns: list[str] = Field(default_factory=list)  # extra regexes for the shop's order numbers
    seed: int = 0
    spike_baseline_weeks: int = 8  # a week's count is tested against the topic's own previous weeks
    release_lag_days: int = 14  # a spike is attributed to releases that started up to this long before it
    # FAQ coverage (nlp.faq_match): calibrated by `koe eval faq-gaps` on real inquiries (bench/README.md)
    faq_embedding_weight: float = 0.5
    faq_threshold: float = 0.44
    faq_period_weeks: int = 4  # FAQ gaps count this many weeks up to the reported one: questions are few a week
