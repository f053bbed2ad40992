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


def _topic_rows(summary: W.WeeklySummary) -> list[dict]:
    rows = []
    for rank, t in enumerate(summary.topics.to_dict("records"), start=1):
        rows.append(
            {
                "rank": rank,
                "id": t[C.TOPIC_ID],
                "label": t[C.LABEL],
                "keywords": t[C.KEYWORDS],
                "representative": t[C.REPRESENTATIVE],
                "count": t[W.COUNT],
                "previous": t[W.PREVIOUS],
                "change": t[W.CHANGE],
                "change_pct": t[W.CHANGE_PCT],
                "is_new": bool(t[W.IS_NEW]),
                "quotes": t[W.QUOTES],
                "chart": charts.topic_trend(summary.weeks, t[W.TREND]) if rank <= DETAILED_TOPICS else None,
            }
        )
    return rows


def spike_rows(result: pd.DataFrame, topics: pd.DataFrame, releases: list[str]) -> list[dict]:
    """Significant weekly rises (nlp.spikes.weekly_spikes) with topic labels and the releases that started
    shortly before the week (the same for every spike of the week)."""
    labels = topics.set_index(C.TOPIC_ID)[C.LABEL]
    rows = []
    for r in result[result[S.SIGNIFICANT]].to_dict("records"):
        row = pd.Series(r)
        rows.append(
            {
                "id": int(r[S.TOPIC_ID]),
                "label": labels[r[S.TOPIC_ID]],
                "count": r[S.POST],
                "baseline": f"{r[S.PRE_RATE] * 7:.1f}",
                "ratio": S.format_ratio(row),
                "releases": releases,
            }
        )
    return rows


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
    topics = _topic_rows(summary)
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
        "topics": topics[:DETAILED_TOPICS],
        "more_topics": topics[DETAILED_TOPICS:],
        "new_topics": [t for t in topics if t["is_new"]],
        # topics listed for their fall from last week have no complaint this week: not this week's topics
        "topics_this_week": sum(1 for t in topics if t["count"] > 0),
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
    t = summary.topics
    return pd.DataFrame(
        {
            "rank": range(1, len(t) + 1),
            "topic_id": t[C.TOPIC_ID],
            "label": t[C.LABEL],
            "keywords": t[C.KEYWORDS].map("、".join),
            "count": t[W.COUNT],
            "previous": t[W.PREVIOUS],
            "change": t[W.CHANGE],
            "change_pct": t[W.CHANGE_PCT].map(lambda v: None if v is None else round(v, 3)),
            "is_new": t[W.IS_NEW],
            "trend": t[W.TREND].map(lambda v: " ".join(map(str, v))),
            "representative": t[C.REPRESENTATIVE],
        }
    )


def write_csv(summary: W.WeeklySummary, path: Path) -> Path:
    return write_excel_csv(topics_frame(summary), path)


def notification(summary: W.WeeklySummary, report_path: Path | str, top: int = 3) -> tuple[str, str]:
    """(title, body) of the message after a weekly run: the top complaint topics and where the report is.
    Plain text for any channel (Slack, mail ...); < > & become full-width so no service reads markup in
    customer-derived labels."""
    share = "—" if summary.complaint_share is None else f"{summary.complaint_share:.1%}"
    lines = [f"件数 {summary.total}（前週 {summary.previous_total}） ・ 苦情の割合 {share}", "", "上位の苦情トピック:"]
    for rank, t in enumerate(summary.topics.head(top).to_dict("records"), start=1):
        new = "（新規）" if t[W.IS_NEW] else ""
        lines.append(f"{rank}. {_plain(t[C.LABEL])}{new} — {t[W.COUNT]}件（前週比 {t[W.CHANGE]:+d}）")
    if summary.topics.empty:
        lines.append("（今週は苦情トピックがありません）")
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
        "| 順位 | トピック | 件数 | 前週比 |",
        "|---|---|---|---|",
    ]
    for rank, t in enumerate(summary.topics.head(top).to_dict("records"), start=1):
        new = " 🆕" if t[W.IS_NEW] else ""
        lines.append(f"| {rank} | {md_escape(t[C.LABEL])}{new} | {t[W.COUNT]} | {t[W.CHANGE]:+d} |")
    return "\n".join(lines)
