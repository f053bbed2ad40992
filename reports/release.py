"""The release impact report: which complaint themes and subtopics rose after a launch or redesign, by how
much, how sure. Both levels are tested with one correction (nlp.spikes.joint); themes are listed first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup

from nlp import columns as C
from nlp import spikes as S
from reports import charts
from reports.render import write
from reports.weekly import md_escape, rise_drivers

KIND_NAMES = {
    "launch": "発売",
    "redesign": "リニューアル",
    "campaign": "キャンペーン",
    "incident": "障害",
    "other": "リリース",
}


@dataclass(frozen=True)
class ReleaseInfo:
    name: str
    kind: str | None
    start: datetime
    area: str | None = None


def after_phrase(release: ReleaseInfo) -> str:
    """「リニューアル後、」 for a known release, 「2026-10-19以降、」 for a bare date."""
    return f"{KIND_NAMES.get(release.kind, 'リリース')}後、" if release.kind else f"{release.start:%Y-%m-%d}以降、"


def plain_line(release: ReleaseInfo, label: str, row: pd.Series) -> str:
    """One sentence a release owner can paste into a chat."""
    lead = f"{after_phrase(release)}{label}の苦情が"
    if row[S.IS_NEW] or not np.isfinite(row[S.RATE_RATIO]):
        return f"{lead}新たに発生（前 {row[S.PRE]}件 → 後 {row[S.POST]}件, {S.format_q(row[S.Q_VALUE])}）"
    if row[S.POST] == 0:
        return f"{lead}見られなくなりました（前 {row[S.PRE]}件 → 後 0件, {S.format_q(row[S.Q_VALUE])}）"
    return f"{lead}{S.format_ratio(row)}" + ("に減少" if row[S.RATE_RATIO] < 1 else "")


LEVEL_NAMES = {S.THEME: "テーマ", S.TOPIC: "サブトピック"}


@dataclass(frozen=True)
class Level:
    """What the report shows of one level's tests: names (index: id; LABEL, KEYWORDS), day x id complaint
    counts, and the quotes after the release per id."""

    described: pd.DataFrame
    counts: pd.DataFrame
    quotes: dict[int, list[str]]


def _subtopics(level: str, described: pd.Series) -> list[int]:
    return list(described[C.SUBTOPICS]) if level == S.THEME and C.SUBTOPICS in described.index else []


def _fmt(value: float, digits: int = 2) -> str:
    return "∞" if not np.isfinite(value) else f"{value:.{digits}f}"


def build_context(
    release: ReleaseInfo,
    win: S.Windows,
    result: pd.DataFrame,
    levels: dict[str, Level],
    *,
    generated_at: datetime | None = None,
    notes: list[str] | None = None,
) -> dict:
    """`result` from nlp.spikes.joint (a LEVEL column; without it every row is a subtopic's test);
    `levels` by level name."""
    subtopic_labels = levels[S.TOPIC].described[C.LABEL] if S.TOPIC in levels else pd.Series(dtype=object)
    rows = []
    for r in result.to_dict("records"):
        row = pd.Series(r)
        level = r.get(S.LEVEL, S.TOPIC)
        shown, key = levels[level], int(r[S.TOPIC_ID])
        described = shown.described.loc[key]
        days = [d for d in shown.counts.index if win.pre_start <= d < win.post_end]
        new = bool(r[S.IS_NEW]) or not np.isfinite(r[S.RATE_RATIO])
        # the 95% interval is per test; q corrects for testing every theme and subtopic at once, so both can disagree
        ci_only = not r[S.SIGNIFICANT] and (r[S.CI_LOW] > 1 or r[S.CI_HIGH] < 1)
        rows.append(
            {
                "id": key,
                "anchor": f"{level}-{key}",
                "level": level,
                "level_name": LEVEL_NAMES[level],
                "label": described[C.LABEL],
                "keywords": described[C.KEYWORDS],
                "pre": r[S.PRE],
                "post": r[S.POST],
                "pre_per_day": f"{r[S.PRE_RATE]:.1f}",
                "post_per_day": f"{r[S.POST_RATE]:.1f}",
                # absent before: no finite ratio, say what happened instead of 「∞倍 ・ CI 0.00–∞」
                "ratio": f"新規（前 {r[S.PRE]}件 → 後 {r[S.POST]}件）" if new else f"{_fmt(r[S.RATE_RATIO])}倍",
                "ci": "—" if new else f"{_fmt(r[S.CI_LOW])}–{_fmt(r[S.CI_HIGH])}",
                "ci_only": bool(ci_only),
                "q": S.format_q(r[S.Q_VALUE]).removeprefix("q").removeprefix("="),
                "method": r[S.METHOD],
                "significant": bool(r[S.SIGNIFICANT]),
                "rose": bool(r[S.SIGNIFICANT] and r[S.RATE_RATIO] > 1),
                "is_new": new,
                "line": plain_line(release, described[C.LABEL], row),
                # which subtopics carry a theme's rise, as in the weekly report's spike table
                "drivers": rise_drivers(result, _subtopics(level, described), subtopic_labels, days=win.post_days),
                "quotes": shown.quotes.get(key, []),
                "chart": charts.daily_timeline(
                    days, [int(shown.counts.at[d, key]) for d in days], win.release_day, "リリース"
                ),
            }
        )
    rows.sort(key=lambda r: r["level"] != S.THEME)  # stable: themes first, each level in the result's order
    return {
        "title": f"リリース影響レポート: {release.name}",
        "release": {
            "name": release.name,
            "kind": KIND_NAMES.get(release.kind, "—") if release.kind else "日付指定",
            "start": f"{release.start:%Y-%m-%d %H:%M}",
            "area": release.area or "—",
        },
        "pre": f"{win.pre_start} 〜 {win.release_day - timedelta(days=1)}（データのある {win.pre_days}日）",
        "post": f"{win.release_day} 〜 {win.post_end - timedelta(days=1)}（データのある {win.post_days}日）",
        "shortened": win.shortened,
        "rose": [r for r in rows if r["rose"]],
        "ci_only": any(r["ci_only"] for r in rows),
        "others": [r for r in rows if not r["rose"]],
        "generated_at": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "notes": notes or [],
        "plotly_js": Markup(charts.plotly_js()),
    }


def write_html(context: dict, path: Path) -> Path:
    return write("release.html.j2", context, path)


def markdown_digest(context: dict, path: Path) -> str:
    lines = [f"# リリース影響: {md_escape(context['release']['name'])}", "", f"- レポート: `{path}`"]
    lines += [
        f"- {md_escape(r['line'])}"
        + (f"（主な増加: {md_escape('、'.join(r['drivers']))}）" if r.get("drivers") else "")
        for r in context["rose"]
    ] or ["- 有意に増えた苦情はありません"]
    return "\n".join(lines)
