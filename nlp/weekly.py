"""The weekly complaint summary: volumes, complaint share, topics ranked with week-over-week change,
8-week trends, quotes, and topics new this week. Pure pandas: the report renders what this returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from nlp import columns as C

# per-topic summary columns (beyond columns.TOPIC_COLUMNS)
COUNT, PREVIOUS, CHANGE, CHANGE_PCT, IS_NEW, TREND, QUOTES = (
    "count",
    "previous",
    "change",
    "change_pct",
    "is_new",
    "trend",
    "quotes",
)
CENTRALITY = "centrality"
TREND_WEEKS = 8  # weeks shown in the report's trend charts


@dataclass(frozen=True)
class WeeklySummary:
    week_start: date
    week_end: date  # inclusive (Sunday)
    weeks: list[date]  # trend weeks, oldest first, the reported week last
    total: int
    previous_total: int
    complaint_share: float | None
    previous_complaint_share: float | None
    volumes: pd.DataFrame  # kind, channel, count, previous
    types: pd.DataFrame  # doc_type, count, previous
    type_trend: pd.DataFrame  # index: trend weeks; columns: doc types; values: counts
    topics: pd.DataFrame  # TOPIC_COLUMNS + COUNT..QUOTES, ranked, topics present this week or last

    @property
    def new_topics(self) -> pd.DataFrame:
        return self.topics[self.topics[IS_NEW]]


def _share(frame: pd.DataFrame) -> float | None:
    return float((frame[C.DOC_TYPE] == C.DocType.COMPLAINT).mean()) if len(frame) else None


def _counts(this: pd.DataFrame, prev: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    now = this.groupby(by, dropna=False).size().rename(COUNT)
    before = prev.groupby(by, dropna=False).size().rename(PREVIOUS)
    out = pd.concat([now, before], axis=1).fillna(0).astype(int).reset_index()
    return out.sort_values([COUNT, PREVIOUS], ascending=False, ignore_index=True)


def quotes(members: pd.DataFrame, n: int = 3, quote_chars: tuple[int, int] = (12, 120)) -> list[str]:
    """The `n` most central distinct texts of `members` (with TEXT and CENTRALITY columns), complete
    messages of a quotable length first: the weekly report's and the release report's quotes."""
    lo, hi = quote_chars
    ranked = members.assign(_ok=members[C.TEXT].str.len().between(lo, hi)).sort_values(
        ["_ok", CENTRALITY], ascending=False
    )
    return list(dict.fromkeys(ranked[C.TEXT]))[:n]


def _is_new(count: int, earlier: int, min_count: int) -> bool:
    """New: clearly present this week, (almost) absent in every earlier week of the window."""
    return count >= min_count and earlier <= 0.1 * count


def summarize_week(
    docs: pd.DataFrame,
    topic: pd.Series,
    centrality: pd.Series,
    topics: pd.DataFrame,
    week_start: date,
    trend_weeks: int = TREND_WEEKS,
    n_quotes: int = 3,
    min_new: int = 3,
    quote_chars: tuple[int, int] = (12, 120),
) -> WeeklySummary:
    """`topic`/`centrality` are aligned with `docs` (NaN for documents outside the topic model)."""
    day = docs[C.CREATED_AT].dt.normalize()
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    frame = docs.assign(**{C.WEEK: week, C.TOPIC: topic.to_numpy(), CENTRALITY: centrality.to_numpy()})
    prev_start = week_start - timedelta(days=7)
    this, prev = frame[frame[C.WEEK] == week_start], frame[frame[C.WEEK] == prev_start]
    weeks = [week_start - timedelta(days=7 * k) for k in range(trend_weeks - 1, -1, -1)]

    rows = []
    for t in topics.to_dict("records"):
        members = frame[frame[C.TOPIC] == t[C.TOPIC_ID]]
        per_week = members.groupby(C.WEEK).size()
        count, previous = int(per_week.get(week_start, 0)), int(per_week.get(prev_start, 0))
        if count == 0 and previous == 0:
            continue
        earlier = int(per_week[per_week.index < week_start].sum())
        rows.append(
            {
                **t,
                COUNT: count,
                PREVIOUS: previous,
                CHANGE: count - previous,
                CHANGE_PCT: (count - previous) / previous if previous else None,
                IS_NEW: _is_new(count, earlier, min_new),
                TREND: [int(per_week.get(w, 0)) for w in weeks],
                QUOTES: quotes(members[members[C.WEEK] == week_start], n_quotes, quote_chars),
            }
        )
    columns = [*C.TOPIC_COLUMNS, COUNT, PREVIOUS, CHANGE, CHANGE_PCT, IS_NEW, TREND, QUOTES]
    ranked = pd.DataFrame(rows, columns=columns)
    if len(ranked):
        ranked = ranked.sort_values([COUNT, CHANGE], ascending=False, ignore_index=True)
        # no previous week means no percentage: keep None, not NaN that would print as "nan%"
        ranked[CHANGE_PCT] = ranked[CHANGE_PCT].astype(object).where(ranked[CHANGE_PCT].notna(), None)
    return WeeklySummary(
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        weeks=weeks,
        total=len(this),
        previous_total=len(prev),
        complaint_share=_share(this),
        previous_complaint_share=_share(prev),
        volumes=_counts(this, prev, [C.KIND, C.CHANNEL]),
        types=_counts(this, prev, [C.DOC_TYPE]),
        type_trend=frame.groupby([C.WEEK, C.DOC_TYPE]).size().unstack(fill_value=0).reindex(weeks, fill_value=0),
        topics=ranked,
    )


def aligned(values: np.ndarray, index: pd.Index, positions: np.ndarray) -> pd.Series:
    """A Series over `index` with `values` at `positions` and NaN elsewhere."""
    out = pd.Series(np.nan, index=index, dtype=float)
    out.iloc[positions] = values
    return out
