"""Field parsers for exported tickets and reviews: dates as Japanese tools write them, ratings."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from sources.records import shown

TOKYO = timezone(timedelta(hours=9), "Asia/Tokyo")  # Japan has no DST: a fixed offset is exact
_JA_DATE = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*[(（][^)）]*[)）])?\s*(?:(\d{1,2})[時:](\d{1,2})?分?(?::?(\d{1,2})秒?)?)?$"
)
_OUT_OF_FIVE = re.compile(r"^(?:5つ星のうち\s*([\d.]+)|([\d.]+)\s*out of 5(?: stars)?)$", re.IGNORECASE)
_SLASH_DATE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_datetime(value: object) -> datetime:
    """Naive Asia/Tokyo datetime from ISO 8601 (any offset), 2024/01/15 10:00, 2024年1月15日 10時30分,
    Excel datetimes or epoch seconds. Raises ValueError naming the value otherwise."""
    if isinstance(value, datetime):
        return _to_tokyo(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), TOKYO).replace(tzinfo=None)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        raise ValueError("no date")
    for pattern in (_JA_DATE, _SLASH_DATE):
        m = pattern.match(text)
        if m:
            parts = [int(p) if p else 0 for p in m.groups()]
            try:
                year, month, day, hour, minute, second = (parts + [0] * 6)[:6]
                return datetime(year, month, day, hour, minute, second)
            except ValueError as exc:  # 2026/13/40: the shape matched, the calendar did not
                raise ValueError(f"unparsable date {shown(text)} ({exc})") from None
    try:
        return _to_tokyo(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"unparsable date {shown(text)}") from None


def _to_tokyo(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(TOKYO).replace(tzinfo=None)


def parse_rating(value: object) -> float | None:
    """A 1-5 rating (★ strings such as ★★★☆☆ count stars); empty is None; anything else raises."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if set(text) <= {"★", "☆"}:
        return float(text.count("★"))
    # marketplace exports: 「5つ星のうち4.0」, "4.0 out of 5 stars"
    stars = _OUT_OF_FIVE.match(text)
    if stars:
        text = stars.group(1) or stars.group(2)
    try:
        rating = float(text.removesuffix("点").removeprefix("星"))
    except ValueError:
        raise ValueError(f"rating {shown(text)} is not a number") from None
    if not 1 <= rating <= 5:
        raise ValueError(f"rating {rating:g} is outside 1-5")
    return rating
