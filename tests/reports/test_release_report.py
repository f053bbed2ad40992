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
