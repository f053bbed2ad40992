"""Recurring-topic discovery with BERTopic on precomputed embeddings and cached Japanese tokens.

Decisions (measured in bench/, reasons in ARCHITECTURE.md):
- BERTopic gets the documents as space-joined fugashi tokens and a whitespace CountVectorizer. Its
  c-TF-IDF joins whole topics into one string; re-tokenizing that with fugashi would tokenize every
  document again and crash fugashi on large topics. Readable text is kept on our side.
- UMAP is fitted on distinct embeddings only (it is not reproducible with exact duplicates, ARCHITECTURE.md),
  while HDBSCAN and c-TF-IDF see every document: forty identical complaints are forty (nlp/reduce.py).
- Near-identical topics are merged and outliers close to a topic reassigned, both by cosine similarity of
  *centered* embeddings: e5's raw cosines are all high (anisotropy), so one raw threshold merged its 176
  topics into 1 while it suited USE. Centered, the same thresholds give USE 143 and e5 132 topics on 10k
  real inquiries (bench/README.md has the grid).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from nlp import columns as C
from nlp.embed.base import Embedder
from nlp.names import Together, distinct_names, keywords
from nlp.vector_text import without_details

OUTLIER = -1
BLOCK_ROWS = 16_384  # rows per block of window-sized embedding arithmetic (row_blocks)


@dataclass(frozen=True)
class TopicConfig:
    n_neighbors: int = 15
    n_components: int = 5
    min_cluster_size: int = 10
    outlier_threshold: float = 0.3  # centered cosine similarity to a topic's centroid
    # topics whose centroids are this similar (centered cosine, average linkage) become one: HDBSCAN splits
    # one complaint into variants of wording (到着が遅い / 待たされる); the demo went from 60 topics to 31
    merge_similarity: float | None = 0.6
    top_n_words: int = 30  # words ranked per topic: names pick from the best, keyword lists show 10
    seed: int = 0
    # above this many documents UMAP and HDBSCAN are fitted on a seeded sample of them and the rest join
    # the nearest topic centroid (the outlier rule below): UMAP's cost grows with the corpus, 125 s at 100k
    # documents (ARCHITECTURE.md); the comparison behind the number is in bench/README.md
    max_fit_docs: int | None = 20000
    # representative sentences: prefer complete, quotable messages of this many characters
    quote_chars: tuple[int, int] = (12, 120)


@dataclass
class TopicResult:
    """`topics` has `columns.TOPIC_COLUMNS` (outliers excluded); `assignments[i]` is document i's topic and
    `centrality[i]` its cosine similarity to that topic's centroid (for picking quotes). `themes` has
    `columns.THEME_COLUMNS`: the reading level above the topics (nlp/themes.py); `theme_of` maps topic id ->
    theme id."""

    model: Any  # the fitted BERTopic
    topics: pd.DataFrame
    assignments: np.ndarray
    centrality: np.ndarray
    config: TopicConfig = field(default_factory=TopicConfig)
    themes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(C.THEME_COLUMNS)))
    theme_of: dict[int, int] = field(default_factory=dict)

    def themes_of_documents(self) -> np.ndarray:
        """Theme per document (OUTLIER where the document has no topic)."""
        return relabel(self.assignments, self.theme_of)


class TooFewDocuments(ValueError):
    pass


def _bertopic_embedder(embedder: Embedder | None):
    """BERTopic needs an embedding model for transform(); without one it silently falls back to an
    English TF-IDF (ARCHITECTURE.md). This adapter hands it ours."""
    from bertopic.backend import BaseEmbedder

    class _Adapter(BaseEmbedder):
        def __init__(self, inner: Embedder | None) -> None:
            super().__init__()
            self.inner = inner

        def embed(self, documents, verbose=False):
            if self.inner is None:
                raise RuntimeError("this topic model was loaded without an embedder; pass embeddings")
            return self.inner.embed(list(documents))

    return _Adapter(embedder)


def build_model(config: TopicConfig, embedder: Embedder | None):
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer

    from nlp.reduce import DistinctRowsUMAP

    umap = DistinctRowsUMAP(
        n_neighbors=config.n_neighbors,
        n_components=config.n_components,
        min_dist=0.0,
        metric="cosine",
        random_state=config.seed,
    )
    hdbscan = HDBSCAN(
        min_cluster_size=config.min_cluster_size,
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    )
    # tokens arrive space-joined: split on spaces, never lowercase or strip non-ASCII (ARCHITECTURE.md).
    # min_df stays 1: BERTopic fits the vectorizer on one joined document per topic, so min_df=2 would drop
    # every word that belongs to a single topic, the very words that name it (ポイント vanished that way).
    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, min_df=1)
    return BERTopic(
        embedding_model=_bertopic_embedder(embedder),
        umap_model=umap,
        hdbscan_model=hdbscan,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=config.top_n_words,
        language="multilingual",
        calculate_probabilities=False,
    )


def relabel(assigned: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """`assigned` with each id replaced through `mapping`; ids it lacks (outliers) become OUTLIER."""
    return np.asarray([mapping.get(t, OUTLIER) for t in assigned.tolist()], dtype=int)


def topic_centroids(embeddings: np.ndarray, assigned: np.ndarray, topics: list[int]) -> np.ndarray:
    """Unit mean vector of each topic's members, rows in `topics` order."""
    centroids = np.vstack([embeddings[assigned == t].mean(axis=0) for t in topics])
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True)


def _merge_similar(assigned: np.ndarray, embeddings: np.ndarray, min_similarity: float) -> np.ndarray:
    """Join topics whose centroids are at least `min_similarity` alike; ids renumbered by size (0 = largest)."""
    topics = sorted(set(assigned.tolist()) - {OUTLIER})
    out = assigned.copy()
    if len(topics) > 1:
        from sklearn.cluster import AgglomerativeClustering

        groups = AgglomerativeClustering(
            n_clusters=None, distance_threshold=1 - min_similarity, metric="cosine", linkage="average"
        ).fit_predict(topic_centroids(embeddings, assigned, topics))
        for topic, group in zip(topics, groups, strict=True):
            out[assigned == topic] = group
    sizes = pd.Series(out[out != OUTLIER]).value_counts()
    order = sorted(sizes.index, key=lambda t: (-sizes[t], t))
    return relabel(out, {old: new for new, old in enumerate(order)})


def _reassign_outliers(assigned: np.ndarray, embeddings: np.ndarray, threshold: float) -> np.ndarray:
    """Outliers join the topic whose centroid is nearest, when at least `threshold` similar."""
    topics = sorted(set(assigned.tolist()) - {OUTLIER})
    outliers = np.flatnonzero(assigned == OUTLIER)
    if not topics or not len(outliers):
        return assigned
    centroids = topic_centroids(embeddings, assigned, topics)
    out = assigned.copy()
    for block in row_blocks(len(outliers)):  # the outliers of a large window are most of it: no full copy
        rows = outliers[block]
        sims = embeddings[rows] @ centroids.T
        best = sims.argmax(axis=1)
        close = sims[np.arange(len(rows)), best] >= threshold
        out[rows[close]] = np.asarray(topics)[best[close]]
    return out


def row_blocks(n_rows: int) -> Iterator[slice]:
    """Row ranges of at most BLOCK_ROWS: window-sized embedding arithmetic one block at a time. The FAQ-gap
    fit over a 12-week window of a 1M-document history (148,292 messages; 300 MB of float32 vectors) peaked
    at 3.25 GB when each step made full-size temporaries (bench/README.md)."""
    for start in range(0, n_rows, BLOCK_ROWS):
        yield slice(start, min(start + BLOCK_ROWS, n_rows))


def center(embeddings: np.ndarray, mean: np.ndarray | None = None, in_place: bool = False) -> np.ndarray:
    """Embeddings minus their mean (or a saved fit's `mean`), re-normalized, as float32: removes the
    direction all documents share. Built block by block into one output array, or into `embeddings` itself
    (`in_place`, float32 only): a fit over 120k messages holds one window-sized copy fewer."""
    mean = embeddings.mean(axis=0) if mean is None else mean
    out = embeddings if in_place and embeddings.dtype == np.float32 else np.empty(embeddings.shape, dtype=np.float32)
    for block in row_blocks(len(embeddings)):
        out[block] = unit(embeddings[block] - mean)
    return out


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows (or one vector) scaled to length 1; a zero row stays zero."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


def centrality(embeddings: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Cosine similarity of each document to its topic's centroid; 0 for outliers."""
    out = np.zeros(len(assigned), dtype=np.float32)
    for topic in set(assigned.tolist()) - {OUTLIER}:
        members = assigned == topic
        centroid = embeddings[members].mean(axis=0)
        out[members] = embeddings[members] @ (centroid / (np.linalg.norm(centroid) or 1.0))
    return out


def _representative(
    texts: Sequence[str], embeddings: np.ndarray, members: np.ndarray, quote_chars: tuple[int, int]
) -> str:
    """The member text closest to the topic centroid, among quotable lengths when there are any."""
    lo, hi = quote_chars
    quotable = np.asarray([lo <= len(texts[i]) <= hi for i in members], dtype=bool)
    pool = members[quotable] if quotable.any() else members
    centroid = embeddings[members].mean(axis=0)
    return without_details(texts[int(pool[np.argmax(embeddings[pool] @ centroid)])])


# a subtopic's predicate stands in at least this share of the messages holding its noun phrase: the demo's
# 「表記より明らかに小さいです」 subtopic was named 「表記：使えない」 from its 7th word
TOGETHER = 0.2


def cooccurring(
    doc_terms: sp.csr_matrix, vocabulary: Sequence[str], groups: np.ndarray, ids: Sequence[int]
) -> list[Together]:
    """Per group of `ids` (`groups`: group per document row of `doc_terms`), whether two words stand in
    one of its documents often enough to name it together; a word the vocabulary lacks is not judged. The
    vocabulary's index and the presence matrix are built once for every group."""
    present = sp.csr_matrix(doc_terms > 0)
    index = {w: i for i, w in enumerate(vocabulary)}

    def check(rows: sp.csc_matrix) -> Together:
        def together(noun: str, predicate: str) -> bool:
            a, b = index.get(noun), index.get(predicate)
            if a is None or b is None:
                return True
            holding = rows[:, a]
            return holding.nnz == 0 or holding.multiply(rows[:, b]).nnz >= TOGETHER * holding.nnz

        return together

    return [check(sp.csc_matrix(present[np.flatnonzero(groups == g)])) for g in ids]


def describe_topics(
    model,
    texts: Sequence[str],
    embeddings: np.ndarray,
    assigned: np.ndarray,
    config: TopicConfig,
    product_names: Sequence[str] = (),
    doc_terms: sp.csr_matrix | None = None,
) -> pd.DataFrame:
    """Per topic its name (nlp/names.py: a noun phrase and the predicate, never a product name), keywords,
    quote and size. `doc_terms`: the documents' term counts over the model's vocabulary, so a name's words
    stand together in its messages."""
    ids = sorted(set(assigned.tolist()) - {OUTLIER})
    ranked = [[w for w, _ in (model.get_topic(t) or []) if w] for t in ids]  # BERTopic pads with ""
    together = None
    if doc_terms is not None:
        vocabulary = model.vectorizer_model.get_feature_names_out().tolist()
        together = cooccurring(doc_terms, vocabulary, assigned, ids)
    labels = distinct_names(ranked, product_names, together=together)
    rows = []
    for topic, words, label in zip(ids, ranked, labels, strict=True):
        members = np.flatnonzero(assigned == topic)
        rows.append(
            {
                C.TOPIC_ID: topic,
                C.LABEL: label,
                C.KEYWORDS: keywords(words, product_names),
                C.REPRESENTATIVE: _representative(texts, embeddings, members, config.quote_chars),
                C.SIZE: len(members),
            }
        )
    return pd.DataFrame(rows, columns=list(C.TOPIC_COLUMNS))


def too_few(texts: Sequence[str], config: TopicConfig) -> str | None:
    """Why `texts` cannot be clustered (HDBSCAN needs a few topics' worth of distinct texts), or None."""
    n_distinct, needed = len(set(texts)), max(3 * config.min_cluster_size, config.n_components + 2)
    return f"{n_distinct} distinct texts are too few to find topics (need {needed})" if n_distinct < needed else None


def fit_sample(n_docs: int, config: TopicConfig) -> np.ndarray:
    """Rows UMAP and HDBSCAN are fitted on: all of them, or a seeded sample of `max_fit_docs` (sorted, so the
    fit sees documents in their original order). Duplicates are sampled as often as they occur."""
    if not config.max_fit_docs or n_docs <= config.max_fit_docs:
        return np.arange(n_docs)
    return np.sort(np.random.default_rng(config.seed).choice(n_docs, config.max_fit_docs, replace=False))


def canonical_order(texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
    """A permutation that sorts documents by a digest of their vector, then text: the same documents in any
    input order give the same fit. UMAP, HDBSCAN's tie-breaks, the fit sample and c-TF-IDF all depend on row
    order (tests/nlp/test_topics.py: ARI 0.970 between two input orders on one fresh 2-core machine). A
    16-byte digest, not the vector's 2 KB of bytes: the keys of 100k documents held 205 MB at the fit's peak."""
    keys = [(hashlib.blake2b(embeddings[i].tobytes(), digest_size=16).digest(), texts[i]) for i in range(len(texts))]
    return np.asarray(sorted(range(len(texts)), key=keys.__getitem__), dtype=np.int64)


def fit_topics(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    embeddings: np.ndarray,
    embedder: Embedder | None = None,
    config: TopicConfig = TopicConfig(),
    product_names: Sequence[str] = (),
) -> TopicResult:
    """Topics and themes of `texts` (normalized, redacted); `tokens` and `embeddings` are aligned with them.
    `product_names`: the window's products, never a word of a name (they get a breakdown instead). The fit
    runs on the documents in canonical order (canonical_order) and maps the results back."""
    reason = too_few(texts, config)
    if reason:
        raise TooFewDocuments(reason)
    embeddings = np.ascontiguousarray(embeddings, dtype=np.float32)
    order = canonical_order(texts, embeddings)
    result = _fit_ordered(
        [texts[i] for i in order], [tokens[i] for i in order], embeddings[order], embedder, config, product_names
    )
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    result.assignments, result.centrality = result.assignments[back], result.centrality[back]
    return result


def _fit_ordered(
    texts: Sequence[str],
    tokens: Sequence[Sequence[str]],
    embeddings: np.ndarray,
    embedder: Embedder | None,
    config: TopicConfig,
    product_names: Sequence[str],
) -> TopicResult:
    from nlp import themes  # themes builds on this module's centroids

    docs = [" ".join(t) for t in tokens]
    model = build_model(config, embedder)
    fit_rows = fit_sample(len(docs), config)
    # EOM selection can keep one cluster holding most of the fit (a 360-document sample of the 6-topic test
    # set came out as 2 topics, NMI 0.17, on one machine but not another): a cluster over half the fit is
    # split into its children instead, and children that really are one theme are merged again below
    model.hdbscan_model.max_cluster_size = max(len(fit_rows) // 2, config.min_cluster_size)
    fitted, _ = model.fit_transform([docs[i] for i in fit_rows], embeddings[fit_rows])
    found = np.full(len(docs), OUTLIER)
    found[fit_rows] = fitted  # documents outside the sample start as outliers: the nearest centroid takes them
    centered = center(embeddings, in_place=True)  # the ordered copy fit_topics made: not needed uncentered
    assigned = found
    if config.merge_similarity is not None:
        assigned = _merge_similar(assigned, centered, config.merge_similarity)
    assigned = _reassign_outliers(assigned, centered, config.outlier_threshold)
    if not np.array_equal(assigned, found):
        # keywords follow the final membership (BERTopic recomputes c-TF-IDF on the new assignment)
        model.update_topics(
            docs,
            topics=assigned.tolist(),
            vectorizer_model=model.vectorizer_model,
            ctfidf_model=model.ctfidf_model,
            top_n_words=config.top_n_words,
        )
    doc_terms = sp.csr_matrix(model.vectorizer_model.transform(docs))
    topics = describe_topics(model, texts, centered, assigned, config, product_names, doc_terms)
    theme_of = themes.themes_of(assigned, centered)
    return TopicResult(
        model=model,
        topics=topics,
        assignments=assigned,
        centrality=centrality(centered, assigned),
        config=config,
        themes=themes.describe_themes(
            doc_terms,
            model.vectorizer_model.get_feature_names_out(),
            assigned,
            theme_of,
            product_names,
        ),
        theme_of=theme_of,
    )


def save_model(result: TopicResult, path: Path) -> Path:
    """safetensors: no pickle of UMAP/HDBSCAN (the first one takes a minute of numba, ARCHITECTURE.md); a reloaded
    model assigns new documents by similarity to the topic embeddings."""
    path.mkdir(parents=True, exist_ok=True)
    result.model.save(str(path), serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
    return path
