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
    out = G.suggest(docs, topics, assignments, centrality, scores, cov, FAQ, this_week, ~this_week)
    assert out[G.TOPIC_ID].tolist() == [0, 1]  # 送料 is covered: no suggestion
    gift = out.iloc[0]
    assert (
        gift[G.PROPOSED_QUESTION] == "ギフト包装はできますか？"
    )  # the most central clean question, not the <EMAIL> one
    assert gift[G.UNCOVERED_SHARE] == 1.0 and gift[G.VOLUME] == 4 and gift[G.COMPLAINT_SHARE] == 0.25
    assert gift[G.NEAREST_FAQ] == "返品はできますか？" and gift[G.CATEGORY] == "返品・キャンセル"
    assert gift[G.DRAFT_ANSWER] == "1点220円で承ります。"
    assert gift[G.EXAMPLES][0] == "プレゼント用に包装してほしい <EMAIL>" and len(gift[G.EXAMPLES]) == 4
    assert out.iloc[1][G.DRAFT_ANSWER] is None
