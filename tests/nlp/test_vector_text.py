"""What a message is embedded by: its own product named 商品, detail-only sentences left out."""

import pytest

from nlp.vector_text import distinct_quotes, embedded_texts, without_details


@pytest.mark.parametrize(
    ("text", "embedded"),
    [
        ("配送先を実家に変更してください。カード番号 <CARD> で支払いました。", "配送先を実家に変更してください。"),
        ("配送先を実家に変更してください。連絡先は <EMAIL> です。", "配送先を実家に変更してください。"),
        (
            "ラッピングをお願いしたいのですが、メッセージカードも付けられますか。電話番号 <PHONE> までご連絡ください。",
            "ラッピングをお願いしたいのですが、メッセージカードも付けられますか。",
        ),
        # the placeholder is in the only sentence: the message is what it says, kept whole
        ("注文番号 <ORDER> の商品がまだ届きません。", "注文番号 <ORDER> の商品がまだ届きません。"),
        ("<EMAIL>", "<EMAIL>"),
        # no placeholder: unchanged, angle brackets a customer typed included
        ("サイズは<M>でお願いします。", "サイズは<M>でお願いします。"),
        ("返品したいです。理由はサイズです。", "返品したいです。理由はサイズです。"),
    ],
)
def test_detail_only_sentences_are_left_out(text, embedded):
    assert without_details(text) == embedded


def test_own_product_becomes_the_stand_in():
    texts = [
        "帆布トートバッグを注文してから5日経ちますが、まだ届きません。",
        "羽毛布団 シングルを注文してから5日経ちますが、まだ届きません。連絡先は <EMAIL> です。",
        "ヨガマットが届きません。",  # names a product that is not its own: kept
        "土鍋が割れていました。",  # no product on the record
    ]
    products = ["帆布トートバッグ", "羽毛布団 シングル", "電気ケトル", None]
    assert embedded_texts(texts, products) == [
        "商品を注文してから5日経ちますが、まだ届きません。",
        "商品を注文してから5日経ちますが、まだ届きません。",
        "ヨガマットが届きません。",
        "土鍋が割れていました。",
    ]


def test_long_input_is_linear():
    """Customer text is untrusted: a long run without sentence ends or with many placeholders stays fast."""
    import time

    text = ("あ" * 200_000) + "。" + ("<CARD> " * 50_000) + "。"
    start = time.perf_counter()
    assert without_details(text) == "あ" * 200_000 + "。"
    assert time.perf_counter() - start < 10  # a backtracking pattern would take minutes; a busy machine is not a fail


def test_quotes_leave_out_pasted_details_and_repeat_nothing():
    texts = [
        "ラッピングをお願いしたいのですが、メッセージカードも付けられますか。",
        "ラッピングをお願いしたいのですが、メッセージカードも付けられますか。カード番号 <CARD> で支払いました。",
        "ギフト包装してほしいです <EMAIL>",  # the only sentence holds it: quoted as it is (redacted)
        "お届け予定日になっても商品が届きません。配送業者に聞いても分からないと言われました。<ORDER> です。",
    ]
    assert distinct_quotes(texts) == [
        texts[0],
        texts[2],
        "お届け予定日になっても商品が届きません。配送業者に聞いても分からないと言われました。",
    ]


def test_quotes_say_one_thing_once_whatever_product_or_number_they_name():
    texts = [
        "ウールソックスを追加で1つ同梱していただきたいです。",
        "ダウンジャケットを追加で1つ同梱していただきたいです。",  # the same request for another product
        "返金の処理状況を教えてください。1週間待っていますがカードに戻っていません。",
        "返金の処理状況を教えてください。一週間以上待っていますがカードに戻っていません。",
        "追跡番号で調べても反映されず、ダウンジャケットがまだ届いていない状態です。",
        "カートに商品を入れても反映されず、注文できません。",  # shares 反映されず, says something else
    ]
    products = ["ウールソックス", "ダウンジャケット", None, None, "ダウンジャケット", None]
    assert distinct_quotes(texts, products) == [texts[0], texts[2], texts[4], texts[5]]
    assert distinct_quotes(texts, products, n=2) == [texts[0], texts[2]]
    # without the products the two 同梱 requests differ by more than their product name
    assert distinct_quotes(texts[:2]) == texts[:2]
