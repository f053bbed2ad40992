"""The weekly path's stages for the benches, timed: the library functions the weekly flow's tasks wrap
(flows.steps.model_complaints), without Prefect's orchestration. Like the flow, only complaints are
tokenized and embedded for the complaint topics; a later week assigns its new complaints with the saved
topics unless the drift test asks for a refit."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from flows import analysis
from flows.steps import COMPLAINT
from nlp import columns as C
from nlp.assign import SavedTopics, assign, drift, from_fit
from nlp.embed import get_embedder
from nlp.topics import TopicConfig, fit_topics


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Stages:
    """Seconds and items per named stage; a stage timed twice (a refit after the drift test) adds up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.items: dict[str, int] = {}

    @contextmanager
    def time(self, name: str, items: int = 0) -> Iterator[None]:
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 2)
        self.items[name] = self.items.get(name, 0) + items
        rate = f"{items / seconds:,.0f} docs/s" if items and seconds >= 0.01 else ""
        print(f"{name:<22} {seconds:>8.2f} s  {rate:>16}  peak RSS {peak_rss_mb():,.0f} MB", flush=True)

    def total(self, prefix: str) -> float:
        return round(sum(v for k, v in self.seconds.items() if k.startswith(prefix)), 2)


@dataclass(frozen=True)
class Fitted:
    """What a later weekly run starts from: the complaints' topics so far and the saved model."""

    topic_of: dict[str, int]  # complaint id -> topic id
    topics: pd.DataFrame
    saved: SavedTopics


@dataclass(frozen=True)
class Modelled:
    complaints: pd.DataFrame
    topic: np.ndarray  # per complaint
    centrality: np.ndarray
    fitted: Fitted


def complaints_of(docs: pd.DataFrame) -> pd.DataFrame:
    return docs[docs[C.DOC_TYPE] == COMPLAINT].reset_index(drop=True)


def fit_step(engine, complaints: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int) -> Modelled:
    """A weekly run that fits: the complaints' cached (or new) tokens and embeddings, then the topic model."""
    with stages.time(f"{prefix}tokenize", len(complaints)):
        tokens = analysis.tokens_for(engine, complaints)
    with stages.time(f"{prefix}embed", len(complaints)):
        embeddings = analysis.embeddings_for(engine, complaints, get_embedder(embedder_name))
    with stages.time(f"{prefix}topics", len(complaints)):
        result = fit_topics(complaints[C.TEXT].tolist(), tokens, embeddings, None, TopicConfig(seed=seed))
        topic_of = dict(zip(complaints[C.ID], result.assignments.tolist(), strict=True))
        fitted = Fitted(topic_of, result.topics, from_fit(result, embeddings))
    return Modelled(complaints, np.asarray(result.assignments), np.asarray(result.centrality), fitted)


def assign_step(
    engine, complaints: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, previous: Fitted
) -> Modelled | None:
    """A later weekly run (flows.steps.assign_with_last_run): complaints seen before keep their topics, only
    the new ones are embedded and assigned with the saved topics. None when the drift test wants a refit."""
    is_new = ~complaints[C.ID].isin(previous.topic_of).to_numpy()
    new = complaints[is_new]
    with stages.time(f"{prefix}embed", len(new)):
        embeddings = analysis.embeddings_for(engine, new, get_embedder(embedder_name))
    with stages.time(f"{prefix}topics", len(new)):
        fresh, closeness = assign(previous.saved, embeddings)
        reason = drift(previous.saved, embeddings, fresh, TopicConfig().min_cluster_size)
    print(f"drift: {reason or 'none'} ({len(new):,} new complaints)", flush=True)
    if reason:
        return None
    topic = np.array(complaints[C.ID].map(previous.topic_of), dtype=float)  # a copy: pandas 3 views are read-only
    topic[is_new] = fresh
    centrality = np.zeros(len(complaints), dtype=np.float32)
    centrality[is_new] = closeness
    topic_of = previous.topic_of | dict(zip(new[C.ID], np.asarray(fresh).tolist(), strict=True))
    fitted = Fitted(topic_of, previous.topics, previous.saved)
    return Modelled(complaints, topic.astype(int), centrality, fitted)


def model_complaints(
    engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int, previous: Fitted | None
) -> Modelled:
    complaints = complaints_of(docs)
    modelled = assign_step(engine, complaints, stages, prefix, embedder_name, previous) if previous else None
    return modelled or fit_step(engine, complaints, stages, prefix, embedder_name, seed)
