"""`koe eval topics`: clustering quality of the production topic pipeline on labelled real inquiries, at
both levels the report reads: subtopics against the leaf `topic` labels, themes against `topic_l1`.

Data: ../shared/data/asdc-inquiries/queries.jsonl (Accommodation Search Dialog Corpus, Megagon Labs /
Recruit Co., Ltd., CC BY 4.0). NMI/ARI count outliers as one cluster. Baselines run in the same process on
the same sample: KMeans on TF-IDF+SVD (k = number of labels), KMeans on the same embeddings with k matched
to koe's count and to the true count, and BERTopic with its default UMAP/HDBSCAN on the same embeddings.
The label hit rate is the share of themes whose name holds the last segment of their majority gold label
(食事::朝食 -> 朝食).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp import columns as C
from nlp.embed import get_embedder
from nlp.normalize import normalize_text
from nlp.pii import redact
from nlp.tokenize import tokenize_many
from nlp.topics import OUTLIER, TopicConfig, center, fit_topics


@dataclass(frozen=True)
class Sample:
    texts: list[str]
    leaf: list[str]  # gold `topic`
    top: list[str]  # gold `topic_l1` (the first segment of `topic` where the file lacks it)


def load_sample(path: Path, sample: int, seed: int) -> Sample:
    """A seeded sample of distinct (normalized, redacted) texts and their labels at both levels."""
    by_text: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = redact(normalize_text(row["text"]))
            if text and text not in by_text:
                by_text[text] = (row["topic"], row.get("topic_l1") or row["topic"].split("::")[0])
    texts = sorted(by_text)
    chosen = random.Random(seed).sample(texts, min(sample, len(texts)))
    return Sample(chosen, [by_text[t][0] for t in chosen], [by_text[t][1] for t in chosen])


def scores(labels: list[str], predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, predicted)), 4),
        "ari": round(float(adjusted_rand_score(labels, predicted)), 4),
    }


def kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=max(1, k), n_init=3, random_state=seed).fit_predict(vectors)


def label_hit_rate(names: dict[int, str], groups: np.ndarray, leaf: list[str]) -> float:
    """Share of groups whose name contains the last segment of the group's majority leaf label."""
    hits = 0
    for group, name in names.items():
        members = [leaf[i] for i in np.flatnonzero(groups == group)]
        majority = max(set(members), key=members.count)
        hits += majority.split("::")[-1] in name
    return round(hits / len(names), 3) if names else 0.0


def bertopic_defaults_baseline(
    tokens: list[list[str]], embeddings: np.ndarray, labels: list[str], seed: int
) -> dict[str, float]:
    """BERTopic's own default UMAP and HDBSCAN (as BERTopic builds them, seeded), nothing of ours but the
    Japanese vectorizer, which only names topics and does not change the clusters."""
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    model = BERTopic(
        umap_model=UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False, random_state=seed
        ),
        hdbscan_model=HDBSCAN(
            min_cluster_size=10, metric="euclidean", cluster_selection_method="eom", prediction_data=True
        ),
        vectorizer_model=CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False),
        language="multilingual",
    )
    predicted, _ = model.fit_transform([" ".join(t) for t in tokens], embeddings)
    predicted = np.asarray(predicted)
    return {**scores(labels, predicted), "outlier_share": round(float((predicted == OUTLIER).mean()), 4)}


def evaluate(
    data: Path, sample: int, seed: int, embedder_name: str, baselines: bool = True, max_fit_docs: int | None = 20000
) -> dict:
    gold = load_sample(data, sample, seed)
    texts = gold.texts
    start = time.perf_counter()
    embedder = get_embedder(embedder_name)
    embeddings = embedder.embed(texts)
    tokens = tokenize_many(texts)
    result = fit_topics(texts, tokens, embeddings, embedder, TopicConfig(seed=seed, max_fit_docs=max_fit_docs))
    seconds = time.perf_counter() - start
    leaf, theme = result.assignments, result.themes_of_documents()
    theme_names = dict(zip(result.themes[C.THEME_ID], result.themes[C.LABEL], strict=True))
    n_leaf, n_theme = int(len(result.topics)), int(len(result.themes))
    report = {
        "leaf": {
            **scores(gold.leaf, leaf),
            "outlier_share": round(float((leaf == OUTLIER).mean()), 4),
            "n_topics": n_leaf,
            "n_labels": len(set(gold.leaf)),
        },
        "themes": {
            **scores(gold.top, theme),
            "n_themes": n_theme,
            "n_labels": len(set(gold.top)),
            "names": sorted(theme_names.values()),
        },
        "label_hit_rate": label_hit_rate(theme_names, theme, gold.leaf),
        "max_fit_docs": max_fit_docs,
        "seconds": round(seconds, 1),
        "embedder": embedder_name,
        "n_docs": len(texts),
    }
    if baselines:
        tfidf = get_embedder("tfidf", seed=seed).embed(texts)
        vectors = center(embeddings)  # the space koe clusters in
        report["baselines"] = {
            "leaf": {
                "kmeans_tfidf_true_k": scores(gold.leaf, kmeans(tfidf, len(set(gold.leaf)), seed)),
                "kmeans_embeddings_koe_k": scores(gold.leaf, kmeans(vectors, n_leaf, seed)),
                "kmeans_embeddings_true_k": scores(gold.leaf, kmeans(vectors, len(set(gold.leaf)), seed)),
                "bertopic_defaults": bertopic_defaults_baseline(tokens, embeddings, gold.leaf, seed),
            },
            "themes": {
                "kmeans_tfidf_true_k": scores(gold.top, kmeans(tfidf, len(set(gold.top)), seed)),
                "kmeans_embeddings_koe_k": scores(gold.top, kmeans(vectors, n_theme, seed)),
                "kmeans_embeddings_true_k": scores(gold.top, kmeans(vectors, len(set(gold.top)), seed)),
            },
        }
    return report
