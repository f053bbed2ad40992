"""The release report reads as a release owner needs: a theme new after the release says so in counts,
per-day rates stand beside raw counts, and an interval that excludes 1 without a significant q is explained."""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup

from nlp import columns as C
from nlp import spikes as S
from reports import release as report

RELEASE = date(2026, 10, 19)


def test_new_themes_per_day_rates_and_unsignificant_intervals(tmp_path):
    days = [RELEASE - timedelta(days=28) + timedelta(days=i) for i in range(42)]
    counts = pd.DataFrame(1, index=days, columns=[0, 1, 2])
    win = S.Windows(RELEASE, days[0], days[-1] + timedelta(days=1), 28, 14, False)
    result = pd.DataFrame(
        [
            # a theme absent before the release: no finite ratio
            [0, 0, 28, 0.0, 2.0, np.inf, np.nan, np.inf, 0.0001, 0.0004, True, "exact", True],
            # an interval above 1, but not significant once every topic is corrected for
            [1, 10, 12, 0.36, 0.86, 2.4, 1.05, 5.5, 0.04, 0.08, False, "exact", False],
            [2, 28, 14, 1.0, 1.0, 1.0, 0.5, 2.0, 0.9, 0.9, False, "glm", False],
        ],
        columns=list(S.RESULT_COLUMNS),
    )
    topics = pd.DataFrame(
        {
            C.TOPIC_ID: [0, 1, 2],
            C.LABEL: ["ポイント・付与", "ログイン・エラー", "配送・遅い"],
            C.KEYWORDS: [["ポイント"], ["ログイン"], ["配送"]],
            C.REPRESENTATIVE: ["", "", ""],
            C.SIZE: [28, 22, 42],
        }
    )
    info = report.ReleaseInfo("ポイントシステム移行", "incident", datetime(2026, 10, 19, 10))
    levels = {S.TOPIC: report.Level(topics.set_index(C.TOPIC_ID), counts, {})}
    context = report.build_context(info, win, result, levels, generated_at=datetime(2026, 11, 1))
    soup = BeautifulSoup(report.write_html(context, tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    new = soup.select_one("#topic-0").get_text(" ")
    assert "新規（前 0件 → 後 28件）" in new and "∞" not in new
    rows = {
        r.select("td")[1].get_text(): [td.get_text() for td in r.select("td")] for r in soup.select("#others tr")[1:]
    }
    assert rows["ログイン・エラー"][0] == "サブトピック"
    assert rows["ログイン・エラー"][2:4] == ["10（0.4）", "12（0.9）"]  # raw counts with per-day rates
    assert rows["ログイン・エラー"][5] == "1.05–5.50※"
    assert "補正後の q が 0.05 以上のため" in soup.select_one("#others").get_text()
    assert "※" not in rows["配送・遅い"][5]


def test_a_theme_that_rose_after_the_release_names_the_subtopics_that_carry_it(tmp_path):
    """The redesign's login/payment theme rose 2.6x on the demo: the owner reads which subtopics carry it,
    counted over the post-release days (14 here), not over a week."""
    days = [RELEASE - timedelta(days=28) + timedelta(days=i) for i in range(42)]
    win = S.Windows(RELEASE, days[0], days[-1] + timedelta(days=1), 28, 14, False)
    row = dict(zip(S.RESULT_COLUMNS, [0, 0, 0, 0.0, 0.0, 1.0, 0.5, 2.0, 0.5, 0.5, False, "glm", False], strict=True))
    tests = [
        {S.LEVEL: S.THEME, S.TOPIC_ID: 2, S.PRE: 150, S.POST: 95, S.PRE_RATE: 2.7, S.POST_RATE: 6.8, S.RATE_RATIO: 2.6,
         S.CI_LOW: 2.0, S.CI_HIGH: 3.4, S.Q_VALUE: 0.0001, S.SIGNIFICANT: True},
        # 14 post days: 21 - 0.5 x 14 = +14, 14 - 0.3 x 14 = +10, 12 - 1.0 x 14 < 0 (fell)
        {S.LEVEL: S.TOPIC, S.TOPIC_ID: 10, S.PRE: 30, S.POST: 21, S.PRE_RATE: 0.5, S.POST_RATE: 1.5},
        {S.LEVEL: S.TOPIC, S.TOPIC_ID: 11, S.PRE: 17, S.POST: 14, S.PRE_RATE: 0.3, S.POST_RATE: 1.0},
        {S.LEVEL: S.TOPIC, S.TOPIC_ID: 12, S.PRE: 56, S.POST: 12, S.PRE_RATE: 1.0, S.POST_RATE: 0.9},
        {S.LEVEL: S.TOPIC, S.TOPIC_ID: 13, S.PRE: 5, S.POST: 40, S.PRE_RATE: 0.1, S.POST_RATE: 2.9},  # other theme
    ]  # fmt: skip
    result = pd.DataFrame([{**row, **t} for t in tests])
    topics = pd.DataFrame(
        {
            C.TOPIC_ID: [10, 11, 12, 13],
            C.LABEL: [
                "クレジット：完了しない",
                "ログイン後・マイページ",
                "パスワード再設定：ログインできない",
                "到着：遅い",
            ],
            C.KEYWORDS: [["クレジット"], ["マイページ"], ["パスワード再設定"], ["到着"]],
        }
    )
    themes = pd.DataFrame(
        [
            {C.THEME_ID: 2, C.LABEL: "エラー：ログインできない", C.KEYWORDS: ["エラー"], C.SUBTOPICS: [10, 11, 12]},
            {C.THEME_ID: 3, C.LABEL: "発送予定日：届かない", C.KEYWORDS: ["荷物"], C.SUBTOPICS: [13]},
        ]
    )
    counts = {
        level: pd.DataFrame(1, index=days, columns=ids)
        for level, ids in ((S.THEME, [2, 3]), (S.TOPIC, [10, 11, 12, 13]))
    }
    levels = {
        S.THEME: report.Level(themes.set_index(C.THEME_ID), counts[S.THEME], {}),
        S.TOPIC: report.Level(topics.set_index(C.TOPIC_ID), counts[S.TOPIC], {}),
    }
    info = report.ReleaseInfo("サイトリニューアル", "redesign", datetime(2026, 10, 19, 10))
    context = report.build_context(info, win, result, levels, generated_at=datetime(2026, 11, 1))
    theme = next(r for r in context["rose"] if r["level"] == S.THEME)
    assert theme["drivers"] == ["クレジット：完了しない +14", "ログイン後・マイページ +10"]
    soup = BeautifulSoup(report.write_html(context, tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    assert "主な増加: クレジット：完了しない +14、ログイン後・マイページ +10" in soup.select_one("#theme-2").get_text()
    assert "到着" not in soup.select_one("#summary").get_text()  # another theme's subtopic carries nothing here
    digest = report.markdown_digest(context, tmp_path / "r.html")
    assert "2.6倍" in digest and "（主な増加: クレジット：完了しない +14、ログイン後・マイページ +10）" in digest
