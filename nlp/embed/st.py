"""sentence-transformers, for users with a model hub and a GPU (optional extra `koe[sentence-transformers]`).
Not installed by default: it pulls torch (ARCHITECTURE.md)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.embed.base import l2_normalize


class SentenceTransformerEmbedder:
    name = "sentence-transformers"
    cacheable = True

    def __init__(self, model: str = "intfloat/multilingual-e5-small", batch_size: int = 64) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise RuntimeError(
                "the 'sentence-transformers' embedder needs `pip install koe[sentence-transformers]` "
                "and access to a model hub; the default install ships 'use', 'e5' and 'tfidf'"
            ) from exc
        self._model = SentenceTransformer(model)
        self.batch_size = batch_size
        self.name = f"sentence-transformers:{model}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return l2_normalize(self._model.encode(list(texts), batch_size=self.batch_size))
