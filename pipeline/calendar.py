"""Calendar and window arithmetic, in one place: Monday-Sunday weeks of Asia/Tokyo days, end dates exclusive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Span:
    """Days from `start` (inclusive) to `end` (exclusive)."""

    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """created_at bounds of the span: start <= created_at < end (midnights)."""
        return datetime.combine(self.start, datetime.min.time()), datetime.combine(self.end, datetime.min.time())

    def mask(self, created_at: pd.Series) -> np.ndarray:
        """Per document: created within the span."""
        day = created_at.dt.date
        return ((day >= self.start) & (day < self.end)).to_numpy()


def week_start(day: date) -> date:
    """Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())


def last_complete_week(today: date) -> date:
    """Monday of the last week that has ended before `today`."""
    return week_start(today) - WEEK


def last_complete_data_week(newest: datetime) -> date:
    """Monday of the last Monday-Sunday week that data ending at `newest` covers completely."""
    monday = week_start(newest.date())
    return monday if newest.date() >= monday + timedelta(days=6) else monday - WEEK


def reported_week(asked: date | None, last_data_week: date | None, today: date) -> date:
    """The week a report covers: the one asked for, else the last complete week, or the last complete week
    of the data when the data ends earlier (a report of a week without data would show nothing)."""
    if asked:
        return week_start(asked)
    calendar = last_complete_week(today)
    return min(calendar, last_data_week) if last_data_week else calendar


def week_window(week: date, history_weeks: int) -> Span:
    """The reported week (starting `week`) and `history_weeks` weeks before it."""
    return Span(week - history_weeks * WEEK, week + WEEK)


def faq_periods(week: date, weeks: int) -> tuple[Span, Span]:
    """(the period, the period before it): `weeks` weeks up to and including the week starting `week`, and
    as many weeks before, the growth baseline."""
    start = week - (weeks - 1) * WEEK
    return Span(start, week + WEEK), Span(start - weeks * WEEK, start)


def release_window(day: date, pre_days: int, post_days: int) -> Span:
    """The days a release check loads: `pre_days` before the release day, `post_days` from it."""
    return Span(day - timedelta(days=pre_days), day + timedelta(days=post_days))
