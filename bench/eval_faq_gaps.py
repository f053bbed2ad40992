"""`koe eval faq-gaps`: are the intents an FAQ does not answer the ones koe suggests? (issue #16 protocol)

On real labelled requests (../shared/data/asdc-inquiries, Megagon Labs / Recruit, CC BY 4.0):
- leaf labels (a label no other label extends) are the candidates for hiding; 20% of them are hidden
  (seeds 0, 1, 2);
- every other label becomes an FAQ entry: its question is its most central request that reads as a
  question (else its most central one), its answer joins the next five; those six texts leave the messages;
- the requests of all labels are the customer messages. The production path runs over them: topics
  (nlp.topics, the weekly fit), matching (nlp.faq_match) and the gaps (nlp.faq_gaps).
A hidden label is found at k when one of the top-k suggestions has most (> 50%) of its messages from it;
precision@10 is the share of the top 10 that are mostly one hidden label. coverage_auc is the ROC AUC of
the group-level decision (each message scored by its intent group's coverage) against "its label is
hidden". `with_true_coverage` repeats the figures with the true coverage (a group is a gap when most of
its messages are hidden-label ones): what grouping and ranking reach when matching is perfect.

The matching weight and threshold and the group cut are calibrated on a split of its own (seed + 100,
another hidden set), never on an evaluated one.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from bench.eval_topics import load_sample
from nlp import faq_gaps as G
from nlp.embed import DEFAULT as DEFAULT_EMBEDDER
from nlp.embed import get_embedder
from nlp.faq_match import MatchConfig, hybrid_scores
from nlp.tokenize import tokenize_many
from nlp.topics import TopicConfig, TopicResult, fit_topics

SEEDS = (0, 1, 2)
CALIBRATION_SEED = 100
WEIGHTS = (0.5, 0.7)
THRESHOLDS = (0.4, 0.45, 0.5)
DISTANCES = (0.5, 0.6)
FIGURES = ("recall_at_10", "recall_at_20", "precision_at_10", "coverage_auc")


@dataclass(frozen=True)
class Corpus:
    """The sample, embedded and tokenized once for every split."""

    texts: list[str]
    labels: list[str]
    embeddings: np.ndarray
    tokens: list[list[str]]


@dataclass(frozen=True)
class Split:
    messages: np.ndarray  # corpus indices of the customer messages
    labels: list[str]  # theirs
    hidden: set[str]
    faq: pd.DataFrame  # question, answer, category, label
    faq_embeddings: np.ndarray
    faq_tokens: list[list[str]]

    def truly_uncovered(self) -> np.ndarray:
        return np.asarray([label in self.hidden for label in self.labels])


def leaf_labels(labels: set[str]) -> set[str]:
    return {a for a in labels if not any(b != a and b.startswith(a + "::") for b in labels)}


def make_split(corpus: Corpus, seed: int, min_docs: int = 20) -> Split:
    counts = Counter(corpus.labels)
    candidates = sorted(label for label in leaf_labels(set(counts)) if counts[label] >= min_docs)
    hidden = set(random.Random(seed).sample(candidates, round(0.2 * len(candidates))))
    labels = np.asarray(corpus.labels)
    used: set[int] = set()
    entries = []
    for label in sorted(counts):
        if label in hidden or counts[label] < 6:
            continue
        members = np.flatnonzero(labels == label)
        centroid = corpus.embeddings[members].mean(axis=0)
        ranked = members[np.argsort(-(corpus.embeddings[members] @ centroid), kind="stable")]
        asking = [i for i in ranked if G.reads_as_question(corpus.texts[i])]
        question = asking[0] if asking else ranked[0]
        answer = [i for i in ranked if i != question][:5]
        used.update([question, *answer])
        entries.append((question, answer, label))
    faq = pd.DataFrame(
        {
            "question": [corpus.texts[q] for q, _, _ in entries],
            "answer": ["\n".join(corpus.texts[i] for i in a) for _, a, _ in entries],
            "category": [label.split("::")[0] for _, _, label in entries],
            "label": [label for _, _, label in entries],
        }
    )
    messages = np.asarray([i for i in range(len(corpus.texts)) if i not in used])
    both = (faq["question"] + "\n" + faq["answer"]).tolist()
    return Split(
        messages,
        [corpus.labels[i] for i in messages],
        hidden,
        faq,
        corpus.embeddings[[q for q, _, _ in entries]],
        tokenize_many(both),
    )


def _auc(truth: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(truth, score)), 4)


def group_auc(split: Split, messages: G.Messages, scores: np.ndarray, threshold: float, config: G.GapConfig) -> float:
    """ROC AUC of the decision against "hidden label": a message an entry answers on its own scores its
    best score; the others their intent group's coverage."""
    uncovered = 1 - scores.max(axis=1)
    covered = scores.max(axis=1) >= threshold
    for g in G.intent_groups(messages, scores, covered, config):
        uncovered[g.members] = 1 - g.coverage
    return _auc(split.truly_uncovered(), uncovered)


def ranking_scores(split: Split, suggestions: pd.DataFrame) -> dict[str, float]:
    """recall@10, recall@20 and precision@10 of ranked suggestions against the split's hidden labels."""
    mostly = []
    for members in suggestions[G.MEMBERS]:
        label, n = Counter(split.labels[i] for i in members).most_common(1)[0]
        mostly.append(label if n * 2 > len(members) else None)

    def found(k: int) -> set[str]:
        return {label for label in mostly[:k] if label in split.hidden}

    return {
        "recall_at_10": round(len(found(10)) / len(split.hidden), 4),
        "recall_at_20": round(len(found(20)) / len(split.hidden), 4),
        "precision_at_10": round(sum(label in split.hidden for label in mostly[:10]) / max(min(10, len(mostly)), 1), 4),
    }


def true_scores(split: Split) -> np.ndarray:
    """Scores that give the true coverage: 1 against the label's own entry, 0 elsewhere (hidden: 0)."""
    column = {label: j for j, label in enumerate(split.faq["label"])}
    scores = np.zeros((len(split.labels), len(split.faq)), dtype=np.float32)
    for i, label in enumerate(split.labels):
        if label in column:
            scores[i, column[label]] = 1.0
        elif label not in split.hidden:  # a label too small for an entry: covered by none, not a gap either
            scores[i, 0] = 1.0
    return scores


@dataclass(frozen=True)
class Run:
    split: Split
    result: TopicResult
    messages: G.Messages


def fitted(corpus: Corpus, split: Split, embedder, seed: int) -> Run:
    texts = [corpus.texts[i] for i in split.messages]
    embeddings = corpus.embeddings[split.messages]
    tokens = [corpus.tokens[i] for i in split.messages]
    result = fit_topics(texts, tokens, embeddings, embedder, TopicConfig(seed=seed))
    everything = np.ones(len(texts), dtype=bool)
    messages = G.Messages(G.message_columns(texts), result.assignments, embeddings, everything, ~everything)
    return Run(split, result, messages)


def match_scores(run: Run, corpus: Corpus, match: MatchConfig) -> np.ndarray:
    tokens = [corpus.tokens[i] for i in run.split.messages]
    return hybrid_scores(run.messages.embeddings, run.split.faq_embeddings, tokens, run.split.faq_tokens, match)


def figures(run: Run, scores: np.ndarray, threshold: float, gaps: G.GapConfig) -> dict:
    split, messages = run.split, run.messages
    covered = scores.max(axis=1) >= threshold
    suggestions = G.suggest(messages, run.result.topics, scores, covered, split.faq, gaps)
    truth = true_scores(split)
    true_gaps = replace(gaps, covered_threshold=0.5)
    true_suggestions = G.suggest(messages, run.result.topics, truth, truth.max(axis=1) >= 0.5, split.faq, true_gaps)
    return {
        **ranking_scores(split, suggestions),
        "coverage_auc": group_auc(split, messages, scores, threshold, gaps),
        "message_auc": _auc(split.truly_uncovered(), 1 - scores.max(axis=1)),
        "n_suggestions": len(suggestions),
        "n_hidden": len(split.hidden),
        "n_faq": len(split.faq),
        "n_messages": len(split.labels),
        "with_true_coverage": {
            **ranking_scores(split, true_suggestions),
            "coverage_auc": group_auc(split, messages, truth, 0.5, true_gaps),
        },
    }


def calibrate(run: Run, corpus: Corpus) -> tuple[MatchConfig, G.GapConfig, dict]:
    """The weight, message threshold and group cut with the best recall@20 + precision@10 on this split
    (coverage AUC breaks ties); the grid is small and its winner printed with the result."""
    best: tuple[float, MatchConfig, G.GapConfig, dict] | None = None
    for weight in WEIGHTS:
        scores = match_scores(run, corpus, MatchConfig(embedding_weight=weight))
        for threshold in THRESHOLDS:
            for distance in DISTANCES:
                gaps = G.GapConfig(group_distance=distance, covered_threshold=threshold)
                got = figures(run, scores, threshold, gaps)
                value = got["recall_at_20"] + got["precision_at_10"] + 0.01 * got["coverage_auc"]
                if best is None or value > best[0]:
                    best = (value, MatchConfig(embedding_weight=weight, threshold=threshold), gaps, got)
    assert best is not None
    return best[1], best[2], {k: best[3][k] for k in FIGURES}


def evaluate(
    data: Path, sample: int = 10000, embedder_name: str = DEFAULT_EMBEDDER, calibrate_grid: bool = True
) -> dict:
    start = time.perf_counter()
    embedder = get_embedder(embedder_name)
    gold = load_sample(data, sample, 0)
    corpus = Corpus(gold.texts, gold.leaf, embedder.embed(gold.texts), tokenize_many(gold.texts))
    match, gaps = MatchConfig(), G.GapConfig()
    calibration: dict = {}
    if calibrate_grid:
        run = fitted(corpus, make_split(corpus, CALIBRATION_SEED), embedder, CALIBRATION_SEED)
        match, gaps, calibration = calibrate(run, corpus)
    per_seed = {}
    for seed in SEEDS:
        run = fitted(corpus, make_split(corpus, seed), embedder, seed)
        per_seed[str(seed)] = figures(run, match_scores(run, corpus, match), match.threshold, gaps)
    mean = {k: round(float(np.mean([s[k] for s in per_seed.values()])), 4) for k in FIGURES}
    true_mean = {k: round(float(np.mean([s["with_true_coverage"][k] for s in per_seed.values()])), 4) for k in FIGURES}
    return {
        "seeds": per_seed,
        "mean": mean,
        "with_true_coverage": true_mean,
        "config": {
            "embedding_weight": match.embedding_weight,
            "message_threshold": match.threshold,
            "group_distance": gaps.group_distance,
            "covered_threshold": gaps.covered_threshold,
        },
        "calibration": calibration,
        "n_docs": len(corpus.texts),
        "seconds": round(time.perf_counter() - start, 1),
        "embedder": embedder_name,
    }
