import pytest

from nlp.doctype import classify


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
    assert classify(text, rating) == expected


def test_nan_rating_is_ignored():
    assert classify("ログインできない", float("nan")) == "complaint"
