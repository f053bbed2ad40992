"""TF-IDF over fugashi content words, reduced with truncated SVD (LSA). Fitted on the corpus it embeds,
so its vectors are only comparable within one fit and are never cached."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.embed.base import l2_normalize
from nlp.tokenize import tokenize


class TfidfSvdEmbedder:
    name = "tfidf"
    cacheable = False

    def __init__(self, dim: int = 256, min_df: int = 2, seed: int = 0) -> None:
        self.dim, self.min_df, self.seed = dim, min_df, seed
        self._pipeline: Any = None  # sklearn Pipeline (TF-IDF -> SVD) once fitted

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline

        vectorizer = TfidfVectorizer(
            tokenizer=tokenize, lowercase=False, token_pattern=None, min_df=self.min_df, sublinear_tf=True
        )
        terms = vectorizer.fit(texts)
        n_terms = len(terms.vocabulary_)
        svd = TruncatedSVD(n_components=max(2, min(self.dim, n_terms - 1)), random_state=self.seed)
        self._pipeline = make_pipeline(vectorizer, svd)
        self._pipeline.fit(texts)
        return self

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._pipeline is None:
            self.fit(texts)
        return l2_normalize(self._pipeline.transform(list(texts)))
