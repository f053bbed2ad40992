"""Topic and theme names as a product manager would write them (issue #13), from real c-TF-IDF word lists."""

import numpy as np

from nlp.names import distinct_names, keywords, name
from nlp.tokenize import tokenize


def test_a_noun_phrase_and_the_predicate_that_makes_it_a_complaint():
    words = ["追跡", "反映", "番号", "追跡番号", "調べる", "反映されない", "届く"]
    assert name(words) == "追跡番号：反映されない"


def test_the_predicate_alone_when_it_holds_the_noun():
    assert name(["ログイン", "ログインできない", "届く"]) == "ログインできない"
    assert name(["ログイン", "エラー", "ログインできない"]) == "エラー：ログインできない"


def test_the_widest_phrase_names_the_topic():
    # the demo's login topic, as its c-TF-IDF ranked it: it was named 「再設定：ログインできない」
    words = ["ログインできない", "設定", "パスワード", "再設定", "出る", "パスワード再設定", "ログイン", "エラー"]
    assert name(words) == "パスワード再設定：ログインできない"


def test_a_theme_finds_its_predicate_further_down():
    """The demo's delivery theme as c-TF-IDF ranked its words (session 12): 届かない 23rd, spread over the
    subtopics; a subtopic's name looks at 12 words, a theme's at 30 (nlp/themes.py)."""
    words = ["発送", "予定", "日", "止まる", "荷物", "輸送", "輸送中", "配送状況", "予定日", "到着", "待たす", "聞く",
             "遅い", "配送業者", "注文確定メール", "確定", "経つ", "届ける", "お知らせ", "発送予定日", "知らせ",
             "過ぎる", "届かない", "分からない", "分かる", "状況", "届く"]  # fmt: skip
    assert name(words) == "発送予定日・荷物"
    assert name(words, predicate_words=30) == "発送予定日：届かない"
    # an all-hiragana predicate that far down is no name: asdc's 「テラス席：とらない」
    terrace = ["テラス席", "コロナ禍", "コロナ対策", "感染", "心配", "怖い", "シュラスコ", "食べれる", "屋外", "席",
               "外", "景色", "とらない", "テラス"]  # fmt: skip
    assert name(terrace, predicate_words=30) == "テラス席・コロナ禍"


def test_two_noun_phrases_without_a_predicate():
    assert name(["領収", "発行", "領収書", "宛名"]) == "領収書・発行"


def test_product_names_numbers_and_markup_never_name_a_topic():
    words = ["ガラス", "script", "500ml", "経つ", "注文", "届かない"]
    assert name(words, exclude=["ガラスキャニスター", "ステンレス水筒 500ml"]) == "注文：届かない"
    assert keywords(words, exclude=["ガラスキャニスター"]) == ["経つ", "注文", "届かない"]


def test_keywords_show_the_phrase_not_its_parts():
    assert keywords(["追跡", "番号", "追跡番号", "反映"]) == ["追跡番号", "反映"]


def test_the_same_name_is_told_apart():
    names = distinct_names([["商品", "届かない", "追跡番号"], ["商品", "届かない", "プレゼント"]])
    assert names == ["商品：届かない（追跡番号）", "商品：届かない（プレゼント）"]


def test_names_stay_distinct_when_the_next_phrase_is_the_same_too():
    """The demo had two subtopics named 「予定日：分からない（配送業者）」: the second takes its next phrase, and a
    group with nothing left is numbered."""
    same = ["予定日", "分からない", "配送業者", "届ける"]
    names = distinct_names([same, [*same, "プレゼント用"], same])
    assert names == ["予定日：分からない（配送業者）", "予定日：分からない（プレゼント用）", "予定日：分からない（2）"]
    assert len(set(names)) == 3


def test_names_from_real_tickets_via_the_tokenizer():
    words = tokenize("ポイントが付与されていません。先週の注文分のポイントが付与されないままです。")
    ranked = sorted(set(words), key=lambda w: (-words.count(w), w))
    assert name(ranked) == "ポイント：付与されない"


def test_spaced_product_names_are_no_words():
    words = ["羽毛布団シングル", "到着", "遅い"]
    assert keywords(words, exclude=["羽毛布団 シングル"]) == ["到着", "遅い"]


def _together_in(messages: list[str]):
    """The co-occurrence check of a group of real messages, through the tokenizer and the topic model's
    own check (nlp.topics.cooccurring)."""
    from sklearn.feature_extraction.text import CountVectorizer

    from nlp.topics import cooccurring

    vectorizer = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False)
    counts = vectorizer.fit_transform(" ".join(tokenize(m)) for m in messages)
    one_group = np.zeros(counts.shape[0], dtype=int)
    return cooccurring(counts, vectorizer.get_feature_names_out().tolist(), one_group, [0])[0]


def test_a_predicate_names_a_subtopic_only_where_its_messages_say_it_with_the_noun():
    """asdc's requests had subtopics named 「ロビー内：きかない」 and 「テラス席：茶しない」 from words no
    message held together; the demo's 「到着が遅すぎます」 is named by the complaint adjective."""
    terrace = [
        "テラス席を希望することは出来ますか?",
        "テラス席のあるレストランがいいです。",
        "お茶しないで帰りました。",
    ]
    words = ["テラス席", "レストラン", "茶しない", "希望"]
    assert name(words) == "テラス席：茶しない"  # without the messages
    assert name(words, together=_together_in(terrace)) == "テラス席・レストラン"
    late = ["到着が遅すぎます。1週間も待たされるとは思いませんでした。", "到着が遅いです。", "到着まで長かった。"]
    assert name(["到着", "遅い", "待たす", "すぎる"], together=_together_in(late)) == "到着：遅い"
    # a negated predicate said with the noun still comes first
    parcel = ["荷物が届かないです。到着が遅い。", "荷物がまだ届かない。", "到着予定を過ぎても荷物が届かない。"]
    assert name(["荷物", "届かない", "遅い", "到着"], together=_together_in(parcel)) == "荷物：届かない"


def test_only_adjectives_of_complaint_are_predicates():
    """The cue lexicon's complaint adjectives (遅い, 狭い), not any adjective: 「薄味：濃い」 named asdc's
    requests for lightly seasoned food."""
    light = ["薄味が好きなので、濃い味付けの料理じゃない所がいいです。", "薄味でお願いします。濃い味は苦手です。"]
    assert name(["薄味", "濃い", "塩分"], together=_together_in(light)) == "薄味・塩分"
    room = ["部屋が狭いです。", "部屋が狭くて荷物が置けません。"]
    assert name(["部屋", "狭い", "荷物"], together=_together_in(room)) == "部屋：狭い"


def test_a_noun_that_is_the_complaint_itself_comes_second():
    """The demo's subtopics 「不満・品質」 and 「破損・配送中」 read as 「品質：不満」 and 「配送中：破損」 when
    their messages say the two together."""
    quality = ["帆布トートバッグはすぐに壊れました。品質に不満があります。", "品質に不満があります。"]
    assert name(["不満", "品質", "壊れる"], together=_together_in(quality)) == "品質：不満"
    transit = ["配送中に破損したようで、バラバラの状態で届きました。", "配送中に破損していました。"]
    assert name(["破損", "配送中", "バラバラ"], together=_together_in(transit)) == "配送中：破損"
    assert name(["破損", "配送中", "バラバラ"]) == "破損・配送中"  # a theme: nothing to check against
    # a 形状詞 the lexicon knows with its copula (雑で): the demo's 「雑・梱包」
    packing = ["梱包が雑で、土鍋がへこんだ状態で届きました。", "梱包が雑です。"]
    assert name(["雑", "梱包", "へこむ"], together=_together_in(packing)) == "梱包：雑"
    careful = ["梱包が丁寧で、すぐに届きました。", "梱包が丁寧です。"]  # 丁寧 is no complaint
    assert name(["丁寧", "梱包", "届く"], together=_together_in(careful)) == "丁寧・梱包"
    apart = ["品質がとても良いです。", "不満はないです。"]  # never said together
    assert name(["不満", "品質"], together=_together_in(apart)) == "不満・品質"


def test_a_themes_second_noun_is_one_its_messages_say_with_the_first():
    """The demo's theme of order changes (address, colour, delivery date) was 「変更・北海道」: 北海道 is
    one subtopic's word (送料・北海道). A theme's predicate is not checked (its words spread), its nouns are."""
    changes = [
        "配送先住所を実家に変更したいです。",
        "注文後に配送先住所を変更できますか?",
        "カラーを変更したいです。",
        "北海道への送料はいくらですか?",
    ]
    words = ["変更", "北海道", "配送先住所", "カラー"]
    assert name(words) == "変更・北海道"
    assert name(words, pair_together=_together_in(changes)) == "変更・配送先住所"
