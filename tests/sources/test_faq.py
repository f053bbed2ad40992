"""FAQ import formats, including a messy saved HTML page (navigation, scripts, three Q/A shapes)."""

import json
from pathlib import Path

import pytest

from sources.faq import read_faq
from sources.records import SourceError

DATA = Path(__file__).resolve().parents[1] / "data" / "faq"


def test_messy_html_page():
    entries, rejects = read_faq(DATA / "messy_faq.html")
    got = {(e.category, e.question, e.answer) for e in entries}
    assert got == {
        ("送料・手数料", "送料はいくらですか?", "全国一律550円です。 5,000円以上のご注文で 送料無料 になります。"),
        ("送料・手数料", "代引き手数料はかかりますか?", "330円を頂戴します。"),
        ("お支払い方法", "使えるクレジットカードは?", "VISA、Mastercard、JCB、AMEX がご利用いただけます。"),
        (
            "お支払い方法",
            "コンビニ払いはできますか?",
            "はい。ご注文後に届く払込票でお支払いください。 期限は7日間です。",
        ),
        ("返品・キャンセル", "返品はできますか?", "商品到着後7日以内にマイページからお申し込みください。"),
        ("返品・キャンセル", "注文をキャンセルしたい", "発送前であればキャンセルできます。"),
    }
    assert not any("gtag" in e.answer or "トップ" in e.answer or "©" in e.answer for e in entries)
    assert [r.reason for r in rejects] == ["no answer for '空の質問?'"]


def test_csv_with_japanese_headers_and_cp932(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_bytes(
        "カテゴリ,質問,回答,URL\n配送,Q. 何日で届きますか？,A. 2〜4営業日です。,https://example.jp/faq#1\n"
        "配送,日時指定は？,\n".encode("cp932")
    )
    entries, rejects = read_faq(path)
    assert [(e.category, e.question, e.answer, e.url) for e in entries] == [
        # CP932 has no WAVE DASH: 〜 comes back as FULLWIDTH TILDE, which NFKC makes "~"
        ("配送", "何日で届きますか?", "2~4営業日です。", "https://example.jp/faq#1")
    ]
    assert [str(r) for r in rejects] == [f"{path}:3: no answer for '日時指定は?'"]


def test_jsonl(tmp_path):
    path = tmp_path / "faq.jsonl"
    rows = [
        {
            "question": "ギフト包装はできますか？",
            "answer": "1点220円で承ります。",
            "category": "サービス概要",
            "updated": "2026-10-01",
        }
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    entry = read_faq(path)[0][0]
    assert (entry.question, entry.updated) == ("ギフト包装はできますか?", "2026-10-01")


def test_markdown(tmp_path):
    path = tmp_path / "faq.md"
    path.write_text(
        "# よくある質問\n\n## 返品・キャンセル\n\n### 返品の送料は？\n\n不良品は当店負担です。\n"
        "それ以外はお客様負担です。\n\n## 会員\n\nQ: パスワードを忘れました\n再設定してください。\n",
        encoding="utf-8",
    )
    entries, _ = read_faq(path)
    assert [(e.category, e.question, e.answer) for e in entries] == [
        ("返品・キャンセル", "返品の送料は?", "不良品は当店負担です。 それ以外はお客様負担です。"),
        ("会員", "パスワードを忘れました", "再設定してください。"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faq.pdf", "x", "unsupported FAQ file type"),
        ("faq.csv", "id,text\n1,x\n", "needs question and answer columns"),
        ("faq.html", "<html><body><p>工事中</p></body></html>", "no question/answer pairs found"),
    ],
)
def test_unusable_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        read_faq(path)


def test_repeated_questions_are_reported_by_line_never_merged_silently(tmp_path):
    """issue #16: `koe faq import` merged entries with the same question without a word. The first is kept;
    an exact repeat is reported merged, a repeat with another answer rejected, each with its line."""
    path = tmp_path / "faq.csv"
    path.write_text(
        "質問,回答\n送料はいくらですか？,全国一律550円です。\n返品できますか？,7日以内なら可能です。\n"
        "送料はいくらですか？,全国一律550円です。\n送料はいくらですか？,無料です。\n",
        encoding="utf-8",
    )
    entries, rejects = read_faq(path)
    assert [(e.question, e.answer) for e in entries] == [
        ("送料はいくらですか?", "全国一律550円です。"),  # NFKC: ？ -> ?
        ("返品できますか?", "7日以内なら可能です。"),
    ]
    assert [str(r) for r in rejects] == [
        f"{path}:4: same entry as {path}:2: merged",
        f"{path}:5: same question as {path}:2 with another answer: the first is kept",
    ]
