"""`koe eval topics`: clustering quality of the production topic pipeline on labelled real inquiries.

Data: ../shared/data/asdc-inquiries/queries.jsonl (Accommodation Search Dialog Corpus, Megagon Labs /
Recruit Co., Ltd., CC BY 4.0). NMI/ARI are against the `topic` labels with outliers counted as one cluster.
Baselines run in the same process on the same sample: KMeans (k = number of labels) on TF-IDF+SVD, and
BERTopic with its default UMAP/HDBSCAN (no outlier reassignment) on the same embeddings.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np

from nlp.embed import get_embedder
from nlp.normalize import normalize_text
from nlp.pii import redact
from nlp.tokenize import tokenize_many
from nlp.topics import OUTLIER, TopicConfig, fit_topics


def load_sample(path: Path, sample: int, seed: int) -> tuple[list[str], list[str]]:
    """A seeded sample of distinct (normalized, redacted) texts and their labels."""
    by_text: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = redact(normalize_text(row["text"]))
            if text and text not in by_text:
                by_text[text] = row["topic"]
    texts = sorted(by_text)
    chosen = random.Random(seed).sample(texts, min(sample, len(texts)))
    return chosen, [by_text[t] for t in chosen]


def scores(labels: list[str], predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, predicted)), 4),
        "ari": round(float(adjusted_rand_score(labels, predicted)), 4),
    }


def kmeans_tfidf_baseline(texts: list[str], labels: list[str], seed: int) -> dict[str, float]:
    from sklearn.cluster import KMeans

    vectors = get_embedder("tfidf", seed=seed).embed(texts)
    predicted = KMeans(n_clusters=len(set(labels)), n_init=3, random_state=seed).fit_predict(vectors)
    return scores(labels, predicted)


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
    texts, labels = load_sample(data, sample, seed)
    start = time.perf_counter()
    embedder = get_embedder(embedder_name)
    embeddings = embedder.embed(texts)
    tokens = tokenize_many(texts)
    result = fit_topics(texts, tokens, embeddings, embedder, TopicConfig(seed=seed, max_fit_docs=max_fit_docs))
    seconds = time.perf_counter() - start
    assigned = result.assignments
    report = {
        **scores(labels, assigned),
        "outlier_share": round(float((assigned == OUTLIER).mean()), 4),
        "n_topics": int(len(result.topics)),
        "max_fit_docs": max_fit_docs,
        "seconds": round(seconds, 1),
        "embedder": embedder_name,
        "n_docs": len(texts),
        "n_labels": len(set(labels)),
    }
    if baselines:
        report["baselines"] = {
            "kmeans_tfidf": kmeans_tfidf_baseline(texts, labels, seed),
            "bertopic_defaults": bertopic_defaults_baseline(tokens, embeddings, labels, seed),
        }
    return report
