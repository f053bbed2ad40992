"""The Japanese notes a run adds to its report (why something was not analysed, where topics came from):
written here, with the rest of what users read, not in the pipeline that decides them."""

from __future__ import annotations

from datetime import date

# what each kind of topic model covers, by the run kind that keeps it (pipeline.config.RunKind)
MODELLED = {"weekly": "苦情", "faq_gaps": "質問・要望・苦情", "release_check": "苦情"}

NO_FAQ = "FAQ が取り込まれていないため、FAQ の不足は分析していません（koe faq import で取り込めます）。"


def too_few(run_kind: str, reason: str) -> str:
    return f"{MODELLED[run_kind]}が少なすぎるため、トピック分析は行いませんでした（{reason}）。"


def topics_reused(run_kind: str, run_id: int, n_assigned: int) -> str:
    what = MODELLED[run_kind]
    return (
        f"{what}のトピックは前回の分析（run {run_id}）のものを引き継ぎ、{what} {n_assigned} 件を割り当てました"
        "（新しいテーマが現れたときは自動で作り直します。手動では --refit）。"
    )


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
