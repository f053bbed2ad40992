"""A lead's decisions about themes (`koe themes rename/merge`), applied to any run's themes.

Decisions are kept by stable theme id (nlp/lineage.py), so they hold across weekly runs and refits. The
runs store their themes as fitted; the reports show them curated: renamed, and merged themes folded into
their target (its name, the subtopics of both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nlp import columns as C


@dataclass(frozen=True)
class Curation:
    names: dict[int, str] = field(default_factory=dict)  # theme id -> the name a lead gave it
    merged_into: dict[int, int] = field(default_factory=dict)  # theme id -> the theme it was merged into

    def target(self, theme_id: int) -> int:
        """Where a theme is shown: itself, or the end of its chain of merges (a cycle stops where it closes)."""
        seen = {theme_id}
        while theme_id in self.merged_into and self.merged_into[theme_id] not in seen:
            theme_id = self.merged_into[theme_id]
            seen.add(theme_id)
        return theme_id


def curated(themes: pd.DataFrame, curation: Curation) -> pd.DataFrame:
    """`themes` (THEME_COLUMNS) as the lead decided: each shown under its target id with the target's name
    (the lead's, else the target's own, else the first merged theme's), the subtopics and sizes of every
    theme merged into it; largest first."""
    if themes.empty:
        return themes
    rows: dict[int, dict] = {}
    for row in themes.to_dict("records"):  # the largest theme of a group first: its keywords lead
        target = curation.target(int(row[C.THEME_ID]))
        if target not in rows:
            rows[target] = {**row, C.THEME_ID: target, C.SUBTOPICS: list(row[C.SUBTOPICS])}
        else:
            into = rows[target]
            into[C.SIZE] += row[C.SIZE]
            into[C.SUBTOPICS] = into[C.SUBTOPICS] + list(row[C.SUBTOPICS])
        if int(row[C.THEME_ID]) == target:
            rows[target][C.LABEL] = row[C.LABEL]
    for target, row in rows.items():
        row[C.LABEL] = curation.names.get(target, row[C.LABEL])
    out = pd.DataFrame(list(rows.values()), columns=list(C.THEME_COLUMNS))
    return out.sort_values([C.SIZE, C.THEME_ID], ascending=[False, True], ignore_index=True)
