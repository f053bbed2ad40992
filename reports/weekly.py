"""The weekly complaint report: context from a WeeklySummary, the HTML page, the topics CSV, a markdown digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from nlp import columns as C
from nlp import spikes as S
from nlp import weekly as W
from nlp.faq_gaps import PROPOSED_QUESTION as FAQ_QUESTION
from reports import charts
from reports.csv import write_excel_csv
from reports.render import write

CHANNEL_NAMES = {"mail": "メール", "chat": "チャット", "line": "LINE", "form": "フォーム", "review": "レビュー"}
KIND_NAMES = {"ticket": "問い合わせ", "review": "レビュー"}
DETAILED_TOPICS = 15
DETAILED_THEMES = 20  # themes are at most 20 (nlp.themes.ThemeConfig): each gets its chart


def _type_rows(summary: W.WeeklySummary) -> list[dict]:
    return [
        {
            "name": charts.TYPE_NAMES.get(r[C.DOC_TYPE], r[C.DOC_TYPE]),
            "count": r[W.COUNT],
            "previous": r[W.PREVIOUS],
            "change": r[W.COUNT] - r[W.PREVIOUS],
        }
        for r in summary.types.to_dict("records")
    ]


def _volume_rows(summary: W.WeeklySummary) -> list[dict]:
    return [
        {
            "kind": KIND_NAMES.get(r[C.KIND], r[C.KIND]),
            "channel": CHANNEL_NAMES.get(r[C.CHANNEL], r[C.CHANNEL]) if isinstance(r[C.CHANNEL], str) else "不明",
            "count": r[W.COUNT],
            "previous": r[W.PREVIOUS],
            "change": r[W.COUNT] - r[W.PREVIOUS],
        }
        for r in summary.volumes.to_dict("records")
    ]


def _type_mix(mix: dict[str, int]) -> str:
    """「苦情 12・質問 5・要望 2」: what customers wrote about a theme this week, by type."""
    return "・".join(f"{charts.TYPE_NAMES.get(t, t)} {n}" for t, n in mix.items() if n)


def _products(top: list[tuple[str, int]]) -> str:
    """「リネンシャツ（5件）・土鍋 8号（3件）」: the products most of a theme's complaints this week are about
    (a count after a bare space ran into names that end in a number)."""
    return "・".join(f"{product}（{n}件）" for product, n in top)


def _ranked_rows(frame: pd.DataFrame, id_column: str, weeks: list, charted: int) -> list[dict]:
    rows = []
    for rank, t in enumerate(frame.to_dict("records"), start=1):
        rows.append(
            {
                "rank": rank,
                "id": t[id_column],
                "label": t[C.LABEL],
                "keywords": t[C.KEYWORDS],
                "representative": t.get(C.REPRESENTATIVE, ""),
                "count": t[W.COUNT],
                "previous": t[W.PREVIOUS],
                "change": t[W.CHANGE],
                "change_pct": t[W.CHANGE_PCT],
                "is_new": bool(t[W.IS_NEW]),
                "quotes": t[W.QUOTES],
                "type_mix": _type_mix(t[W.TYPE_MIX]),
                "products": _products(t[W.PRODUCTS]),
                "chart": charts.topic_trend(weeks, t[W.TREND]) if rank <= charted else None,
                "subtopics": t.get(C.SUBTOPICS, []),
            }
        )
    return rows


def _theme_rows(summary: W.WeeklySummary, topics: list[dict]) -> list[dict]:
    """Themes, each holding its subtopics' rows (largest first); without themes (a summary made without
    them) every topic stands alone."""
    if summary.themes.empty:
        return [{**t, "anchor": f"topic-{t['id']}", "subtopics": []} for t in topics]
    by_id = {t["id"]: t for t in topics}
    themes = _ranked_rows(summary.themes, C.THEME_ID, summary.weeks, DETAILED_THEMES)
    for theme in themes:
        theme["anchor"] = f"theme-{theme['id']}"
        theme["subtopics"] = sorted((by_id[t] for t in theme["subtopics"] if t in by_id), key=lambda t: t["rank"])
    return themes


LEVEL_NAMES = {S.THEME: "テーマ", S.TOPIC: "サブトピック"}


def spike_rows(result: pd.DataFrame, topics: pd.DataFrame, themes: pd.DataFrame, releases: list[str]) -> list[dict]:
    """Significant weekly rises (nlp.spikes.joint over themes and subtopics) with their names and the
    releases that started shortly before the week (the same for every spike of the week)."""
    labels = {
        S.TOPIC: topics.set_index(C.TOPIC_ID)[C.LABEL],
        S.THEME: themes.set_index(C.THEME_ID)[C.LABEL],
    }
    subtopics = themes.set_index(C.THEME_ID)[C.SUBTOPICS] if not themes.empty else pd.Series(dtype=object)
    rows = []
    for r in result[result[S.SIGNIFICANT]].to_dict("records"):
        level = r.get(S.LEVEL, S.TOPIC)
        under = subtopics.get(r[S.TOPIC_ID], []) if level == S.THEME else []
        rows.append(
            {
                "id": int(r[S.TOPIC_ID]),
                "level": level,
                "level_name": LEVEL_NAMES[level],
                "anchor": f"{level}-{int(r[S.TOPIC_ID])}",
                "label": labels[level][r[S.TOPIC_ID]],
                "count": r[S.POST],
                "baseline": f"{r[S.PRE_RATE] * 7:.1f}",
                "ratio": S.format_ratio(pd.Series(r)),
                "releases": releases,
                "drivers": rise_drivers(result, under, labels[S.TOPIC]),
            }
        )
    return rows


def rise_drivers(
    result: pd.DataFrame, subtopics: list[int], labels: pd.Series, top: int = 3, days: float = 7
) -> list[str]:
    """The subtopics that carry a theme's rise, 「ポイント：付かない +15」, largest first: the complaints each
    had over its usual rate in the `days` tested (a week; the release check's post-release days). A theme's
    name is that of its biggest subtopics, and on the demo the points outage rose inside 「エラー：ログイン
    できない」 while its login subtopics fell (issue #13: the theme-level test alone read as a login spike)."""
    if S.LEVEL not in result.columns or not len(subtopics):
        return []
    tests = result[(result[S.LEVEL] == S.TOPIC) & result[S.TOPIC_ID].isin(subtopics)]
    excess = (tests[S.POST] - tests[S.PRE_RATE] * days).round().astype(int)  # over the usual rate
    ranked = excess[excess > 0].sort_values(ascending=False, kind="stable")
    return [f"{labels[tests.at[i, S.TOPIC_ID]]} +{n}" for i, n in ranked.head(top).items()]


def build_context(
    summary: W.WeeklySummary,
    *,
    shop: str = "",
    generated_at: datetime | None = None,
    notes: list[str] | None = None,
    spikes: list[dict] | None = None,
    faq_gaps: list[dict] | None = None,
    faq_period: str = "",
    faq_notes: list[str] | None = None,
) -> dict:
    share, prev_share = summary.complaint_share, summary.previous_complaint_share
    topics = _ranked_rows(summary.topics, C.TOPIC_ID, summary.weeks, 0 if len(summary.themes) else DETAILED_TOPICS)
    themes = _theme_rows(summary, topics)
    return {
        "title": f"週次 苦情レポート {summary.week_start:%Y-%m-%d} 〜 {summary.week_end:%Y-%m-%d}",
        "shop": shop,
        "week_start": summary.week_start,
        "week_end": summary.week_end,
        "generated_at": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "total": summary.total,
        "previous_total": summary.previous_total,
        "complaint_share": share,
        "previous_complaint_share": prev_share,
        "share_change_pt": None if share is None or prev_share is None else (share - prev_share) * 100,
        "types": _type_rows(summary),
        "volumes": _volume_rows(summary),
        "themes": themes,
        "new_topics": [t for t in topics if t["is_new"]],
        # topics listed for their fall from last week have no complaint this week: not this week's topics
        "topics_this_week": sum(1 for t in topics if t["count"] > 0),
        "themes_this_week": sum(1 for t in themes if t["count"] > 0),
        "type_chart": charts.type_trend(
            summary.weeks, {str(c): [int(v) for v in summary.type_trend[c]] for c in summary.type_trend.columns}
        ),
        "notes": notes or [],
        "spikes": spikes or [],
        "faq_gaps": faq_gaps or [],
        "faq_period": faq_period,
        "faq_notes": faq_notes or [],
        # plotly.js is library code we ship, not customer text: the only Markup in the page
        "plotly_js": Markup(charts.plotly_js()),
    }


def write_html(context: dict, path: Path) -> Path:
    return write("weekly.html.j2", context, path)


def topics_frame(summary: W.WeeklySummary) -> pd.DataFrame:
    """The CSV's rows: each theme (level テーマ) followed by its subtopics (サブトピック), ranked as in the
    report; without themes, the subtopics alone."""
    topics = {t[C.TOPIC_ID]: t for t in summary.topics.to_dict("records")}
    rows: list[dict] = []
    if summary.themes.empty:
        rows = [_csv_row(rank, "サブトピック", None, t) for rank, t in enumerate(topics.values(), start=1)]
    for rank, theme in enumerate(summary.themes.to_dict("records"), start=1):
        rows.append(_csv_row(rank, "テーマ", theme[C.THEME_ID], theme))
        rows += [_csv_row(rank, "サブトピック", theme[C.THEME_ID], topics[t]) for t in theme[C.SUBTOPICS]]
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    # ids are whole numbers; a theme row has no topic id, and a column with a gap became floats: 「57.0」
    return frame.astype({"theme_id": "Int64", "topic_id": "Int64"})


CSV_COLUMNS = ["rank", "level", "theme_id", "topic_id", "label", "keywords", "count", "previous", "change",
               "change_pct", "is_new", "trend", "type_mix", "products", "representative"]  # fmt: skip


def _csv_row(rank: int, level: str, theme_id: object, t: dict) -> dict:
    return {
        "rank": rank,
        "level": level,
        "theme_id": theme_id,
        "topic_id": t.get(C.TOPIC_ID),
        "label": t[C.LABEL],
        "keywords": "、".join(t[C.KEYWORDS]),
        "count": t[W.COUNT],
        "previous": t[W.PREVIOUS],
        "change": t[W.CHANGE],
        "change_pct": None if t[W.CHANGE_PCT] is None else round(t[W.CHANGE_PCT], 3),
        "is_new": t[W.IS_NEW],
        "trend": " ".join(map(str, t[W.TREND])),
        "type_mix": _type_mix(t[W.TYPE_MIX]),
        "products": _products(t[W.PRODUCTS]),
        "representative": t.get(C.REPRESENTATIVE) or next(iter(t[W.QUOTES]), ""),
    }


def write_csv(summary: W.WeeklySummary, path: Path) -> Path:
    return write_excel_csv(topics_frame(summary), path)


def notification(summary: W.WeeklySummary, report_path: Path | str, top: int = 3) -> tuple[str, str]:
    """(title, body) of the message after a weekly run: the top complaint topics and where the report is.
    Plain text for any channel (Slack, mail ...); < > & become full-width so no service reads markup in
    customer-derived labels."""
    share = "—" if summary.complaint_share is None else f"{summary.complaint_share:.1%}"
    lines = [f"件数 {summary.total}（前週 {summary.previous_total}） ・ 苦情の割合 {share}", "", "上位の苦情テーマ:"]
    for rank, t in enumerate(_leading(summary).head(top).to_dict("records"), start=1):
        new = "（新規）" if t[W.IS_NEW] else ""
        lines.append(f"{rank}. {_plain(t[C.LABEL])}{new} — {t[W.COUNT]}件（前週比 {t[W.CHANGE]:+d}）")
    if summary.topics.empty:
        lines.append("（今週は苦情のあるテーマがありません）")
    lines += ["", f"レポート: {report_path}"]
    return f"koe 週次苦情レポート {summary.week_start} 〜 {summary.week_end}", "\n".join(lines)


def summary_lines(summary: W.WeeklySummary, spikes: list[dict], faq_gaps: pd.DataFrame, top: int = 3) -> list[str]:
    """The end of a weekly run in a terminal or a run log: volumes, this week's significant rises, new
    topics, the top FAQ gaps (the report path follows on its own line)."""
    share = "—" if summary.complaint_share is None else f"{summary.complaint_share:.1%}"
    lines = [
        f"週次レポート {summary.week_start:%Y-%m-%d} 〜 {summary.week_end:%Y-%m-%d}: 問い合わせ・レビュー "
        f"{summary.total}件（前週 {summary.previous_total}件）、苦情の割合 {share}"
    ]
    rising = [f"{_plain(s['label'])}（{s['count']}件）" for s in spikes[:top]]
    lines.append("急増: " + ("、".join(rising) if rising else "なし"))
    new = summary.new_topics
    new_labels = [f"{_plain(t[C.LABEL])}（{t[W.COUNT]}件）" for t in new.head(top).to_dict("records")]
    lines.append("新しい苦情: " + ("、".join(new_labels) if new_labels else "なし"))
    if len(faq_gaps):
        questions = [_plain(q) for q in faq_gaps[FAQ_QUESTION].head(top)]
        lines.append("FAQ に足りない質問: " + " / ".join(questions))
    return lines


def _leading(summary: W.WeeklySummary) -> pd.DataFrame:
    """What a summary leads with: the themes, or the subtopics of a summary made without themes."""
    return summary.topics if summary.themes.empty else summary.themes


def _plain(text: object) -> str:
    return str(text).translate(str.maketrans("<>&", "＜＞＆"))


def md_escape(text: object) -> str:
    """Markdown-safe: customer words must not become links, tables or HTML in the Prefect UI."""
    out = str(text)
    for ch in "\\`*_{}[]()<>#|!":
        out = out.replace(ch, "\\" + ch)
    return out


def markdown_digest(summary: W.WeeklySummary, report_path: Path, top: int = 5) -> str:
    share = "—" if summary.complaint_share is None else f"{summary.complaint_share:.1%}"
    lines = [
        f"# 週次苦情レポート {summary.week_start} 〜 {summary.week_end}",
        "",
        f"- 件数: {summary.total}（前週 {summary.previous_total}）",
        f"- 苦情の割合: {share}",
        f"- レポート: `{report_path}`",
        "",
        "| 順位 | テーマ | 苦情 | 前週比 |",
        "|---|---|---|---|",
    ]
    for rank, t in enumerate(_leading(summary).head(top).to_dict("records"), start=1):
        new = " 🆕" if t[W.IS_NEW] else ""
        lines.append(f"| {rank} | {md_escape(t[C.LABEL])}{new} | {t[W.COUNT]} | {t[W.CHANGE]:+d} |")
    return "\n".join(lines)
