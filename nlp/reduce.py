"""UMAP fitted on distinct rows only, with every row (duplicates included) mapped to its coordinates.

UMAP with random_state is not reproducible when the input holds exact duplicates (ARCHITECTURE.md: 30% of labels
agreed between two runs). Deduplicating the texts before BERTopic would fix that but also hide how many
customers wrote the same thing: HDBSCAN would see one point where forty customers wrote
「ポイントが付与されていません」. So only the reduction is deduplicated; the clusterer sees every document.
Distinct rows are sorted by content, so the same set of documents in another order gives the same fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class DistinctRowsUMAP:
    def __init__(self, **umap_params) -> None:
        self.umap_params = umap_params
        self.model: Any = None  # umap.UMAP once fitted
        self._coords: dict[bytes, np.ndarray] = {}

    def _umap(self, n_rows: int):
        from umap import UMAP

        params = dict(self.umap_params)
        params["n_neighbors"] = max(2, min(params.get("n_neighbors", 15), n_rows - 1))
        return UMAP(**params)

    def fit(self, X: np.ndarray, y=None) -> DistinctRowsUMAP:
        X = np.ascontiguousarray(X, dtype=np.float32)
        distinct = {row.tobytes(): i for i, row in enumerate(X)}
        keys = sorted(distinct)
        rows = X[[distinct[k] for k in keys]]
        self.model = self._umap(len(rows))
        coords = self.model.fit_transform(rows)
        self._coords = dict(zip(keys, coords, strict=True))
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float32)
        found = [self._coords.get(row.tobytes()) for row in X]
        unknown = [i for i, c in enumerate(found) if c is None]
        if unknown:  # documents the fit never saw: UMAP's own out-of-sample transform
            fresh = self.model.transform(X[unknown])
            for i, coords in zip(unknown, fresh, strict=True):
                found[i] = coords
        known = [c for c in found if c is not None]
        return np.vstack(known) if known else np.zeros((0, self.umap_params.get("n_components", 5)))
