"""What a pipeline run is configured with: small frozen objects, each the single home of its defaults.

flows/settings.py reads the environment and koe.toml once and builds a `PipelineConfig` from these; the
bench and the tests build them directly. Nothing below flows/ reads settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from nlp import spikes as S
from nlp import weekly as W
from nlp.embed import Embedder
from nlp.faq_gaps import GapConfig
from nlp.faq_match import MatchConfig
from nlp.spikes import ReleaseWindows
from nlp.topics import TopicConfig

__all__ = ["MatchConfig", "Modelling", "PipelineConfig", "ReleaseWindows", "RunKind", "Windows"]


class RunKind(StrEnum):
    """The kinds of stored runs. A weekly run keeps the topics and themes of every message that the next
    weekly run, the release checks and the FAQ gaps assign with (one taxonomy, issue #13)."""

    WEEKLY = "weekly"
    RELEASE_CHECK = "release_check"


@dataclass(frozen=True)
class Windows:
    """How much history a weekly run looks at."""

    history_weeks: int = 11  # weeks before the reported one that the topic model also sees
    trend_weeks: int = W.TREND_WEEKS
    spike_baseline_weeks: int = S.BASELINE_WEEKS
    faq_period_weeks: int = 4  # FAQ gaps count this many weeks up to the reported one: questions are few a week


@dataclass(frozen=True)
class Modelling:
    """Topic-model settings a shop may change; the rest of nlp.topics.TopicConfig stays the product's."""

    min_topic_size: int = TopicConfig.min_cluster_size
    seed: int = TopicConfig.seed

    def for_documents(self, n_docs: int) -> TopicConfig:
        """A small shop's week has few complaints: topics may be as small as 1% of the window, within bounds."""
        size = max(5, min(self.min_topic_size, n_docs // 100 or 5))
        return replace(TopicConfig(), min_cluster_size=size, seed=self.seed)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the weekly, release-check and FAQ-gap compositions need besides the store."""

    embedder: Embedder  # one instance for the whole run: models load once, worker pools are shared
    out_dir: Path = Path("data/out")
    modelling: Modelling = field(default_factory=Modelling)
    windows: Windows = field(default_factory=Windows)
    release: ReleaseWindows = field(default_factory=ReleaseWindows)
    matching: MatchConfig = field(default_factory=MatchConfig)
    gaps: GapConfig = field(default_factory=GapConfig)

    @property
    def embedder_name(self) -> str:
        return self.embedder.name
