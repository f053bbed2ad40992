"""Stable theme ids across refits, and what became of the previous themes (split, merged).

A weekly run that reuses the saved topics keeps its themes as they are. A refit clusters afresh and
numbers its themes by size, so without matching, 「配送遅延」 could be theme 0 one week and theme 3 the
next, and a lead's rename would land on the wrong theme. Matching uses the members: the refit's window
shares 11 of its 12 weeks with the previous run's, so most documents have a theme in both. Themes are
paired one to one by the Jaccard overlap of their shared documents (Hungarian assignment), a pair needing
MIN_JACCARD; a new theme left unpaired gets a fresh id, and is a split when most of its shared documents
come from one previous theme that another new theme continues; a paired theme that also took most of an
unpaired previous theme's documents merged it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_JACCARD = 0.3  # a new theme continues a previous one when their shared members overlap this much
MOST = 0.5  # "most of" a theme's shared documents, for splits and merges


@dataclass(frozen=True)
class Change:
    """One line of lineage: `theme_id` (a stable id of the new run) was split from, or merged, `sources`
    (stable ids of the previous run)."""

    kind: str  # SPLIT | MERGED
    theme_id: int
    sources: tuple[int, ...]


SPLIT, MERGED = "split", "merged"


@dataclass(frozen=True)
class Matched:
    ids: dict[int, int]  # the fit's theme id -> stable id
    changes: list[Change]


def match_themes(previous: pd.Series, current: pd.Series, next_id: int) -> Matched:
    """Stable ids for the themes of `current` (theme per document id; negative or NaN: no theme) given the
    previous run's `previous` (stable theme id per document id). Ids never used before start at `next_id`."""
    now = current[current.notna() & (current >= 0)].astype(int)
    before = previous[previous.notna() & (previous >= 0)].astype(int)
    new_ids = sorted(set(now.tolist()), key=lambda t: (-int((now == t).sum()), t))
    shared = now.index.intersection(before.index)
    ids: dict[int, int] = {}
    changes: list[Change] = []
    if len(shared):
        table = pd.crosstab(now[shared], before[shared])
        counts = table.to_numpy(dtype=float)
        n_new, n_old = counts.sum(axis=1), counts.sum(axis=0)
        jaccard = counts / (n_new[:, None] + n_old[None, :] - counts)
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(-jaccard)
        paired = {r: c for r, c in zip(rows.tolist(), cols.tolist(), strict=True) if jaccard[r, c] >= MIN_JACCARD}
        for r, c in paired.items():
            ids[int(table.index[r])] = int(table.columns[c])
        continued = set(paired.values())
        for r, c in paired.items():  # merged: a paired theme that took most of an unpaired previous theme
            taken = [int(table.columns[o]) for o in range(len(table.columns))
                     if o not in continued and counts[r, o] >= MOST * n_old[o]]  # fmt: skip
            if taken:
                changes.append(Change(MERGED, int(table.columns[c]), tuple(taken)))
        splits = {}
        for r in range(len(table.index)):  # split: an unpaired theme mostly from a continued previous one
            c = int(np.argmax(counts[r]))
            if r not in paired and c in continued and counts[r, c] >= MOST * n_new[r]:
                splits[int(table.index[r])] = int(table.columns[c])
    else:
        splits = {}
    for theme in new_ids:
        if theme not in ids:
            ids[theme] = next_id
            next_id += 1
            if theme in splits:
                changes.append(Change(SPLIT, ids[theme], (splits[theme],)))
    return Matched(ids, changes)
