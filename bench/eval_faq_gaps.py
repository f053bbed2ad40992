"""`koe eval faq-gaps`: are the topics an FAQ does not answer the ones koe suggests?

On real labelled requests (../shared/data/asdc-inquiries, Megagon Labs / Recruit, CC BY 4.0): topics with
enough requests in the sample are split at random, 80% get an FAQ entry (the request closest to the topic's
centroid, removed from the messages) and 20% are hidden. The production path then runs over the remaining
requests: topics (nlp.topics), FAQ coverage (nlp.faq_match) and gap ranking (nlp.faq_gaps).
A hidden topic is found when a suggestion's messages are mostly (> 50%) from it; a top-10 suggestion is
precise when its messages are mostly from some hidden topic.

The coverage weight and threshold are calibrated on a second sample with its own topic split (seed + 1),
never on the evaluated one. `with_true_coverage` repeats the three figures with the true coverage (hidden
labels' messages uncovered, all others covered): what the topics and the ranking reach when matching is
perfect, i.e. how much of the gap to the targets is the message-level matching's.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.eval_topics import load_sample
from nlp import faq_gaps as G
from nlp.embed import DEFAULT as DEFAULT_EMBEDDER
from nlp.embed import get_embedder
from nlp.faq_match import Coverage, MatchConfig, calibrate, coverage, hybrid_scores
from nlp.tokenize import tokenize_many
from nlp.topics import TopicConfig, TopicResult, fit_topics

WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class Split:
    texts: list[str]
    labels: list[str]
    embeddings: np.ndarray
    tokens: list[list[str]]
    faq: pd.DataFrame  # question, answer, category, label
    faq_embeddings: np.ndarray
    faq_tokens: list[list[str]]
    hidden: set[str]


def make_split(data: Path, sample: int, seed: int, embedder, min_docs: int) -> Split:
    gold = load_sample(data, sample, seed)
    texts, labels = gold.texts, gold.leaf
    embeddings = embedder.embed(texts)
    counts = Counter(labels)
    topics = sorted(t for t, n in counts.items() if n >= min_docs)
    rng = random.Random(seed)
    hidden = set(rng.sample(topics, round(0.2 * len(topics))))
    labels_arr = np.asarray(labels)
    representatives = {}
    for topic in topics:
        if topic in hidden:
            continue
        members = np.flatnonzero(labels_arr == topic)
        centroid = embeddings[members].mean(axis=0)
        representatives[topic] = int(members[np.argmax(embeddings[members] @ centroid)])
    faq_rows = sorted(representatives.values())
    faq = pd.DataFrame(
        {
            "question": [texts[i] for i in faq_rows],
            "answer": [""] * len(faq_rows),
            "category": [labels[i].split("::")[0] for i in faq_rows],
            "label": [labels[i] for i in faq_rows],
        }
    )
    in_faq = set(faq_rows)  # built once, not per message
    keep = [i for i in range(len(texts)) if i not in in_faq and counts[labels[i]] >= min_docs]
    kept_texts = [texts[i] for i in keep]
    return Split(
        kept_texts,
        [labels[i] for i in keep],
        embeddings[keep],
        tokenize_many(kept_texts),
        faq,
        embeddings[faq_rows],
        tokenize_many(faq["question"].tolist()),
        hidden,
    )


def calibrated_config(split: Split) -> tuple[MatchConfig, float]:
    """The weight and threshold that best separate covered from hidden-topic messages on this split."""
    truly = np.asarray([label not in split.hidden for label in split.labels])
    best = (MatchConfig(), -1.0)
    for weight in WEIGHTS:
        scores = hybrid_scores(
            split.embeddings, split.faq_embeddings, split.tokens, split.faq_tokens, MatchConfig(embedding_weight=weight)
        )
        threshold, f1 = calibrate(scores.max(axis=1), truly)
        if f1 > best[1]:
            best = (MatchConfig(embedding_weight=weight, threshold=threshold), f1)
    return best


def _majority(labels: list[str], members: list[int]) -> tuple[str, float]:
    top, n = Counter(labels[i] for i in members).most_common(1)[0]
    return top, n / len(members)


def evaluate(
    data: Path, seed: int = 0, sample: int = 10000, embedder_name: str = DEFAULT_EMBEDDER, min_docs: int = 40
) -> dict:
    embedder = get_embedder(embedder_name)
    config, calibration_f1 = calibrated_config(make_split(data, sample, seed + 1, embedder, min_docs))
    start = time.perf_counter()
    split = make_split(data, sample, seed, embedder, min_docs)
    result = fit_topics(split.texts, split.tokens, split.embeddings, embedder, TopicConfig(seed=seed))
    scores = hybrid_scores(split.embeddings, split.faq_embeddings, split.tokens, split.faq_tokens, config)
    cov = coverage(scores, config)
    truly = np.asarray([label not in split.hidden for label in split.labels])
    # the same topics and ranking given the true coverage: how much of the loss is the coverage's
    true_coverage = Coverage(cov.best_entry, truly.astype(np.float32), truly)
    suggestions = suggest(split, result, scores, cov)
    return {
        **ranking_scores(split, suggestions),
        "n_hidden": len(split.hidden),
        "n_faq": len(split.faq),
        "n_docs": len(split.texts),
        "n_suggestions": len(suggestions),
        "coverage_accuracy": round(float((cov.covered == truly).mean()), 4),
        "embedding_weight": config.embedding_weight,
        "threshold": config.threshold,
        "calibration_f1": round(calibration_f1, 4),
        "seconds": round(time.perf_counter() - start, 1),
        "embedder": embedder_name,
        "with_true_coverage": ranking_scores(split, suggest(split, result, scores, true_coverage)),
    }


def suggest(split: Split, result: TopicResult, scores: np.ndarray, cov: Coverage) -> pd.DataFrame:
    """The production ranking over the split's requests, all in one period (no growth)."""
    everything = np.ones(len(split.texts), dtype=bool)
    messages = G.Messages(
        G.message_columns(split.texts), result.assignments, result.centrality, everything, ~everything
    )
    return G.suggest(messages, result.topics, G.Matches(scores, cov), split.faq)


def ranking_scores(split: Split, suggestions: pd.DataFrame) -> dict[str, float]:
    """recall@10, recall@20 and precision@10 of ranked suggestions against the split's hidden labels."""
    majorities = [_majority(split.labels, m) for m in suggestions[G.MEMBERS]]
    mostly = [label if share > 0.5 else None for label, share in majorities]

    def found(k: int) -> set[str]:
        return {label for label in mostly[:k] if label in split.hidden}

    return {
        "recall_at_10": round(len(found(10)) / len(split.hidden), 4),
        "recall_at_20": round(len(found(20)) / len(split.hidden), 4),
        "precision_at_10": round(sum(label in split.hidden for label in mostly[:10]) / max(min(10, len(mostly)), 1), 4),
    }
