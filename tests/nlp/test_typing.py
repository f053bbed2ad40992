"""The shipped typer (a model trained on the shipped labelled sentences that reads the lexicon's cues as
features) on real Japanese phrasing, and the labelled set it is trained and evaluated on."""

import csv
from importlib import resources

import pytest

from nlp.columns import DocType
from nlp.doctype import LEXICON, shipped_typer
from nlp.typing_model import load_examples, main_clause

C, Q, R, P, OTHER = DocType.COMPLAINT, DocType.QUESTION, DocType.REQUEST, DocType.PRAISE, DocType.OTHER


@pytest.fixture(scope="module")
def typer():
    return shipped_typer()


# plain evaluative complaints the lexicon alone misses (it says other or praise), not in the training split
MODEL_FINDS = [
    "部屋のエアコンの効きがいまいちでした。",
    "値段の割に量が少なめでした。",
]

# misses of the first model (session 6: 128 complaint sentences, character n-grams only, leaning to praise
# on short 「〜でした。」 sentences), found since the 2026-12 labelling round and the lemma and cue features
FORMER_MISSES = [
    "朝食は美味しかったですが、部屋が狭かったです。",
    "ホテルの周りにはコンビニが一軒もなく、買い物に苦労しました。",
    "壁が薄くて隣の声が聞こえました。",
]


@pytest.mark.parametrize("text", FORMER_MISSES)
def test_former_misses_are_complaints(typer, text):
    assert typer.classify(text, kind="review") == C


@pytest.mark.parametrize("text", MODEL_FINDS)
def test_plain_evaluative_complaints_are_found(typer, text):
    assert typer.classify(text) == C


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("カード <CARD> で二重に決済されました。", C),  # a sure cue: e-commerce words the hotel data lacks
        ("箱が潰れて届きました", C),
        ("まだ届かないのですが、どうなっていますか?", C),  # a complaint phrased as a question
        ("いつもありがとうございます。領収書を発行してください。", R),  # thanks + a request: the request
        ("ポイントはいつ付与されますか?", Q),
        ("特に不満もありません。", OTHER),  # in a ticket, praise needs a praise word; as a review: below
        ("スタッフの方がとても親切で、快適に過ごせました。", P),
        ("部屋はやや狭いですが、清潔で快適でした。", P),  # the main clause decides
        ("10月の出張時に一人で一泊しました。", OTHER),
    ],
)
def test_messages(typer, text, expected):
    assert typer.classify(text) == expected


def test_a_dismissed_downside_in_a_review_is_praise(typer):
    assert typer.classify("特に不満もありません。", kind="review") == P


# e-commerce tickets the hotel-review model called praise (the demo shop's, #14): in a ticket praise needs
# a praise cue, so the model's next type or a complaint cue decides
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電気ケトルを追加で1つ同梱していただきたいです。", R),
        ("注文確定メールから1週間、何の連絡もなく商品も届いていません。", C),
        ("1週間前に返品手続きをしたのに、返金の連絡がありません。", C),
        ("サイズ表と実際の寸法が違います。着丈が5cmも短いです。", C),
        ("配送状況を確認すると1週間前から「輸送中」のまま止まっています。", C),
        ("交換品が届きました。対応に感謝します。", P),  # thanks: praise in a ticket too
    ],
)
def test_tickets_are_not_reviews(typer, text, expected):
    assert typer.classify(text, kind="ticket") == expected


# plain e-commerce complaints the hotel-review model called praise, typed other in a ticket until the cue
# lexicon knew their polite negatives and words (2026-12: 18 of 29 such sentences), with near misses
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("商品の色が写真と全然違います。", C),
        ("注文した商品と違うものが届きました。", C),
        ("同じ商品が重複して届きました。", C),
        ("電池がすぐに切れます。", C),
        ("説明書が入っていませんでした。", C),
        ("付属品が足りません。", C),
        ("充電ができなくなりました。", C),
        ("使って3日で電源が入らなくなりました。", C),
        ("配送業者の態度が悪かったです。", C),
        ("置き配にされて商品が濡れていました。", C),
        ("問い合わせても返事がありません。", C),
        ("アプリが落ちます。", C),
        ("クーポンが使えませんでした。", C),
        ("送料が高すぎます。", C),
        ("縫製が雑でほつれていました。", C),
        ("届いた時点で賞味期限が切れていました。", C),
        ("梱包が過剰でゴミが多いです。", C),
        ("雑貨を注文しました。", OTHER),
        ("雑誌に載っていた商品を買いました。", OTHER),
        ("濡れても大丈夫な素材ですか。", Q),
        ("期限切れのクーポンは使えますか。", Q),
        ("送料が高すぎず助かりました。", P),
        ("領収書の発行をお願いします。", R),
        # 2026-12-03: damage, wrong items, billing and broken promises the lexicon did not list
        ("箱がつぶれた状態で届きました。", C),
        ("使い始めてすぐにボタンが取れました。", C),
        ("袋に穴が開いていて中身がこぼれていました。", C),
        ("同じ注文で2回請求されています。", C),
        ("注文した色と違う色が届きました。", C),
        ("注文から2週間経ってもまだ発送されていません。", C),
        ("キャンセルしたはずなのに商品が発送されました。", C),
        ("配送料が事前の案内より高かったです。", C),
        ("ログインするたびにパスワードを求められて面倒です。", C),
        ("予約が取れました。ありがとうございます。", P),  # 取れ without a part that came off
        ("漏れなく対応していただき助かりました。", P),  # a negated 漏れ
        ("ご面倒をおかけしますが、交換をお願いします。", R),  # courtesy, not a verdict
        ("手書きのメッセージが嬉しかったです。", P),  # 嬉しかった, not only 嬉しい
        ("前回と同じ住所に送ってください。", R),
    ],
)
def test_plain_e_commerce_complaints_in_tickets(typer, text, expected):
    assert typer.classify(text, kind="ticket") == expected


def test_the_ticket_rule_is_what_changes_the_type(typer):
    assert typer.classify("注文した商品が届きました。", kind="review") == P
    assert typer.classify("注文した商品が届きました。", rating=5, kind="ticket") == P
    assert typer.classify("注文した商品が届きました。", kind="ticket") == OTHER


def test_a_sure_complaint_cue_decides_in_a_ticket_not_in_a_review(typer):
    # the model learnt no e-commerce complaint: it reads the late parcel's question as a question
    assert typer.classify("まだ届かないのですが、どうなっていますか?", kind="review") == Q
    assert typer.classify("まだ届かないのですが、どうなっていますか?", kind="ticket") == C


def test_ratings_decide_where_the_text_is_unsure(typer):
    assert typer.classify("とても良い商品でした。", rating=1) == C
    assert typer.classify("普通に使えています。", rating=5) == P
    assert typer.classify("商品は良いのですが、箱が潰れて届きました。", rating=4) == C  # sure even at 4 stars
    assert typer.classify("普通に使えています。", rating=float("nan")) != C  # NaN: no rating


def test_batch_equals_one_by_one(typer):
    texts = [*MODEL_FINDS, "領収書を発行してください。", "とても良かったです。また利用します。", ""]
    assert typer.classify_many(texts) == [typer.classify(t) for t in texts]


def test_the_model_finds_what_the_lexicon_misses(typer):
    assert [LEXICON.classify(t) for t in MODEL_FINDS].count(C) < len(MODEL_FINDS)


def test_main_clause():
    assert main_clause("朝食は美味しかったが、部屋が狭かった") == "部屋が狭かった"
    assert main_clause("部屋が狭かった") == "部屋が狭かった"


def _rows(split):
    text = resources.files("nlp").joinpath(f"data/typing/{split}.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_labelled_set_is_large_disjoint_and_complete():
    train, test = _rows("train"), _rows("test")
    assert len(train) + len(test) >= 1500
    assert not {r["id"] for r in train} & {r["id"] for r in test}
    assert not {r["text"] for r in train} & {r["text"] for r in test}
    for rows in (train, test):
        assert {r["label"] for r in rows} == {t.value for t in DocType}
        assert {r["source"] for r in rows} == {"quasi-reviews", "asdc"}
    assert len(load_examples("test")) == len(test)
    with pytest.raises(ValueError, match="split"):
        load_examples("dev")


def test_doubts_rank_the_messages_a_lead_should_check_first(typer):
    """Typer.doubts (koe teach --suggest): e-commerce complaints the hotel-review model read as praise, and
    that fell back to other in a ticket, above clear requests, questions and thanks; a 1-2 star review's
    type is its rating's."""
    texts = [
        "配達の時間指定が守られませんでした。",  # typed other, a complaint
        "領収書の発行をお願いします。",
        "注文した商品の発送予定日を教えてください。",
        "丁寧な対応ありがとうございました。",
        "箱が潰れていました。",
    ]
    doubts = typer.doubts(texts, [None, None, None, None, 1], ["ticket"] * len(texts))
    assert typer.classify(texts[0]) == OTHER and doubts[0] > 1
    assert (doubts[1:4] < 1).all() and doubts[4] == 0
    assert len(typer.doubts([])) == 0
