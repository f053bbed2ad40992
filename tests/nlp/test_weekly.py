from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from nlp import columns as C
from nlp import weekly as W

WEEK = date(2026, 11, 9)


def frame(rows):
    """rows: (days before the reported Monday's week end, text, doc_type, topic, kind, channel)."""
    docs = pd.DataFrame(
        [
            {
                C.ID: i,
                C.SOURCE: "s",
                C.KIND: kind,
                C.CHANNEL: ch,
                C.PRODUCT: None,
                C.CREATED_AT: datetime.combine(day, datetime.min.time()) + timedelta(hours=10),
                C.TITLE: None,
                C.TEXT: text,
                C.AGENT_REPLY: None,
                C.RATING: None,
                C.DOC_TYPE: t,
                C.TEXT_HASH: str(i),
            }
            for i, (day, text, t, _, kind, ch) in enumerate(rows)
        ]
    )
    topic = pd.Series([r[3] for r in rows], dtype=float)
    return docs, topic, pd.Series([1.0 if r[3] is not None else float("nan") for r in rows])


TOPICS = pd.DataFrame(
    {
        C.TOPIC_ID: [0, 1, 2],
        C.LABEL: ["配送・遅い", "ログイン・エラー", "ポイント・付与"],
        C.KEYWORDS: [["配送", "遅い"], ["ログイン", "エラー"], ["ポイント", "付与"]],
        C.REPRESENTATIVE: ["配送が遅い", "ログインできない", "ポイントが付与されない"],
        C.SIZE: [9, 5, 4],
    }
)


@pytest.fixture
def summary():
    prev = WEEK - timedelta(days=7)
    old = WEEK - timedelta(days=35)
    rows = (
        [(WEEK, "まだ届きません。いつ届きますか", "complaint", 0, "ticket", "mail")] * 3
        + [(WEEK + timedelta(days=1), "配送が遅すぎて困っています", "complaint", 0, "ticket", "chat")]
        + [(prev, "注文から10日経っても届かない", "complaint", 0, "ticket", "mail")] * 2
        + [(old, "配送が遅い", "complaint", 0, "ticket", "mail")] * 3
        + [(prev, "ログインできません", "complaint", 1, "ticket", "form")] * 4
        + [(WEEK + timedelta(days=2), "ログインするとエラーになる", "complaint", 1, "ticket", "form")]
        + [(WEEK + timedelta(days=6), "ポイントが付与されていません", "complaint", 2, "ticket", "line")] * 4
        + [(WEEK, "送料はいくらですか", "question", None, "ticket", "mail")] * 2
        + [(WEEK, "とても満足しています", "praise", None, "review", "review")]
        + [(WEEK + timedelta(days=7), "来週の苦情", "complaint", 0, "ticket", "mail")]  # outside the week
    )
    docs, topic, centrality = frame(rows)
    return W.summarize_week(docs, topic, centrality, TOPICS, WEEK, trend_weeks=8)


def test_totals_and_complaint_share(summary):
    assert (summary.total, summary.previous_total) == (12, 6)
    assert summary.complaint_share == pytest.approx(9 / 12)
    assert summary.previous_complaint_share == 1.0
    assert summary.week_end == date(2026, 11, 15)


def test_topics_ranked_with_change_and_trend(summary):
    t = summary.topics.set_index(C.TOPIC_ID)
    assert summary.topics[C.TOPIC_ID].tolist() == [2, 0, 1]  # by this week's count (4, 4, 1), then change (+4, +2)
    assert (t.loc[0, W.COUNT], t.loc[0, W.PREVIOUS], t.loc[0, W.CHANGE]) == (4, 2, 2)
    assert t.loc[0, W.CHANGE_PCT] == pytest.approx(1.0)
    assert t.loc[1, W.CHANGE] == -3
    assert t.loc[0, W.TREND] == [0, 0, 3, 0, 0, 0, 2, 4]
    assert summary.weeks[-1] == WEEK and summary.weeks[0] == WEEK - timedelta(days=49)


def test_new_topic_only_when_absent_before(summary):
    assert summary.new_topics[C.TOPIC_ID].tolist() == [2]
    assert summary.topics.set_index(C.TOPIC_ID).loc[2, W.CHANGE_PCT] is None


def test_quotes_come_from_this_week_without_repeats(summary):
    quotes = summary.topics.set_index(C.TOPIC_ID).loc[0, W.QUOTES]
    assert quotes == ["まだ届きません。いつ届きますか", "配送が遅すぎて困っています"]


def test_volumes_by_kind_and_channel(summary):
    volumes = summary.volumes.set_index([C.KIND, C.CHANNEL])
    assert volumes.loc[("ticket", "mail"), W.COUNT] == 5
    assert volumes.loc[("ticket", "form"), W.PREVIOUS] == 4
    assert volumes.loc[("review", "review"), W.COUNT] == 1
    assert summary.type_trend.loc[WEEK].to_dict() == {"complaint": 9, "praise": 1, "question": 2}


def test_themes_rank_by_complaints_with_the_type_mix_of_every_message():
    """Every message is modelled (issue #13): a question in a complaint topic counts in the type mix, not in
    the complaint count; themes sum their subtopics and list the ones with complaints, largest first."""
    rows = (
        [(WEEK, "まだ届きません", "complaint", 0, "ticket", "mail")] * 3
        + [(WEEK, "いつ届きますか", "question", 0, "ticket", "mail")] * 2
        + [(WEEK, "追跡番号が反映されない", "complaint", 2, "ticket", "mail")] * 2
        + [(WEEK, "配送が早くて助かりました", "praise", 3, "review", "review")] * 5  # no complaint: not listed
        + [(WEEK, "ログインできません", "complaint", 1, "ticket", "form")] * 4
    )
    docs, topic, centrality = frame(rows)
    docs[C.PRODUCT] = ["ヨガマット", "ヨガマット", "リネンシャツ"] + [None] * 2 + ["ヨガマット", "布団"] + [None] * 9
    topics = pd.DataFrame(
        {
            C.TOPIC_ID: [0, 1, 2, 3],
            C.LABEL: ["到着：届かない", "ログイン：できない", "追跡番号：反映されない", "配送：早い"],
            C.KEYWORDS: [["到着"], ["ログイン"], ["追跡番号"], ["配送"]],
            C.REPRESENTATIVE: ["", "", "", ""],
            C.SIZE: [5, 4, 2, 5],
        }
    )
    themes = pd.DataFrame(
        {
            C.THEME_ID: [0, 1],
            C.LABEL: ["配送遅延：届かない", "ログイン：できない"],
            C.KEYWORDS: [["配送遅延"], ["ログイン"]],
            C.SIZE: [12, 4],
            C.SUBTOPICS: [[0, 3, 2], [1]],
        }
    )
    summary = W.summarize_week(docs, topic, centrality, topics, WEEK, themes)
    assert summary.themes[C.THEME_ID].tolist() == [0, 1]  # 5 complaints, then 4
    delivery = summary.themes.iloc[0]
    assert delivery[W.COUNT] == 5 and delivery[C.SUBTOPICS] == [0, 2]  # the praise-only topic is not listed
    assert delivery[W.TYPE_MIX] == {"complaint": 5, "question": 2, "praise": 5}
    assert delivery[W.QUOTES] == ["まだ届きません", "追跡番号が反映されない"]  # one per subtopic, in their order
    assert delivery[W.PRODUCTS] == [("ヨガマット", 3)]  # products named once are no pattern
    assert summary.topics.set_index(C.TOPIC_ID).loc[0, W.COUNT] == 3
    assert 3 not in set(summary.topics[C.TOPIC_ID])
