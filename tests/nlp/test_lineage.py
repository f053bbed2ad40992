"""Stable theme ids across refits (nlp/lineage.py) and a lead's renames and merges (nlp/curation.py)."""

import pandas as pd

from nlp import columns as C
from nlp.curation import Curation, curated
from nlp.lineage import MERGED, SPLIT, match_themes


def per_document(groups: dict[int, range]) -> pd.Series:
    """Theme per document id from {theme: document ids}."""
    return pd.Series({d: t for t, ids in groups.items() for d in ids}, dtype=float)


def test_a_refit_keeps_the_ids_of_the_themes_it_continues():
    # previous run: delivery (id 7), login+payment (id 3), refunds (id 12); documents 0..299
    previous = per_document({7: range(0, 100), 3: range(100, 200), 12: range(200, 260)})
    # the refit numbers by size: login (0) and payment (2) split apart, delivery is 1, refunds lost to noise;
    # documents 300.. are new this week (points: a new theme)
    current = per_document(
        {0: range(100, 160), 1: range(0, 95), 2: range(160, 200), 3: range(300, 330), -1: range(200, 260)}
    )
    matched = match_themes(previous, current, next_id=13)
    assert matched.ids[1] == 7  # delivery keeps its id
    assert matched.ids[0] == 3  # the larger half of login+payment continues it
    assert {matched.ids[2], matched.ids[3]} == {13, 14}  # payment and points get ids never used
    changes = {(c.kind, c.theme_id, c.sources) for c in matched.changes}
    assert (SPLIT, matched.ids[2], (3,)) in changes  # payment was split from login+payment
    assert not any(c.theme_id == matched.ids[3] for c in matched.changes)  # points: simply new


def test_a_theme_that_absorbs_another_says_so():
    previous = per_document({0: range(0, 100), 1: range(100, 140)})
    current = per_document({5: range(0, 140)})  # one theme now holds both
    matched = match_themes(previous, current, next_id=2)
    assert matched.ids == {5: 0}
    assert [(c.kind, c.theme_id, c.sources) for c in matched.changes] == [(MERGED, 0, (1,))]


def test_without_shared_documents_every_theme_is_new():
    matched = match_themes(per_document({0: range(10)}), per_document({0: range(10, 20), 1: range(20, 25)}), 4)
    assert matched.ids == {0: 4, 1: 5} and matched.changes == []


THEMES = pd.DataFrame(
    {
        C.THEME_ID: [7, 3, 13],
        C.LABEL: ["発送予定日：届かない", "エラー：ログインできない", "決済画面：完了しない"],
        C.KEYWORDS: [["配送"], ["ログイン"], ["決済"]],
        C.SIZE: [120, 60, 40],
        C.SUBTOPICS: [[1, 2], [0], [5, 6]],
    }
)


def test_renames_and_merges_are_shown_under_the_target():
    curation = Curation(names={7: "配送遅延", 3: "ログイン・決済"}, merged_into={13: 3})
    shown = curated(THEMES, curation)
    assert shown[C.THEME_ID].tolist() == [7, 3]
    assert shown[C.LABEL].tolist() == ["配送遅延", "ログイン・決済"]
    login = shown.set_index(C.THEME_ID).loc[3]
    assert login[C.SIZE] == 100 and sorted(login[C.SUBTOPICS]) == [0, 5, 6]
    assert curated(THEMES, Curation()).equals(THEMES)  # nothing decided: as fitted


def test_merge_chains_end_at_their_last_target_and_cycles_stop():
    curation = Curation(merged_into={1: 2, 2: 3, 4: 5, 5: 4})
    assert curation.target(1) == 3 and curation.target(3) == 3
    assert curation.target(4) in (4, 5)
