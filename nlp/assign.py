"""New documents through a saved topic model: nearest topic centroid, no refit, and a drift test that says
when a refit is due.

A weekly run over a long history should cost what the new week costs: the saved centroids (centered with
the fit window's mean, the space fit_topics merges and reassigns in) take the new documents, and old
documents keep the topics they had. Centroids cannot see a theme they were not fitted on, and a broad
topic takes its documents in, so drift is tested on the documents themselves: new documents much closer
to each other than to anything the topics were fitted on, and many of them mutually close, are a new
theme. On 480 real labelled requests, holding out each of the six topics in turn (80 requests, fit on the
rest): every held-out topic was flagged (25-46 such documents), the known topics' held-out requests never
(0), a held-out topic of only 15 requests not (0-9). On the demo data the week after the redesign (login
complaints x3) is not flagged and the points incident is (28 documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.topics import OUTLIER, TopicResult, center, row_blocks, unit

FILE = "centroids.npz"
NEIGHBOURS = 3  # a document's closeness to a set: mean cosine to its 3 nearest members
NOVELTY_MARGIN = 0.1  # novel: this much closer to the new documents than to the fitted ones
MIN_LINKS = 3  # core: close (>= the batch's median neighbour closeness) to this many other novel documents
# scattered look-alikes grow with the batch: 10 core documents among 1,558 new complaints of known themes
# in `koe bench pipeline`; a new theme must be at least this share of the new documents as well
MIN_THEME_SHARE = 0.01
SAMPLE = 5000  # documents kept from the fit, and compared per run: bounds the work at 5,000 x 5,000
# A topic's members (HDBSCAN's, not only the reassigned outliers) can sit further from its centroid than
# the outlier threshold: on 350 real requests two broad topics had a mean member cosine of 0.22. A new
# document joins when it is as close as the topic's closer 95% of members were, or closer than the threshold.
MEMBER_QUANTILE = 0.05


@dataclass(frozen=True)
class SavedTopics:
    mean: np.ndarray  # mean embedding of the fit window
    centroids: np.ndarray  # (n_topics, dim), centered and normalized
    topic_ids: np.ndarray
    thresholds: np.ndarray  # per topic: the centered cosine a document needs to join it
    outlier_share: float  # of the fit: the drift test's baseline
    sample: np.ndarray  # up to SAMPLE centered embeddings of fitted documents, for the drift test

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / FILE
        np.savez(path, mean=self.mean, centroids=self.centroids, topic_ids=self.topic_ids,
                 thresholds=self.thresholds, outlier_share=self.outlier_share, sample=self.sample)  # fmt: skip
        return path

    @classmethod
    def load(cls, folder: Path) -> SavedTopics | None:
        path = Path(folder) / FILE
        if not path.is_file():
            return None
        with np.load(path) as data:
            return cls(data["mean"], data["centroids"], data["topic_ids"], data["thresholds"],
                       float(data["outlier_share"]), data["sample"])  # fmt: skip


def from_fit(result: TopicResult, embeddings: np.ndarray) -> SavedTopics:
    """The centroids of a fit, for the next runs; `embeddings` are the ones the fit saw, in its order."""
    mean = embeddings.mean(axis=0)
    centered = center(embeddings, mean)
    ids = np.asarray(sorted(set(result.assignments.tolist()) - {OUTLIER}), dtype=int)
    centroids = np.zeros((len(ids), embeddings.shape[1]), dtype=np.float32)
    thresholds = np.zeros(len(ids), dtype=np.float32)
    for row, topic in enumerate(ids):
        members = centered[result.assignments == topic]
        centroids[row] = unit(members.mean(axis=0))
        thresholds[row] = min(result.config.outlier_threshold, np.quantile(members @ centroids[row], MEMBER_QUANTILE))
    share = float((result.assignments == OUTLIER).mean())
    keep = np.random.default_rng(0).choice(len(centered), min(len(centered), SAMPLE), replace=False)
    return SavedTopics(mean.astype(np.float32), centroids, ids, thresholds, share, centered[np.sort(keep)])


def assign(saved: SavedTopics, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(topic per document, its centered cosine to that topic's centroid; 0 for outliers)."""
    if not len(embeddings) or not len(saved.topic_ids):
        return np.full(len(embeddings), OUTLIER), np.zeros(len(embeddings), dtype=np.float32)
    topic = np.full(len(embeddings), OUTLIER)
    closeness = np.zeros(len(embeddings), dtype=np.float32)
    for block in row_blocks(len(embeddings)):  # a window of every FAQ-gap message: no full-size copy
        sims = center(embeddings[block], saved.mean) @ saved.centroids.T
        best = sims.argmax(axis=1)
        score = sims[np.arange(len(sims)), best]
        close = score >= saved.thresholds[best]
        topic[block] = np.where(close, saved.topic_ids[best], OUTLIER)
        closeness[block] = np.where(close, score, 0.0)
    return topic, closeness


def _closeness(a: np.ndarray, b: np.ndarray, same: bool = False) -> np.ndarray:
    sims = a @ b.T
    if same:
        np.fill_diagonal(sims, -1.0)
    k = min(NEIGHBOURS, sims.shape[1] - (1 if same else 0))
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1) if k > 0 else np.zeros(len(a))


def new_theme(saved: SavedTopics, embeddings: np.ndarray) -> np.ndarray:
    """Indices (into a sample of at most SAMPLE of `embeddings`) of new documents that form a theme the fit
    never saw: closer to each other than to the fitted documents, and many of them mutually close."""
    new = embeddings
    if len(new) > SAMPLE:  # sampled before centering: the same rows, without centering all of them
        new = new[np.random.default_rng(0).choice(len(new), SAMPLE, replace=False)]
    new = center(new, saved.mean)
    if len(new) < 2 or not len(saved.sample):
        return np.zeros(0, dtype=int)
    # against every kept fitted document, not a sample the size of the new batch: a surge of a known theme
    # (three times the login complaints after a redesign) is denser this week than in any same-sized sample
    # of the fit and looked new that way on the demo data; against all of them it has close precedents
    among_new = _closeness(new, new, same=True)
    novel = np.flatnonzero(among_new > _closeness(new, saved.sample) + NOVELTY_MARGIN)
    links = (new[novel] @ new[novel].T >= np.median(among_new)).sum(axis=1) - 1
    return novel[links >= MIN_LINKS]


def drift(saved: SavedTopics, embeddings: np.ndarray, topics: np.ndarray, min_cluster_size: int) -> str | None:
    """Why the saved topics no longer describe these documents, or None: too many of them fit no topic,
    or at least `min_cluster_size` of them (and MIN_THEME_SHARE of them) form a new theme."""
    share = float((topics == OUTLIER).mean()) if len(topics) else 0.0
    if len(embeddings) >= 4 * min_cluster_size and share > max(0.25, 3 * saved.outlier_share):
        return f"{share:.0%} of the new documents fit no saved topic (the fit had {saved.outlier_share:.0%})"
    core = new_theme(saved, embeddings)
    if len(core) >= max(min_cluster_size, MIN_THEME_SHARE * min(len(embeddings), SAMPLE)):
        return f"{len(core)} new documents form a theme the topics were not fitted on"
    return None
