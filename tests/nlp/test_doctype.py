import pytest

from nlp.doctype import classify_by_cues


@pytest.mark.parametrize(
    ("text", "rating", "expected"),
    [
        ("注文した商品が届かない", None, "complaint"),
        ("届いた商品が壊れていた", None, "complaint"),
        ("イメージと違ったので返金してほしい", None, "complaint"),
        ("問い合わせへの対応が遅い", None, "complaint"),
        ("ログインできない状態です", None, "complaint"),
        ("まだ届かないのですが、どうなっていますか？", None, "complaint"),  # complaint phrased as a question
        ("迅速に対応していただきありがとうございました。助かりました。", None, "praise"),
        ("梱包が丁寧で、壊れていなかった。", None, "praise"),  # negated complaint cue
        ("思ったより良くなかった", None, "complaint"),  # negated praise cue
        ("送料はいくらかかりますか？", None, "question"),
        ("配送先を実家に変更してください。", None, "request"),
        ("商品が届きました", None, "other"),
        ("普通です", 3, "other"),
        ("サイズはぴったりでした", 5, "praise"),
        ("すぐに壊れました", 1, "complaint"),
        ("デザインは良い", 1, "complaint"),  # rating outweighs a mild cue
    ],
)
def test_types(text, rating, expected):
    assert classify_by_cues(text, rating) == expected


def test_nan_rating_is_ignored():
    assert classify_by_cues("ログインできない", float("nan")) == "complaint"


# issue #14's failure classes, in the phrasing of real reviews and tickets, with their near misses
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("部屋が狭かったです", "complaint"),
        ("部屋は狭くなかった", "other"),
        ("料理が不味い", "complaint"),
        ("説明が分かりにくいです", "complaint"),
        ("せっかくの旅行が台無しでした", "complaint"),
        ("トイレが汚い", "complaint"),
        ("汚れはありませんでした", "other"),
        ("部屋は広くありません", "complaint"),  # a negated quality
        ("部屋が広くて快適でした", "praise"),
        ("朝食があるとよかった", "complaint"),  # a wish for what was missing
        ("もう少し工夫してほしい", "complaint"),
        ("もっと早く連絡してくれればよかった", "complaint"),
        ("特に不満もありません", "other"),  # negated, not a complaint
        ("困りません", "other"),
        ("悪くは無い", "other"),  # kanji negation
        ("文句なしの対応でした", "praise"),
        ("接客が悪い", "complaint"),
    ],
)
def test_evaluative_japanese(text, expected):
    assert classify_by_cues(text) == expected
