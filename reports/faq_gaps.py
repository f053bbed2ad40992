"""FAQ-gap suggestions for people: rows for the report section, a CSV a CS lead can sort and hand on, and
plain lines for the terminal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp import faq_gaps as G
from reports.csv import write_excel_csv

DRAFT_MARK = "【下書き・要確認】"  # an agent reply is a starting point, never a published answer
SHOWN_IN_REPORT = 10
KIND_LABELS = {G.Kind.NEW: "新規", G.Kind.REWORD: "書き直し"}


def gap_rows(suggestions: pd.DataFrame, top: int = SHOWN_IN_REPORT) -> list[dict]:
    """The report section's entries: suggestions worth acting on (score > 0), best first."""
    worth = suggestions[suggestions[G.SCORE] > 0].head(top)
    return [
        {
            "rank": rank,
            "kind": str(s[G.KIND]),
            "kind_label": KIND_LABELS[G.Kind(s[G.KIND])],
            "question": s[G.PROPOSED_QUESTION],
            "label": s[G.LABEL],
            "category": s[G.CATEGORY],
            "volume": s[G.VOLUME],
            "previous": s[G.PREVIOUS],
            "complaints": f"{s[G.COMPLAINT_SHARE]:.0%}",
            "examples": s[G.EXAMPLES][:5],
            "nearest": s[G.NEAREST_FAQ],
            "nearest_score": f"{s[G.NEAREST_SCORE]:.2f}",
            "draft": s[G.DRAFT_ANSWER],
        }
        for rank, s in enumerate(worth.to_dict("records"), start=1)
    ]


def gaps_frame(suggestions: pd.DataFrame) -> pd.DataFrame:
    s = suggestions
    return pd.DataFrame(
        {
            "rank": range(1, len(s) + 1),
            "kind": s[G.KIND].map(lambda k: KIND_LABELS[G.Kind(k)]),
            "proposed_question": s[G.PROPOSED_QUESTION],
            "category": s[G.CATEGORY],
            "topic": s[G.LABEL],
            "volume": s[G.VOLUME],
            "previous": s[G.PREVIOUS],
            "complaint_share": s[G.COMPLAINT_SHARE].round(3),
            "coverage": s[G.COVERAGE].round(3),
            "score": s[G.SCORE].round(2),
            "nearest_faq": s[G.NEAREST_FAQ],
            "nearest_score": s[G.NEAREST_SCORE].round(3),
            "examples": s[G.EXAMPLES].map(" / ".join),
            "draft_answer": s[G.DRAFT_ANSWER].map(lambda d: None if d is None else DRAFT_MARK + d),
        }
    )


def csv_name(week: object) -> str:
    """One name for the FAQ-gap CSV, whether the weekly run or `koe faq gaps` writes it."""
    return f"faq-gaps-{week}.csv"


def write_gaps_csv(suggestions: pd.DataFrame, path: Path) -> Path:
    return write_excel_csv(gaps_frame(suggestions), path)


def plain_lines(suggestions: pd.DataFrame, top: int = SHOWN_IN_REPORT) -> list[str]:
    """One line per suggestion for the terminal: rank, question, volume, nearest entry."""
    return [
        f"{r['rank']:>2}. 【{r['kind_label']}】{r['question']}  [{r['category']}]"
        f" {r['volume']}件（前期間 {r['previous']}件）"
        + (
            f" ・ 回答に使われているFAQ: {r['nearest']}"
            if r["kind"] == G.Kind.REWORD
            else f" ・ 最も近いFAQ: {r['nearest'] or '—'}（{r['nearest_score']}）"
        )
        for r in gap_rows(suggestions, top)
    ]
