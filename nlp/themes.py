"""Themes: the reading level above the subtopics. A product manager reads a handful of themes (配送遅延,
破損, 返金 ...) and opens the subtopics under each; HDBSCAN finds the subtopics (nlp/topics.py), and the
themes group them by how alike their centroids are.

The subtopics' centered centroids are clustered bottom-up (average linkage, cosine) into a target count
that grows with the number of subtopics: 1.25 x sqrt(subtopics), 4 to 20 (ThemeConfig). On 10,000 real
requests (`koe eval topics`, bench/README.md) sqrt gave 150 subtopics -> 12 themes against 13 gold
categories, NMI 0.41 / ARI 0.40, KMeans on the same vectors 0.32 / 0.16; ward and complete linkage were
lower on another sample. Once every message was modelled (issue #13) the demo window's 66 subtopics came
out as 8 themes, one of them refunds + login/payment + points (ARI 0.67 against the generator's six
complaint themes); 10 themes separate them (ARI 0.81), and on the requests (seeds 0 and 1) 1.25 x sqrt
was level or better than sqrt (ARI 0.39 -> 0.44 and 0.315 -> 0.315 on one machine).

Average linkage pairs two subtopics that are each other's nearest even when one of them is as close to a
large theme as a whole: the demo's tracking subtopic (「追跡番号で調べても反映されず、まだ届いていない」) and
its cart failure (「カートに商品を入れても反映されず」) share 反映されず (centered cosine 0.257) and made a theme
of their own, leaving delivery delay 78% in one theme. So a subtopic of a theme of at most `small_theme`
subtopics then joins the theme whose other messages it is closest to (rehome_small).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from nlp import columns as C
from nlp.names import distinct_names, keywords
from nlp.topics import OUTLIER, cooccurring, relabel, unit

THEME_WORDS = 30  # ranked words per theme a name is picked from


@dataclass(frozen=True)
class ThemeConfig:
    min_themes: int = 4
    max_themes: int = 20
    per_sqrt: float = 1.25  # themes per square root of the subtopics (module docstring: measured)
    linkage: str = "average"
    # subtopics of a theme this small may move to a closer theme (rehome_small). Measured 2026-12-03: the
    # demo's complaints' theme ARI 0.816 -> 0.884, delivery delay 78% -> 88% in one theme; asdc requests
    # neutral (six fits: the same within 0.003; the shipped seed-0 fit 0.432 -> 0.457). Letting every
    # subtopic move lowered one asdc fit to 0.31 and split the demo's login/payment theme (89% -> 80%).
    small_theme: int = 2


def theme_count(n_subtopics: int, config: ThemeConfig = ThemeConfig()) -> int:
    """How many themes a window with `n_subtopics` subtopics is read in."""
    if n_subtopics <= config.min_themes:
        return n_subtopics
    return max(config.min_themes, min(config.max_themes, round(config.per_sqrt * math.sqrt(n_subtopics))))


def group_subtopics(centroids: np.ndarray, n_themes: int, config: ThemeConfig = ThemeConfig()) -> np.ndarray:
    """Theme index per subtopic (rows of `centroids`), 0..n_themes-1."""
    if len(centroids) <= n_themes:
        return np.arange(len(centroids))
    from sklearn.cluster import AgglomerativeClustering

    metric = "euclidean" if config.linkage == "ward" else "cosine"
    return AgglomerativeClustering(n_clusters=n_themes, metric=metric, linkage=config.linkage).fit_predict(centroids)


def rehome_small(sums: np.ndarray, groups: np.ndarray, small: int) -> np.ndarray:
    """`groups` (theme per subtopic) with each subtopic of a theme of 2..`small` subtopics moved to the
    theme whose other documents' centroid is closest to its own (`sums`: per subtopic, the sum of its
    documents' centered vectors), one subtopic at a time in order, until none moves; no theme is emptied."""
    groups = groups.copy()
    units = unit(sums)
    for _ in range(len(groups)):  # each round moves a subtopic or ends; bounded all the same
        moved = False
        for i in range(len(groups)):
            if not 1 < int((groups == groups[i]).sum()) <= small:
                continue
            ids = np.unique(groups)
            totals = np.vstack([sums[groups == g].sum(axis=0) for g in ids])
            own = int(np.searchsorted(ids, groups[i]))
            totals[own] -= sums[i]  # its theme without it
            best = int(np.argmax(unit(totals) @ units[i]))
            if best != own:
                groups[i], moved = ids[best], True
        if not moved:
            break
    return groups


def themes_of(assigned: np.ndarray, centered: np.ndarray, config: ThemeConfig = ThemeConfig()) -> dict[int, int]:
    """Theme per subtopic id of a fit (`assigned`: subtopic per document, OUTLIER for none). Theme ids are
    numbered by size, 0 = the theme with the most documents."""
    subtopics = sorted(set(assigned.tolist()) - {OUTLIER})
    if not subtopics:
        return {}
    sums = np.vstack([centered[assigned == t].sum(axis=0) for t in subtopics])
    groups = group_subtopics(unit(sums), theme_count(len(subtopics), config), config)
    groups = rehome_small(sums, groups, config.small_theme)
    group_of = dict(zip(subtopics, groups.tolist(), strict=True))
    theme_size = pd.Series(relabel(assigned, group_of)).value_counts().drop(OUTLIER, errors="ignore")
    order = sorted(theme_size.index, key=lambda g: (-theme_size[g], g))
    renumber = {g: i for i, g in enumerate(order)}
    return {t: renumber[g] for t, g in group_of.items()}


def class_term_weights(doc_terms: sp.csr_matrix, groups: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
    """(group ids, c-TF-IDF weights per group x term) of documents' term counts grouped by `groups`
    (OUTLIER rows left out): BERTopic's class TF-IDF, so themes are named as subtopics are."""
    from bertopic.vectorizers import ClassTfidfTransformer

    ids = np.asarray(sorted(set(groups.tolist()) - {OUTLIER}))
    rows = np.flatnonzero(groups != OUTLIER)
    index = {g: i for i, g in enumerate(ids.tolist())}
    member = sp.csr_matrix(
        (np.ones(len(rows)), ([index[g] for g in groups[rows].tolist()], rows)), shape=(len(ids), len(groups))
    )
    counts = sp.csr_matrix(member @ doc_terms)
    used = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel() > 0)  # words only outliers had: no idf
    weights = sp.csr_matrix(ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(counts[:, used]))
    return ids, sp.csr_matrix((weights.data, used[weights.indices], weights.indptr), shape=counts.shape)


def describe_themes(
    doc_terms: sp.csr_matrix,
    vocabulary: np.ndarray,
    assigned: np.ndarray,
    theme_of: dict[int, int],
    product_names: Sequence[str] = (),
) -> pd.DataFrame:
    """Per theme its name and keywords (c-TF-IDF over the theme's documents, named as topics are), size and
    subtopics. `doc_terms`: the documents' term counts over `vocabulary` (the topic model's)."""
    theme = relabel(assigned, theme_of)
    if not theme_of:
        return pd.DataFrame(columns=list(C.THEME_COLUMNS))
    ids, weights = class_term_weights(doc_terms, theme)
    ranked = []
    for row in range(len(ids)):
        w = weights.getrow(row).toarray().ravel()
        top = np.argsort(-w, kind="stable")[:THEME_WORDS]
        ranked.append([str(vocabulary[i]) for i in top if w[i] > 0])
    # a theme's two nouns must stand together in its messages; its predicate need not (its words spread)
    pairs = cooccurring(doc_terms, [str(w) for w in vocabulary], theme, ids.tolist())
    names = distinct_names(ranked, product_names, prefix="テーマ", predicate_words=THEME_WORDS, pair_together=pairs)
    topic_sizes = pd.Series(assigned[assigned != OUTLIER]).value_counts()
    rows = []
    for theme_id, words, label in zip(ids.tolist(), ranked, names, strict=True):
        subtopics = sorted((t for t, g in theme_of.items() if g == theme_id), key=lambda t: (-topic_sizes.get(t, 0), t))
        rows.append(
            {
                C.THEME_ID: theme_id,
                C.LABEL: label,
                C.KEYWORDS: keywords(words, product_names),
                C.SIZE: int((theme == theme_id).sum()),
                C.SUBTOPICS: subtopics,
            }
        )
    return pd.DataFrame(rows, columns=list(C.THEME_COLUMNS))
