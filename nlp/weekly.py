"""The weekly complaint summary: volumes, complaint share, themes and their subtopics ranked by this week's
complaints with week-over-week change, 8-week trends, quotes, the type mix of every message in them, and
topics new this week. Pure pandas: the report renders what this returns.

Every message is modelled (one taxonomy, issue #13): a theme's counts, trend and quotes are its
complaints; its type mix says what else customers wrote about it (questions, requests, praise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from nlp import columns as C
from nlp.vector_text import distinct_quotes, products_of

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
TYPE_MIX = "type_mix"  # this week's messages of the topic per document type, {type: count}, in DocType order
PRODUCTS = "products"  # this week's complaints per product, the top ones: [(product, count)], most first
TOP_PRODUCTS = 3
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
    topics: pd.DataFrame  # TOPIC_COLUMNS + COUNT..QUOTES + TYPE_MIX, ranked, with complaints this week or last
    themes: pd.DataFrame  # THEME_COLUMNS + the same, ranked; SUBTOPICS keeps only topics listed in `topics`

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
    messages of a quotable length first, without detail-only sentences or a second wording of one quote
    (nlp.vector_text): the weekly report's and the release report's quotes."""
    lo, hi = quote_chars
    ranked = members.assign(_ok=members[C.TEXT].str.len().between(lo, hi)).sort_values(
        ["_ok", CENTRALITY], ascending=False
    )
    return distinct_quotes(ranked[C.TEXT], products_of(ranked), n)


def _is_new(count: int, earlier: int, min_count: int) -> bool:
    """New: clearly present this week, (almost) absent in every earlier week of the window."""
    return count >= min_count and earlier <= 0.1 * count


@dataclass(frozen=True)
class Ranking:
    """How topics and themes are ranked and quoted: the week, its trend weeks and the quoting rules."""

    week_start: date
    weeks: list[date]
    n_quotes: int = 3
    min_new: int = 3
    quote_chars: tuple[int, int] = (12, 120)

    def rank(self, frame: pd.DataFrame, key: str, described: pd.DataFrame, id_column: str) -> pd.DataFrame:
        """`described` rows (ids in `id_column`, matched against `frame[key]`) with this week's complaint count,
        last week's, the change, newness, trend and quotes, and this week's type mix; rows with no complaint
        this week or last are left out; largest count first."""
        prev_start = self.week_start - timedelta(days=7)
        complaints = frame[frame[C.DOC_TYPE] == C.DocType.COMPLAINT]
        groups = {k: g for k, g in complaints.groupby(key)}
        mix = frame[frame[C.WEEK] == self.week_start].groupby([key, C.DOC_TYPE]).size()
        rows = []
        for t in described.to_dict("records"):
            members = groups.get(t[id_column], complaints.iloc[:0])
            per_week = members.groupby(C.WEEK).size()
            count, previous = int(per_week.get(self.week_start, 0)), int(per_week.get(prev_start, 0))
            if count == 0 and previous == 0:
                continue
            earlier = int(per_week[per_week.index < self.week_start].sum())
            rows.append(
                {
                    **t,
                    COUNT: count,
                    PREVIOUS: previous,
                    CHANGE: count - previous,
                    CHANGE_PCT: (count - previous) / previous if previous else None,
                    IS_NEW: _is_new(count, earlier, self.min_new),
                    TREND: [int(per_week.get(w, 0)) for w in self.weeks],
                    QUOTES: quotes(members[members[C.WEEK] == self.week_start], self.n_quotes, self.quote_chars),
                    PRODUCTS: _top_products(members[members[C.WEEK] == self.week_start]),
                    TYPE_MIX: {str(d): int(mix[(t[id_column], d)]) for d in C.DocType if (t[id_column], d) in mix},
                }
            )
        ranked = pd.DataFrame(rows, columns=[*described.columns, *SUMMARY_COLUMNS])
        if len(ranked):
            ranked = ranked.sort_values([COUNT, CHANGE], ascending=False, ignore_index=True)
            # no previous week means no percentage: keep None, not NaN that would print as "nan%"
            ranked[CHANGE_PCT] = ranked[CHANGE_PCT].astype(object).where(ranked[CHANGE_PCT].notna(), None)
        return ranked


SUMMARY_COLUMNS = (COUNT, PREVIOUS, CHANGE, CHANGE_PCT, IS_NEW, TREND, QUOTES, TYPE_MIX, PRODUCTS)


def _top_products(complaints: pd.DataFrame) -> list[tuple[str, int]]:
    """Which products drive a theme this week: product names never name a theme (nlp/names.py), so they
    are counted here instead; ties by name, so the list is the same run after run."""
    counts = complaints[C.PRODUCT].dropna().astype(str).value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PRODUCTS]
    return [(name, int(n)) for name, n in ranked if n > 1 or len(counts) == 1]


THEME = "theme"  # per-document theme id in the summary's frame


def summarize_week(
    docs: pd.DataFrame,
    topic: pd.Series,
    centrality: pd.Series,
    topics: pd.DataFrame,
    week_start: date,
    themes: pd.DataFrame | None = None,
    trend_weeks: int = TREND_WEEKS,
    n_quotes: int = 3,
    min_new: int = 3,
    quote_chars: tuple[int, int] = (12, 120),
) -> WeeklySummary:
    """`topic`/`centrality` are aligned with `docs` (NaN for documents outside the topic model); `themes`
    (THEME_COLUMNS) group the topics, ranked the same way, each with the subtopics that are listed."""
    day = docs[C.CREATED_AT].dt.normalize()
    week = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    themes = themes if themes is not None else pd.DataFrame(columns=list(C.THEME_COLUMNS))
    theme_of = {t: row[C.THEME_ID] for row in themes.to_dict("records") for t in row[C.SUBTOPICS]}
    frame = docs.assign(
        **{
            C.WEEK: week,
            C.TOPIC: topic.to_numpy(),
            THEME: topic.map(theme_of).to_numpy(),
            CENTRALITY: centrality.to_numpy(),
        }
    )
    prev_start = week_start - timedelta(days=7)
    this, prev = frame[frame[C.WEEK] == week_start], frame[frame[C.WEEK] == prev_start]
    weeks = [week_start - timedelta(days=7 * k) for k in range(trend_weeks - 1, -1, -1)]
    ranking = Ranking(week_start, weeks, n_quotes, min_new, quote_chars)
    ranked = ranking.rank(frame, C.TOPIC, topics, C.TOPIC_ID)
    ranked_themes = _with_subtopics(ranking.rank(frame, THEME, themes, C.THEME_ID), ranked, n_quotes)
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
        themes=ranked_themes,
    )


def _with_subtopics(themes: pd.DataFrame, topics: pd.DataFrame, n_quotes: int) -> pd.DataFrame:
    """Themes with their listed subtopics in the subtopics' ranking order, quoted by the first quote of each
    of their leading subtopics: a theme's own centrality does not exist (documents are close to their
    subtopic's centroid), and the demo's delivery theme was quoted with a cart complaint its most central
    documents happened to include."""
    order = {t: rank for rank, t in enumerate(topics[C.TOPIC_ID])}
    first_quotes = {t: q[0] for t, q in zip(topics[C.TOPIC_ID], topics[QUOTES], strict=True) if q}
    subtopics = themes[C.SUBTOPICS].map(lambda ts: sorted((t for t in ts if t in order), key=order.__getitem__))
    quoted = [  # then the theme's own most central quotes, when it has fewer subtopics than quotes
        list(dict.fromkeys([*(first_quotes[t] for t in ts if t in first_quotes), *own]))[:n_quotes]
        for ts, own in zip(subtopics, themes[QUOTES], strict=True)
    ]
    return themes.assign(**{C.SUBTOPICS: subtopics, QUOTES: quoted})


def aligned(values: np.ndarray, index: pd.Index, positions: np.ndarray) -> pd.Series:
    """A Series over `index` with `values` at `positions` and NaN elsewhere."""
    out = pd.Series(np.nan, index=index, dtype=float)
    out.iloc[positions] = values
    return out
