"""The Japanese notes a run adds to its report (why something was not analysed, where topics came from):
written here, with the rest of what users read, not in the pipeline that decides them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

# what the topic model covers, by the run kind that keeps it (pipeline.config.RunKind): every message (#13)
MODELLED = {"weekly": "問い合わせ・レビュー", "release_check": "問い合わせ・レビュー"}

NO_FAQ = "FAQ が取り込まれていないため、FAQ の不足は分析していません（koe faq import で取り込めます）。"


# the message types as the reports name them
TYPE_NAMES = {"complaint": "苦情", "question": "質問", "request": "要望", "praise": "お礼・好評", "other": "その他"}


def retyped(again: int, changes: dict[tuple[str, str], int], top: int = 3) -> str:
    """A report whose window was typed again by a new typer (the shop's model retrained from its rated
    reviews or its lead's corrections, or a koe update): past weeks' counts differ from the earlier reports'."""
    moves = sorted(changes.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    said = "、".join(f"{TYPE_NAMES.get(a, a)}→{TYPE_NAMES.get(b, b)} {n:,}件" for (a, b), n in moves)
    changed = sum(changes.values())
    detail = f"種別が変わったのは {changed:,} 件（{said}）で、" if changed else "種別の変わったものはなく、"
    return (
        "分類モデルが更新されたため（ショップのレビュー評価や担当者の修正（koe teach）からの再学習、"
        "または koe の更新）、"
        f"この期間の {again:,} 件を分類し直しました。{detail}過去の週の件数が以前のレポートと異なることがあります。"
    )


def too_few(run_kind: str, reason: str) -> str:
    return f"{MODELLED[run_kind]}が少なすぎるため、トピック分析は行いませんでした（{reason}）。"


def topics_reused(run_kind: str, run_id: int, n_assigned: int) -> str:
    what = MODELLED[run_kind]
    assigned = f"{what} {n_assigned} 件を割り当てました" if n_assigned else f"前回から新しい{what}はありません"
    return (
        f"テーマとトピックは前回の分析（run {run_id}）のものを引き継ぎ、{assigned}"
        "（新しいテーマが現れたときは自動で作り直します。手動では --refit）。"
    )


class Refit(StrEnum):
    """Why a run fitted its topics afresh instead of reusing the last weekly run's (the report says it)."""

    FIRST = "first"
    ASKED = "asked"
    NO_MODEL = "no_model"
    EMBEDDER = "embedder"
    NO_THEMES = "no_themes"
    DRIFT = "drift"


REFIT_REASONS = {
    Refit.FIRST: "保存された分析がないため",
    Refit.ASKED: "作り直しの指定（--refit）により",
    Refit.NO_MODEL: "前回の分析のモデルが見つからないため",
    Refit.EMBEDDER: "埋め込みモデルが前回と異なるため",
    Refit.NO_THEMES: "前回の分析がテーマ導入前のものであるため",
    Refit.DRIFT: "前回のトピックにない新しいテーマが現れたため",
}


def refitted(why: Refit, run_id: int) -> str:
    return (
        f"{REFIT_REASONS[why]}、テーマとトピックを作り直しました。前回の分析（run {run_id}）のテーマとは"
        "構成する問い合わせの重なりで対応づけ、同じテーマは同じ ID と名前（変更した名前を含む）を引き継いでいます。"
    )


def lineage(kind: str, name: str, sources: list[str]) -> str:
    """「配送遅延」は前回の「配送」から分離しました / 「ログイン」に前回の「決済」が統合されました (nlp.lineage)."""
    quoted = "・".join(f"「{s}」" for s in sources)
    if kind == "split":
        return f"テーマ「{name}」は前回の{quoted}から分離しました。"
    return f"テーマ「{name}」に前回の{quoted}が統合されました。"


def week_partly_empty(last_day: date | None, empty_days: int) -> str:
    if last_day is None:
        return "この週のデータがありません。取り込み（koe ingest）か対象週（--week-of）を確認してください。"
    return f"データは {last_day:%Y-%m-%d} までのため、この週の {empty_days} 日分は件数に含まれていません。"


def short_history(weeks: int, wanted: int) -> str:
    return f"この週より前のデータは {weeks} 週分です（通常 {wanted} 週分と比べます）。増減や新規の判定は参考値です。"


def spikes_not_tested(reason: str) -> str:
    return f"急増の検定は行いませんでした（{reason}）。"


def source_failed(source: str, reason: str) -> str:
    return f"ソース「{source}」を取り込めませんでした: {reason}"


def period_label(start: date, last_day: date, weeks: int) -> str:
    return f"{start:%Y-%m-%d} 〜 {last_day:%Y-%m-%d}、{weeks}週間"


def faq_gaps_heading(period: str, n_entries: int) -> str:
    return f"FAQ の不足（{period}、FAQ {n_entries}項目）"


def since_date(day: date) -> str:
    """The name of a release check asked for by date rather than by release."""
    return f"{day:%Y-%m-%d} 以降"


NOTIFY_FAILED = "通知の送信に失敗しました（apprise）"


def notify_target_unreadable(scheme: str) -> str:
    return f"通知先 {scheme} を解釈できませんでした"


def notify_block_failed(block: str, reason: str) -> str:
    return f"通知ブロック「{block}」: {reason}"
