"""The weekly report page: content, escaping of customer text, self-containment, and a real browser."""

import dataclasses
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nlp import columns as C
from nlp import weekly as W
from reports import weekly as report

WEEK = date(2026, 11, 9)
XSS = "<script>alert(1)</script> カートに入らない"


@pytest.fixture(scope="module")
def summary():
    texts = ["まだ届きません。いつ届きますか", "配送が遅すぎて困っています", XSS, "ログインするとエラーになる"]
    topics_of = [0, 0, 1, 1]
    rows = []
    for week_back in range(3):
        for i, (text, topic) in enumerate(zip(texts, topics_of, strict=True)):
            rows.append(
                {
                    C.ID: len(rows),
                    C.SOURCE: "s",
                    C.KIND: "ticket",
                    C.CHANNEL: "mail",
                    C.PRODUCT: "土鍋 8号" if topic == 0 else None,
                    C.CREATED_AT: datetime(2026, 11, 10, 10) - timedelta(days=7 * week_back, hours=i),
                    C.TITLE: None,
                    C.TEXT: text,
                    C.AGENT_REPLY: None,
                    C.RATING: None,
                    C.DOC_TYPE: "complaint",
                    C.TEXT_HASH: str(len(rows)),
                    "t": topic,
                }
            )
    docs = pd.DataFrame(rows)
    topics = pd.DataFrame(
        {
            C.TOPIC_ID: [0, 1],
            C.LABEL: ["届く・配送・遅い", "カート・ログイン・エラー <b>"],
            C.KEYWORDS: [["届く", "配送"], ["カート", "ログイン"]],
            C.REPRESENTATIVE: ["まだ届きません", XSS],
            C.SIZE: [6, 6],
        }
    )
    themes = pd.DataFrame(
        {
            C.THEME_ID: [0, 1],
            C.LABEL: ["配送遅延：届かない", "カート：ログインできない <i>"],
            C.KEYWORDS: [["配送遅延"], ["カート"]],
            C.SIZE: [6, 6],
            C.SUBTOPICS: [[0], [1]],
        }
    )
    return W.summarize_week(
        docs.drop(columns="t"), docs["t"].astype(float), pd.Series(1.0, index=docs.index), topics, WEEK, themes
    )


@pytest.fixture(scope="module")
def html_path(summary, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    return report.write_html(report.build_context(summary, generated_at=datetime(2026, 11, 16, 7)), path)


def test_report_content_in_japanese(html_path):
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    assert soup.title.text == "週次 苦情レポート 2026-11-09 〜 2026-11-15"
    themes = soup.select("#themes .topic h3")
    assert [h.text for h in themes] == ["1. 配送遅延：届かない", "2. カート：ログインできない <i>"]
    first = soup.select_one("#theme-0")
    assert "今週の苦情 2件" in first.get_text(" ", strip=True).replace(" 件", "件")
    assert [q.text for q in first.select("blockquote")] == [
        "まだ届きません。いつ届きますか",
        "配送が遅すぎて困っています",
    ]
    subtopic = first.select_one("#topic-0")  # the subtopics open under their theme
    assert subtopic.select("td")[0].text == "届く・配送・遅い" and subtopic.select("td")[1].text == "2"
    assert "苦情 2" in first.select_one(".kw + div + .kw").text  # this week's type mix
    assert "苦情の多い商品: 土鍋 8号（2件）" in first.get_text()  # which products drive the theme


def test_customer_text_is_escaped(html_path):
    html = html_path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; カートに入らない" in html
    assert "エラー <b>" not in html and "エラー &lt;b&gt;" in html


def test_page_fetches_nothing(html_path):
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    assert not soup.select("script[src], link[href], img[src^=http], iframe")
    assert "default-src 'none'" in soup.select_one("meta[http-equiv=Content-Security-Policy]")["content"]


def test_csv_and_markdown(summary, tmp_path):
    path = report.write_csv(summary, tmp_path / "topics.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel-friendly BOM
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert frame["label"].tolist() == [
        "配送遅延：届かない",
        "届く・配送・遅い",
        "カート：ログインできない <i>",
        "カート・ログイン・エラー <b>",
    ]
    assert frame["level"].tolist() == ["テーマ", "サブトピック", "テーマ", "サブトピック"]
    assert frame["trend"].iloc[0].split()[-3:] == ["2", "2", "2"]
    ids = path.read_text(encoding="utf-8-sig").splitlines()[2].split(",")[2:4]  # a subtopic's row
    assert all(i.isdigit() for i in ids), ids  # 「57」, not 「57.0」
    md = report.markdown_digest(summary, tmp_path / "r.html")
    assert "カート：ログインできない \\<i\\>" in md


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("headless Chromium not installed (.ci/run installs it: apt-get install chromium)")
    return path


def run_chromium(html_path, tmp_path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    return subprocess.run(
        [chromium(), *flags, *args, html_path.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )


@pytest.mark.service
def test_browser_renders_charts_and_shows_script_as_text(html_path, tmp_path):
    dom = run_chromium(html_path, tmp_path, "--virtual-time-budget=5000", "--dump-dom").stdout
    soup = BeautifulSoup(dom, "html.parser")
    assert soup.select("#type-trend .main-svg"), "plotly did not draw offline"
    assert soup.select("#trend-theme-0 .main-svg")
    assert "<script>alert(1)</script> カートに入らない" in soup.select_one("#topic-1").get_text()


def test_changes_read_as_plus_and_minus_and_only_this_weeks_topics_count(summary, tmp_path):
    """▲ means minus in Japanese business documents: a rise is ↑+N, a fall ↓−N. A topic listed only for its
    fall to zero is not one of this week's topics."""
    quiet = summary.topics.assign(count=[2, 0], previous=[1, 2], change=[1, -2])
    quiet_themes = summary.themes.assign(count=[2, 0], previous=[1, 2], change=[1, -2])
    gone = dataclasses.replace(summary, topics=quiet, themes=quiet_themes)
    soup = BeautifulSoup(report.write_html(report.build_context(gone), tmp_path / "r.html").read_text(), "html.parser")
    text = soup.get_text(" ")
    assert "▲" not in text and "▼" not in text
    assert "↑+1" in text and "↓−2" in text
    assert soup.select(".kpi .v")[2].text == "1"  # of the two listed themes, one has complaints this week
    assert "サブトピック 1" in soup.select(".kpi")[2].text


def test_charts_use_the_basic_bundle_of_the_same_plotly_js(html_path):
    """Every report inlines plotly.js: the basic bundle (scatter, bar) of the version plotly.py draws for."""
    from plotly.offline import get_plotlyjs_version

    from reports import charts

    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in charts.plotly_js()[:200]
    assert html_path.stat().st_size < 1_500_000  # the full bundle alone is 4.6 MB


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","開く")', "+81 90", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_never_start_a_formula(summary, tmp_path, payload):
    """Customer text in a CSV cell that Excel would run as a formula is kept as text (a leading apostrophe)."""
    import csv

    from nlp import faq_gaps as G
    from reports import faq_gaps as gaps_report

    topics = summary.topics.assign(**{C.LABEL: payload, C.REPRESENTATIVE: payload})
    themes = summary.themes.assign(**{C.LABEL: payload, W.QUOTES: [[payload]] * len(summary.themes)})
    path = report.write_csv(dataclasses.replace(summary, topics=topics, themes=themes), tmp_path / "topics.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig", newline="")))
    assert {r["label"] for r in rows} == {"'" + payload} and rows[0]["representative"] == "'" + payload
    assert rows[0]["change"] == "0" or not rows[0]["change"].startswith("'")  # numbers stay numbers
    gaps = pd.DataFrame([{c: None for c in G.SUGGESTION_COLUMNS}])
    gaps = gaps.assign(**{G.PROPOSED_QUESTION: payload, G.LABEL: "x", G.EXAMPLES: [[payload]], G.SCORE: 1.0,
                          G.KIND: G.Kind.NEW, G.COVERAGE: 0.2, G.COMPLAINT_SHARE: 0.0})  # fmt: skip
    gaps[G.NEAREST_SCORE] = 0.0
    faq_rows = list(
        csv.DictReader(gaps_report.write_gaps_csv(gaps, tmp_path / "g.csv").open(encoding="utf-8-sig", newline=""))
    )
    assert faq_rows[0]["proposed_question"] == "'" + payload and faq_rows[0]["examples"] == "'" + payload


def test_a_reused_fit_with_nothing_new_says_so_instead_of_zero_assigned():
    """A second `koe weekly` on the same data read 「… 0 件を割り当てました」 in the report: noise to a CS lead."""
    from reports import notes

    assert "前回から新しい問い合わせ・レビューはありません" in notes.topics_reused("weekly", 1, 0)
    assert "0 件" not in notes.topics_reused("weekly", 1, 0)
    assert "問い合わせ・レビュー 5 件を割り当てました" in notes.topics_reused("weekly", 1, 5)


def test_a_theme_rise_names_the_subtopics_that_carry_it():
    """On the demo the points outage rose inside 「エラー：ログインできない」 while its login subtopics fell."""
    from nlp import spikes as S
    from reports.weekly import rise_drivers, spike_rows

    tests = pd.DataFrame(
        [
            {S.LEVEL: S.THEME, S.TOPIC_ID: 2, S.POST: 78, S.PRE_RATE: 30.4 / 7, S.SIGNIFICANT: True},
            {S.LEVEL: S.TOPIC, S.TOPIC_ID: 61, S.POST: 15, S.PRE_RATE: 0.0, S.SIGNIFICANT: True},
            {S.LEVEL: S.TOPIC, S.TOPIC_ID: 60, S.POST: 13, S.PRE_RATE: 0.0, S.SIGNIFICANT: True},
            {S.LEVEL: S.TOPIC, S.TOPIC_ID: 10, S.POST: 10, S.PRE_RATE: 14 / 7, S.SIGNIFICANT: False},
            {S.LEVEL: S.TOPIC, S.TOPIC_ID: 44, S.POST: 9, S.PRE_RATE: 5.2 / 7, S.SIGNIFICANT: False},
            {S.LEVEL: S.TOPIC, S.TOPIC_ID: 7, S.POST: 30, S.PRE_RATE: 1.0, S.SIGNIFICANT: False},  # another theme
        ]
    ).assign(**{S.RATE_RATIO: 2.6, S.CI_LOW: 1.8, S.CI_HIGH: 3.8, S.Q_VALUE: 0.0001, S.IS_NEW: False})
    labels = {61: "ポイント：付かない", 60: "注文分：付与されない", 10: "パスワード再設定：ログインできない",
              44: "請求・二重", 7: "発送予定日"}  # fmt: skip
    topics = pd.DataFrame({"topic_id": list(labels), "label": list(labels.values())})
    themes = pd.DataFrame([{"theme_id": 2, "label": "エラー：ログインできない", "subtopics": [10, 44, 60, 61]}])
    assert rise_drivers(tests, [10, 44, 60, 61], topics.set_index("topic_id")["label"]) == [
        "ポイント：付かない +15",
        "注文分：付与されない +13",
        "請求・二重 +4",
    ]
    rows = spike_rows(tests, topics, themes, ["ポイントシステム移行"])
    theme = next(r for r in rows if r["level"] == S.THEME)
    assert theme["drivers"][:2] == ["ポイント：付かない +15", "注文分：付与されない +13"]
    assert all(r["drivers"] == [] for r in rows if r["level"] == S.TOPIC)
