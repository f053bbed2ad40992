"""Marketplace review exports: presets for the 楽天 RMS and futureshop layouts, and the generic one."""

import pytest

from sources.parse import parse_rating
from sources.records import SourceError
from sources.reviews import read_reviews

RAKUTEN = (
    "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,レビュー本文,フラグ,注文番号,未対応フラグ\n"
    "商品レビュー,ステンレス水筒 500ml,https://review.rakuten.co.jp/item/1/111_222/1.1/,5,"
    "2026/11/03 21:14:09,保冷力抜群,朝入れた氷が夕方まで残っていました。,0,123456-20261101-0000001,0\n"
    "商品レビュー,リネンシャツ,https://review.rakuten.co.jp/item/1/111_333/2.1/,2,"
    "2026/11/04 08:02:51,サイズが小さい,表記より明らかに小さく、返品しました。,0,123456-20261102-0000002,1\n"
)
FUTURESHOP = (
    "レビューID,会員ID,購入者,投稿日,ステータス,商品番号(投稿時),商品名(投稿時),商品URL,ニックネーム,おすすめ度区分,内容\n"
    "801,5501,購入者,2026/11/05,公開,MUG-01,陶器マグカップ,https://shop.example.jp/c/MUG-01,まる,1,"
    "届いた時点で取っ手が欠けていました。\n"
)


def test_rakuten_review_preset(tmp_path):
    path = tmp_path / "rakuten_reviews.csv"
    path.write_bytes(RAKUTEN.encode("cp932"))  # RMS downloads are Shift_JIS (CP932)
    result = read_reviews(path, source="rakuten", preset="rakuten")
    assert not result.rejects
    first, second = result.records
    assert (first.rating, first.title, first.product) == (5.0, "保冷力抜群", "ステンレス水筒 500ml")
    assert first.kind == "review"
    assert first.external_id == "https://review.rakuten.co.jp/item/1/111_222/1.1/"
    assert str(second.created_at) == "2026-11-04 08:02:51" and second.rating == 2.0
    # the order number column is personal data and deliberately not mapped
    assert all("123456-2026" not in (r.body + (r.title or "")) for r in result.records)


def test_futureshop_review_preset_keeps_product_ids(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(FUTURESHOP, encoding="utf-8")
    (record,) = read_reviews(path, source="futureshop", preset="futureshop").records
    assert (record.external_id, record.product_id, record.rating) == ("801", "MUG-01", 1.0)
    assert record.product == "陶器マグカップ"
    assert record.body == "届いた時点で取っ手が欠けていました。"


def test_generic_review_export_and_marketplace_rating_forms(tmp_path):
    path = tmp_path / "amazon_like.csv"
    path.write_text(
        "asin,date,rating,title,review\n"
        "B0TEST0001,2026-11-06,5つ星のうち4.0,悪くない,音は良いが片耳が少し緩いです。\n"
        "B0TEST0002,2026-11-06,1.0 out of 5 stars,最悪,ケースが割れて届きました。\n",
        encoding="utf-8",
    )
    result = read_reviews(path, source="amazon", preset="generic")
    assert [(r.product_id, r.rating) for r in result.records] == [("B0TEST0001", 4.0), ("B0TEST0002", 1.0)]
    assert parse_rating("★★☆☆☆") == 2.0 and parse_rating("4点") == 4.0
    with pytest.raises(ValueError, match="outside 1-5"):
        parse_rating("5つ星のうち6")


def test_review_preset_errors_name_the_problem(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("商品名,評価,コメント本文\nマグ,5,良い\n", encoding="utf-8")
    with pytest.raises(SourceError, match="preset 'rakuten' expects a column 'レビュー本文'"):
        read_reviews(path, source="rakuten", preset="rakuten")
    with pytest.raises(SourceError, match="unknown review preset 'yahoo'"):
        read_reviews(path, source="y", preset="yahoo")
