"""FAQ coverage and gap ranking on Japanese shop messages."""

import numpy as np
import pandas as pd
import pytest

from nlp import columns as C
from nlp import faq_gaps as G
from nlp.faq_match import MatchConfig, bm25_scores, coverage, hybrid_scores, restated_entries
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


def test_a_threshold_between_them_separates_them(scored):
    truly = np.array([True, True, True, False, False, False])
    cov = coverage(scored, MatchConfig(threshold=float(scored[:3].max(axis=1).min())))
    assert cov.covered.tolist() == truly.tolist()


def test_no_faq_covers_nothing():
    cov = coverage(np.zeros((3, 0)))
    assert cov.covered.tolist() == [False] * 3 and cov.best_entry.tolist() == [-1] * 3


GIFT = [
    "ギフト包装はできますか？",
    "ギフト包装をお願いできますか？",
    "ギフト包装は可能でしょうか",
    "ギフト包装してほしいです <EMAIL>",
]
RECEIPT = ["領収書は発行できますか？", "領収書の発行をお願いできますか？", "領収書を発行してほしいです"]
SHIPPING = ["送料はいくらですか？", "送料っていくらかかりますか", "北海道までの送料を教えてください"]


def _messages(use_embedder, texts, types, topic, period=None, replies=None):
    docs = G.message_columns(texts)
    docs[C.DOC_TYPE] = types
    if replies is not None:
        docs[C.AGENT_REPLY] = replies
    period = np.ones(len(texts), dtype=bool) if period is None else np.asarray(period)
    reply_entry = None
    if replies is not None:
        reply_entry = restated_entries(replies, FAQ["answer"].tolist(), [None] * len(FAQ))
    return G.Messages(docs, np.asarray(topic), use_embedder.embed(texts), period, ~period, reply_entry)


def _scores(texts):
    """Hand-set matches: the shipping questions answered by entry 0, everything else by none."""
    scores = np.full((len(texts), len(FAQ)), 0.2)
    scores[[t in SHIPPING for t in texts], 0] = 0.8
    return scores


TOPICS = pd.DataFrame({C.TOPIC_ID: [0, 1], C.LABEL: ["ギフト包装：できない", "送料・領収書"]})


def test_each_unanswered_intent_is_one_suggestion_built_from_its_own_messages(use_embedder):
    """One subtopic holds both the answered shipping questions and the receipt questions: the receipts are a
    suggestion of their own, quoting only receipts; the shipping questions are none."""
    texts = GIFT + RECEIPT + SHIPPING
    messages = _messages(use_embedder, texts, ["question"] * len(texts), [0] * 4 + [1] * 6)
    scores = _scores(texts)
    out = G.suggest(messages, TOPICS, scores, scores.max(axis=1) >= 0.5, FAQ)
    assert len(out) == 2
    gift, receipt = out.to_dict("records")  # more asks first
    assert set(gift[G.EXAMPLES]) == set(GIFT) and gift[G.VOLUME] == 4
    assert set(receipt[G.EXAMPLES]) == set(RECEIPT) and receipt[G.VOLUME] == 3
    # a complete question of the group's own, never the one carrying a placeholder
    assert gift[G.PROPOSED_QUESTION] in GIFT[:2] and receipt[G.PROPOSED_QUESTION] in RECEIPT[:2]
    assert out[G.KIND].tolist() == [G.Kind.NEW, G.Kind.NEW]
    # weak matches only: the nearest entry's category is not borrowed
    assert out[G.CATEGORY].tolist() == ["未分類", "未分類"]


def test_suggestions_do_not_depend_on_row_order(use_embedder):
    texts = GIFT + RECEIPT + SHIPPING
    topic = [0] * 4 + [1] * 6
    messages = _messages(use_embedder, texts, ["question"] * len(texts), topic)
    scores = _scores(texts)
    first = G.suggest(messages, TOPICS, scores, scores.max(axis=1) >= 0.5, FAQ)
    order = np.random.default_rng(0).permutation(len(texts))
    shuffled = G.Messages(
        messages.docs.iloc[order].reset_index(drop=True), messages.topic[order], messages.embeddings[order],
        messages.in_period[order], messages.in_previous[order],
    )  # fmt: skip
    again = G.suggest(shuffled, TOPICS, scores[order], scores[order].max(axis=1) >= 0.5, FAQ)
    columns = [G.PROPOSED_QUESTION, G.VOLUME, G.SCORE, G.CATEGORY, G.KIND]
    assert first[columns].equals(again[columns])
    assert [sorted(texts[i] for i in m) for m in first[G.MEMBERS]] == [
        sorted(texts[order[i]] for i in m) for m in again[G.MEMBERS]
    ]


def test_complaints_are_context_never_a_suggestion(use_embedder):
    """An FAQ cannot answer 「割れていました」: six complaints make no suggestion; they raise the complaint
    share of the subtopic whose questions they sit beside."""
    texts = ["届いたマグカップが割れていました。", "お皿が割れて届きました", "箱が潰れて中身が破損していました"] * 2
    texts += RECEIPT
    types = ["complaint"] * 6 + ["question"] * 3
    messages = _messages(use_embedder, texts, types, [1] * 9)
    scores = np.full((9, len(FAQ)), 0.2)
    out = G.suggest(messages, TOPICS, scores, scores.max(axis=1) >= 0.5, FAQ)
    assert len(out) == 1 and set(out.iloc[0][G.EXAMPLES]) == set(RECEIPT)
    assert out.iloc[0][G.COMPLAINT_SHARE] == pytest.approx(6 / 9)


def test_one_intent_in_two_subtopics_is_one_suggestion(use_embedder):
    texts = GIFT[:2] + GIFT[2:]
    messages = _messages(use_embedder, texts, ["question", "request", "request", "request"], [0, 0, 1, 1])
    scores = np.full((4, len(FAQ)), 0.2)
    out = G.suggest(messages, TOPICS, scores, np.zeros(4, dtype=bool), FAQ)
    assert len(out) == 1 and out.iloc[0][G.VOLUME] == 4


def test_an_answer_agents_give_from_the_faq_is_a_reword_suggestion(use_embedder):
    """Agents answer the 返金 questions by restating the 返品 entry: the entry exists and customers do not find
    it, so the suggestion says reword that entry (and takes its category); the gift questions get a new one."""
    refund = [
        "商品を返品したいのですがどうすればいいですか",
        "商品を返品する方法を知りたい",
        "返品するにはどうしたらいいですか",
    ]
    texts = refund + GIFT
    replies = ["到着後7日以内なら返品できます。マイページからどうぞ。"] * 3 + [None] * 4
    messages = _messages(use_embedder, texts, ["question"] * 7, [1, 1, 1, 0, 0, 0, 0], replies=replies)
    scores = np.full((7, len(FAQ)), 0.2)
    out = G.suggest(messages, TOPICS, scores, np.zeros(7, dtype=bool), FAQ)
    assert len(out) == 2
    reword, new = (out[out[G.KIND] == kind].iloc[0] for kind in (G.Kind.REWORD, G.Kind.NEW))
    assert set(reword[G.EXAMPLES]) == set(refund) and set(new[G.EXAMPLES]) == set(GIFT)
    assert reword[G.NEAREST_FAQ] == "返品はできますか？" and reword[G.CATEGORY] == "返品・キャンセル"


def test_restated_entries_by_url_or_by_most_of_the_answer():
    answers = ["全国一律550円です。北海道・沖縄は別途330円かかります。", "到着後7日以内なら返品できます。"]
    urls = ["https://shop.example/faq/shipping", None]
    replies = [
        "送料は全国一律550円です（北海道・沖縄は別途330円かかります）。",  # restates entry 0
        "詳しくは https://shop.example/faq/shipping をご覧ください",  # links entry 0
        "ご不便をおかけし申し訳ございません。",  # neither
        None,
    ]
    assert restated_entries(replies, answers, urls).tolist() == [0, 0, -1, -1]


def test_a_placeholder_never_reaches_the_proposed_question():
    texts = ["配送先を実家に変更してください。カード番号 <CARD> で支払いました。", "ラッピングできますか <PHONE>"]
    assert G.proposed_question(texts, np.array([0.9, 0.8])) == "配送先を実家に変更してください。"
    central_but_redacted = np.array([0.5, 0.9])
    question = G.proposed_question(["包装できますか？", "包装できますか <EMAIL>"], central_but_redacted)
    assert question == "包装できますか？"


def test_a_proposed_question_asks_for_any_product_when_its_messages_name_several():
    """An FAQ entry is about the request, not the product the most central message named; a group about
    one product keeps it."""
    texts = [
        "ウールソックスを追加で1つ同梱していただきたいです。",
        "ダウンジャケットを追加で1つ同梱していただきたいです。",
    ]
    many = G.generic(texts, ["ウールソックス", "ダウンジャケット"])
    assert G.proposed_question(many, np.array([0.9, 0.8])) == "商品を追加で1つ同梱していただきたいです。"
    one = ["羽毛布団の洗い方は?", "羽毛布団は洗濯できますか?"]
    assert G.generic(one, ["羽毛布団", "羽毛布団"]) == one
    assert G.generic(one, [None, None]) == one


def test_growth_is_bounded_and_a_vanishing_intent_sinks(use_embedder):
    texts = RECEIPT + ["領収書の発行は可能ですか"] + GIFT
    # 領収書: 1 before, 3 now (rising); ギフト: 3 before, 1 now (falling)
    period = [False, True, True, True, False, False, False, True]
    messages = _messages(use_embedder, texts, ["question"] * 8, [1] * 4 + [0] * 4, period=period)
    scores = np.full((8, len(FAQ)), 0.2)
    out = G.suggest(messages, TOPICS, scores, np.zeros(8, dtype=bool), FAQ)
    assert [m[0] < 4 for m in out[G.MEMBERS]] == [True, False]
    assert out[G.GROWTH].tolist() == pytest.approx([2 / 3, -2 / 3])


def test_an_entry_without_a_category_gives_uncategorized_not_nan(use_embedder):
    """An FAQ CSV with an empty category cell: pandas reads NaN, and NaN is truthy; the suggestion says 未分類."""
    faq = FAQ.assign(category=[np.nan] * len(FAQ))
    messages = _messages(use_embedder, GIFT, ["question"] * 4, [0] * 4)
    scores = np.zeros((4, len(FAQ)))
    scores[:, 0] = 0.48  # a strong but not answering match: the category would come from entry 0
    out = G.suggest(messages, TOPICS, scores, np.zeros(4, dtype=bool), faq)
    assert out[G.CATEGORY].tolist() == ["未分類"]
    assert G.suggest(messages, TOPICS, scores, np.zeros(4, dtype=bool), FAQ)[G.CATEGORY].tolist() == ["送料・手数料"]


def test_large_sets_are_cut_before_linkage_even_when_every_vector_is_the_same():
    """Average linkage is O(n^2) in memory: over `max_cluster` vectors k-means cuts first; copies of one
    vector (a pasted template) leave k-means one part, which is then cut by position, not recursed on."""
    rng = np.random.default_rng(0)
    two = np.vstack([np.tile([1.0, 0.0, 0.0], (30, 1)), np.tile([0.0, 1.0, 0.0], (30, 1))])
    two += rng.normal(0, 0.01, two.shape)
    labels = G.cluster(two, 0.5, max_cluster=20)
    assert len(set(labels[:30]) & set(labels[30:])) == 0  # the two intents never share a group
    same = G.cluster(np.tile([1.0, 0.0, 0.0], (50, 1)), 0.5, max_cluster=20)
    assert len(same) == 50 and len(set(same)) <= 3
