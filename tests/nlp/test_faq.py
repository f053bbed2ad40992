"""FAQ coverage and gap ranking on Japanese shop messages."""

import numpy as np
import pandas as pd
import pytest

from nlp import columns as C
from nlp import faq_gaps as G
from nlp.faq_match import MatchConfig, bm25_scores, calibrate, coverage, hybrid_scores
from nlp.tokenize import tokenize_many

FAQ = pd.DataFrame(
    {
        "question": ["送料はいくらですか？", "返品はできますか？", "ポイントはいつ付与されますか？"],
        "answer": ["全国一律550円です。", "到着後7日以内なら返品できます。", "発送完了後に付与されます。"],
        "category": ["送料・手数料", "返品・キャンセル", "ポイント"],
    }
)
MESSAGES = [
    "送料っていくらかかりますか",
    "北海道までの送料を教えてください",
    "商品を返品したいです",
    "ギフト包装はできますか？",
    "のしを付けてもらえますか？",
    "ラッピングをお願いできますか",
]


@pytest.fixture(scope="module")
def scored(use_embedder):
    faq_texts = (FAQ["question"] + " " + FAQ["answer"]).tolist()
    scores = hybrid_scores(
        use_embedder.embed(MESSAGES),
        use_embedder.embed(FAQ["question"].tolist()),
        tokenize_many(MESSAGES),
        tokenize_many(faq_texts),
    )
    return scores


def test_bm25_rewards_shared_shop_words():
    bm25 = bm25_scores(tokenize_many(["送料はいくら"]), tokenize_many(FAQ["question"] + " " + FAQ["answer"]))
    assert bm25[0].argmax() == 0 and bm25[0, 0] > 0 and bm25[0, 2] == 0


def test_messages_match_the_entry_that_answers_them(scored):
    assert scored.shape == (6, 3)
    assert scored[:3].argmax(axis=1).tolist() == [0, 0, 1]
    # what the FAQ answers scores higher than what it does not (gift wrapping, のし)
    assert scored[:3].max(axis=1).min() > scored[3:].max(axis=1).max()


def test_calibrated_threshold_separates_them(scored):
    truly = np.array([True, True, True, False, False, False])
    threshold, f1 = calibrate(scored.max(axis=1), truly)
    assert f1 == 1.0
    cov = coverage(scored, MatchConfig(threshold=threshold))
    assert cov.covered.tolist() == truly.tolist()


def test_no_faq_covers_nothing():
    cov = coverage(np.zeros((3, 0)))
    assert cov.covered.tolist() == [False] * 3 and cov.best_entry.tolist() == [-1] * 3


def test_gap_suggestions_ranked_with_evidence():
    texts = (
        [
            "ギフト包装はできますか？",
            "のしを付けてもらえますか？",
            "ラッピングをお願いできますか",
            "プレゼント用に包装してほしい <EMAIL>",
        ]
        + ["領収書は発行できますか？", "領収書の宛名を変えられますか？"]
        + ["送料はいくらですか？"] * 3
    )
    docs = G.message_columns(texts)
    docs[C.DOC_TYPE] = ["question", "question", "request", "complaint", "question", "question"] + ["question"] * 3
    docs[C.AGENT_REPLY] = [
        "1点220円で承ります。",
        "1点220円で承ります。",
        None,
        "熨斗は無料です。",
        None,
        None,
        None,
        None,
        None,
    ]
    topics = pd.DataFrame({C.TOPIC_ID: [0, 1, 2], C.LABEL: ["包装・ギフト・のし", "領収書・宛名", "送料"]})
    assignments = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2])
    centrality = np.array([0.9, 0.8, 0.7, 0.95, 0.9, 0.8, 0.9, 0.9, 0.9])
    scores = np.array([[0.1, 0.2, 0.0]] * 4 + [[0.1, 0.1, 0.0]] * 2 + [[0.9, 0.1, 0.0]] * 3)
    cov = coverage(scores, MatchConfig(threshold=0.5))
    this_week = np.ones(9, dtype=bool)
    out = G.suggest(
        G.Messages(docs, assignments, centrality, this_week, ~this_week), topics, G.Matches(scores, cov), FAQ
    )
    assert out[G.TOPIC_ID].tolist() == [0, 1]  # 送料 is covered: no suggestion
    gift = out.iloc[0]
    assert (
        gift[G.PROPOSED_QUESTION] == "ギフト包装はできますか？"
    )  # the most central clean question, not the <EMAIL> one
    assert gift[G.UNCOVERED_SHARE] == 1.0 and gift[G.VOLUME] == 4 and gift[G.COMPLAINT_SHARE] == 0.25
    assert gift[G.UNCOVERED_ASKS] == 3  # the complaint is evidence, not an inquiry an entry would absorb
    assert gift[G.NEAREST_FAQ] == "返品はできますか？" and gift[G.CATEGORY] == "返品・キャンセル"
    assert gift[G.DRAFT_ANSWER] == "1点220円で承ります。"
    assert gift[G.EXAMPLES][0] == "プレゼント用に包装してほしい <EMAIL>" and len(gift[G.EXAMPLES]) == 4
    assert out.iloc[1][G.DRAFT_ANSWER] is None


def test_defect_complaints_rank_below_unanswered_questions():
    """An FAQ cannot answer 「割れていました」: a complaint-only topic comes last even when it is bigger."""
    texts = ["届いたマグカップが割れていました。"] * 6 + ["領収書は発行できますか？", "領収書の宛名を変えられますか？"]
    docs = G.message_columns(texts)
    docs[C.DOC_TYPE] = ["complaint"] * 6 + ["question"] * 2
    topics = pd.DataFrame({C.TOPIC_ID: [0, 1], C.LABEL: ["割れる・届く", "領収書・宛名"]})
    assignments = np.array([0] * 6 + [1] * 2)
    scores = np.full((8, 3), 0.1)
    previous = np.zeros(8, dtype=bool)
    out = G.suggest(
        G.Messages(docs, assignments, np.ones(8), ~previous, previous), topics, G.Matches(scores, coverage(scores)), FAQ
    )
    assert out[G.TOPIC_ID].tolist() == [1, 0]
    assert out.iloc[1][G.SCORE] == 0 and out.iloc[1][G.VOLUME] == 6


def test_a_theme_the_faq_misses_outranks_the_unmatched_tail_of_an_answered_one():
    """送料 is answered (7 of 10 messages match the entry); the 3 that fell under the threshold must not put it
    above 領収書, which no entry answers, although they are more messages."""
    texts = ["送料はいくらですか？"] * 7 + ["送料って無料になりませんか", "配送料金を教えて", "北海道への送料は？"]
    texts += ["領収書は発行できますか？", "領収書の宛名を変えられますか？"]
    docs = G.message_columns(texts)
    topics = pd.DataFrame({C.TOPIC_ID: [0, 1], C.LABEL: ["送料", "領収書"]})
    assignments = np.array([0] * 10 + [1] * 2)
    # matching is noisy: the answered theme's messages sit just either side of the threshold
    scores = np.array([[0.55, 0.1, 0.0]] * 7 + [[0.45, 0.1, 0.0]] * 3 + [[0.3, 0.1, 0.0]] * 2)
    cov = coverage(scores, MatchConfig(threshold=0.5))
    period = np.ones(12, dtype=bool)
    out = G.suggest(G.Messages(docs, assignments, np.ones(12), period, ~period), topics, G.Matches(scores, cov), FAQ)
    assert out[G.TOPIC_ID].tolist() == [1, 0]
    assert out[G.UNCOVERED_ASKS].tolist() == [2, 3] and out[G.UNCOVERED_SHARE].tolist() == pytest.approx([1.0, 0.3])


def test_growth_is_bounded_and_a_vanishing_theme_sinks():
    texts = ["領収書は発行できますか？"] * 4 + ["ギフト包装はできますか？"] * 4
    docs = G.message_columns(texts)
    topics = pd.DataFrame({C.TOPIC_ID: [0, 1], C.LABEL: ["領収書", "ギフト"]})
    assignments = np.array([0] * 4 + [1] * 4)
    # 領収書: 1 before, 3 now (rising); ギフト: 3 before, 1 now (falling)
    period = np.array([False, True, True, True, False, False, False, True])
    scores = np.full((8, 3), 0.1)
    out = G.suggest(
        G.Messages(docs, assignments, np.ones(8), period, ~period), topics, G.Matches(scores, coverage(scores)), FAQ
    )
    assert out[G.TOPIC_ID].tolist() == [0, 1]
    assert out[G.GROWTH].tolist() == pytest.approx([2 / 3, -2 / 3])


def test_an_entry_without_a_category_gives_uncategorized_not_nan():
    """An FAQ CSV with an empty category cell: pandas reads NaN, and NaN is truthy; the suggestion says 未分類."""
    faq = FAQ.assign(category=[np.nan] * len(FAQ))
    texts = ["ギフト包装はできますか？"] * 4
    docs = G.message_columns(texts)
    scores = np.zeros((4, len(FAQ)))
    scores[:, 0] = 0.3  # nearest entry 0, not covered
    messages = G.Messages(docs, np.zeros(4, dtype=int), np.ones(4), np.ones(4, dtype=bool), np.zeros(4, dtype=bool))
    topics = pd.DataFrame(
        {C.TOPIC_ID: [0], C.LABEL: ["ギフト"], C.KEYWORDS: [["ギフト"]], C.REPRESENTATIVE: [""], C.SIZE: [4]}
    )
    out = G.suggest(messages, topics, G.Matches(scores, coverage(scores)), faq)
    assert out[G.CATEGORY].tolist() == ["未分類"]
