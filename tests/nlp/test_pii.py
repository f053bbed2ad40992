"""Table-driven redaction tests: real Japanese formats must be redacted, near misses must survive."""

import pytest

from nlp.normalize import normalize_text
from nlp.pii import luhn_valid, make_redactor, redact


def clean(text: str) -> str:
    return redact(normalize_text(text, courtesy=False))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("連絡先は taro.yamada@example.co.jp です", "連絡先は <EMAIL> です"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ に返信ください", "<EMAIL> に返信ください"),
        ("電話は03-1234-5678です", "電話は<PHONE>です"),
        ("電話は０９０－１２３４－５６７８です", "電話は<PHONE>です"),  # full-width digits and hyphens
        ("携帯 09012345678 まで", "携帯 <PHONE> まで"),
        ("090ー1234ー5678へ", "<PHONE>へ"),  # katakana long mark typed as a hyphen
        ("フリーダイヤル0120-123-456", "フリーダイヤル<PHONE>"),
        ("0800-123-4567に電話", "<PHONE>に電話"),
        ("03(1234)5678", "<PHONE>"),
        ("+81-90-1234-5678", "<PHONE>"),
        ("〒150-0001 まで", "<POSTAL> まで"),
        ("郵便番号 150-0001", "郵便番号 <POSTAL>"),
        ("住所は大阪府大阪市北区梅田2丁目4番9号です", "住所は<ADDRESS>です"),
        ("東京都渋谷区神宮前1-2-3 メゾン101号室に届けて", "<ADDRESS>に届けて"),
        ("カード 4111 1111 1111 1111 で払った", "カード <CARD> で払った"),
        ("カード番号は5555-5555-5555-4444", "カード番号は<CARD>"),
        ("注文番号：AB-20240115-001 の件", "<ORDER> の件"),
        ("ご注文番号は KM-123456 です", "<ORDER> です"),
        ("アマゾンの 250-1234567-1234567 が届かない", "アマゾンの <ORDER> が届かない"),
        ("https://shop.example.jp/reset?token=abcdef123 を開いた", "<URL> を開いた"),
        ("https://shop.example.jp/s/9f8e7d6c5b4a39281706f5e4d3c2b1a0 から", "<URL> から"),
    ],
)
def test_personal_data_is_redacted(text, expected):
    assert clean(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15に注文しました",
        "2024/01/15 10:30 に届く予定",
        "¥12,800 の商品です",
        "価格は3,980円でした",
        "型番 ABC-1234-5678 の部品",
        "サイズ 23.5cm を注文",
        "JAN 4901234567894 の商品",  # 13-digit barcode: Luhn-valid by chance, not a card
        "4111 1111 1111 1112 は番号違い",  # fails Luhn
        "https://shop.example.jp/item/123 の商品",
        "在庫は100個あります",
        "3日から5日で届きます",
    ],
)
def test_near_misses_survive(text):
    assert clean(text) == normalize_text(text, courtesy=False)


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_shop_specific_order_pattern():
    redactor = make_redactor([r"KOE\d{8}"])
    assert redactor("KOE20241234 の件です") == "<ORDER> の件です"
    assert redact("KOE20241234 の件です") == "KOE20241234 の件です"


LONG_RUNS = {
    "letters": "a",
    "digits": "1",
    "kanji": "東",
    "kana": "あ",
    "dots": "a.",
    "dashes": "1-",
    "at signs": "a@",
    "spaces": "a ",
    "e-mail-like": "a@b.",
    "phone-like": "090-",
    "full-width digits": "１２３",
    "address-like": "東京都港区1-",
    "url-like": "http://x/",
}


@pytest.mark.parametrize("unit", list(LONG_RUNS.values()), ids=list(LONG_RUNS))
def test_no_pattern_backtracks_on_a_long_run(unit):
    """Half a million characters of one class, through every step a text takes before it is stored
    (normalize, redact, type). The e-mail pattern was quadratic on a run of letters: 48 s at 160k
    characters, over 15 minutes at 2M; linear, each case takes well under a second here (2M: 0.3-1.1 s)."""
    import time

    from nlp.prepare import prepare

    text = (unit * (500_000 // len(unit) + 1))[:500_000]
    start = time.perf_counter()
    prepare(text, redactor=redact)
    assert time.perf_counter() - start < 20  # quadratic would take minutes; a busy machine is not a fail
