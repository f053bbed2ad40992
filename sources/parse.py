"""Field parsers for exported tickets and reviews: dates as Japanese tools write them, ratings."""

from __future__ import annotations

import math
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


EARLIEST, LATEST = datetime(1990, 1, 1), datetime(2100, 1, 1)  # a customer message outside these is a bad value


def parse_datetime(value: object) -> datetime:
    """Naive Asia/Tokyo datetime from ISO 8601 (any offset), 2024/01/15 10:00, 2024年1月15日 10時30分,
    Excel datetimes or epoch seconds, between 1990 and 2100. Raises ValueError naming the value otherwise
    (9999-12-31T23:59:59-01:00 overflowed on conversion and an epoch of 1e20 crashed the whole file)."""
    try:
        parsed = _parse_datetime(value)
    except (OverflowError, OSError):  # out of the platform's range: no date a customer wrote
        raise ValueError(f"date {shown(value)} is out of range") from None
    if not EARLIEST <= parsed < LATEST:
        raise ValueError(f"date {parsed:%Y-%m-%d} is outside {EARLIEST:%Y}-{LATEST:%Y}")
    return parsed


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return _to_tokyo(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"date {value} is not a number")
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
        text = str(text.count("★"))  # ☆☆☆☆☆ is 0 stars, ★★★★★★ six: both outside 1-5 below
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
