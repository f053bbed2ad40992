"""The weekly path's stages for the benches, timed: the library functions the weekly flow's tasks wrap
(flows.steps.model_reusing), without Prefect's orchestration. Like the flow, only the modelled types are
tokenized and embedded (complaints for the complaint topics; questions, requests and complaints for the
FAQ-gap topics); a later week assigns with the saved topics unless the drift test asks for a refit."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from flows import analysis
from flows.steps import COMPLAINTS
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
    """What a later weekly run starts from: the modelled documents' topics so far and the saved model."""

    topic_of: dict[str, int]  # document id -> topic id
    topics: pd.DataFrame
    saved: SavedTopics


@dataclass(frozen=True)
class Modelled:
    docs: pd.DataFrame  # the modelled documents only, in window order
    topic: np.ndarray  # per modelled document
    centrality: np.ndarray
    fitted: Fitted
    embeddings: np.ndarray | None = None  # every modelled document's, when the step had them all at hand
    tokens: list[list[str]] | None = None


def of_types(docs: pd.DataFrame, types: tuple[str, ...]) -> pd.DataFrame:
    return docs[docs[C.DOC_TYPE].isin(types)].reset_index(drop=True)


def complaints_of(docs: pd.DataFrame) -> pd.DataFrame:
    return of_types(docs, COMPLAINTS.types)


def fit_step(engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, seed: int) -> Modelled:
    """A weekly run that fits: the documents' cached (or new) tokens and embeddings, then the topic model."""
    with stages.time(f"{prefix}tokenize", len(docs)):
        tokens = analysis.tokens_for(engine, docs)
    with stages.time(f"{prefix}embed", len(docs)):
        embeddings = analysis.embeddings_for(engine, docs, get_embedder(embedder_name))
    with stages.time(f"{prefix}topics", len(docs)):
        result = fit_topics(docs[C.TEXT].tolist(), tokens, embeddings, None, TopicConfig(seed=seed))
        topic_of = dict(zip(docs[C.ID], result.assignments.tolist(), strict=True))
        fitted = Fitted(topic_of, result.topics, from_fit(result, embeddings))
    return Modelled(docs, np.asarray(result.assignments), np.asarray(result.centrality), fitted, embeddings, tokens)


def assign_step(
    engine, docs: pd.DataFrame, stages: Stages, prefix: str, embedder_name: str, previous: Fitted, keep_known: bool
) -> Modelled | None:
    """A later weekly run (flows.steps.assign_with_last_run): with `keep_known` the documents seen before keep
    their topics and only the new ones are embedded and assigned with the saved topics (the complaint
    topics); without, every document is (its embedding read from the cache when seen before: the FAQ-gap
    topics, whose coverage needs every message's vector). None when the drift test wants a refit."""
    unseen = ~docs[C.ID].isin(previous.topic_of).to_numpy()
    todo = unseen if keep_known else np.ones(len(docs), dtype=bool)
    with stages.time(f"{prefix}embed", int(todo.sum())):
        embeddings = analysis.embeddings_for(engine, docs[todo], get_embedder(embedder_name))
    with stages.time(f"{prefix}topics", int(todo.sum())):
        fresh, closeness = assign(previous.saved, embeddings)
        new = unseen[todo]
        reason = drift(previous.saved, embeddings[new], fresh[new], TopicConfig().min_cluster_size)
    print(f"drift: {reason or 'none'} ({int(unseen.sum()):,} new of {len(docs):,} documents)", flush=True)
    if reason:
        return None
    topic = np.array(docs[C.ID].map(previous.topic_of), dtype=float)  # a copy: pandas 3 views are read-only
    topic[todo] = fresh
    centrality = np.zeros(len(docs), dtype=np.float32)
    centrality[todo] = closeness
    topic_of = previous.topic_of | dict(zip(docs[C.ID][todo], np.asarray(fresh).tolist(), strict=True))
    fitted = Fitted(topic_of, previous.topics, previous.saved)
    return Modelled(docs, topic.astype(int), centrality, fitted, None if keep_known else embeddings)


def model_focus(
    engine, docs: pd.DataFrame, types: tuple[str, ...], stages: Stages, prefix: str, embedder_name: str, seed: int,
    previous: Fitted | None, keep_known: bool = True,
) -> Modelled:  # fmt: skip
    """The window's documents of `types`: assigned with `previous` when given and no drift, else fitted."""
    focus = of_types(docs, types)
    modelled = assign_step(engine, focus, stages, prefix, embedder_name, previous, keep_known) if previous else None
    return modelled or fit_step(engine, focus, stages, prefix, embedder_name, seed)
