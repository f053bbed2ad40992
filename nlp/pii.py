"""Personal-data redaction: typed placeholders replace e-mails, phones, postal codes, addresses, cards,
order numbers and token-carrying URLs before any text is stored or shown.

Runs on NFKC-normalized text (full-width digits are already ASCII). Patterns are anchored on non-digit
boundaries so that dates (2024-01-15), prices (¥12,800) and product codes (ABC-1234) survive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_DASH = r"[-‐‑‒–—−ー]"  # customers type phone numbers with any of these, katakana ー included
_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z\-])"
_NOT_DIGIT_AFTER = r"(?![0-9\-])"

# the lookbehind starts a match only where a run of address characters starts: without it a long run of
# letters or digits with no "@" was tried from every position (quadratic: 48 s at 160k characters)
_EMAIL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
EMAIL = re.compile(rf"<{_EMAIL}>|{_EMAIL}")  # "名前 <a@b.jp>" loses its brackets with the address
URL = re.compile(r"https?://[^\s<>\"'、。）)」]+")
_URL_SECRET = re.compile(
    r"[?&#](?:token|access_token|auth|key|api_key|sig|signature|session|sid|code|password|pw|secret|otp|reset)=",
    re.IGNORECASE,
)
_URL_RANDOM_SEGMENT = re.compile(r"/[A-Za-z0-9_\-]{24,}(?:/|$|\?)")
PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:"
    # 03-1234-5678, 090-1234-5678, 03(1234)5678, +81-90-1234-5678
    + rf"(?:\+81{_DASH}?|0)(?:\d{{1,4}}){_DASH}?\(?\d{{1,4}}\)?{_DASH}?\d{{3,4}}"
    + rf"|0120{_DASH}?\d{{2,3}}{_DASH}?\d{{3,4}}|0800{_DASH}?\d{{3}}{_DASH}?\d{{4}}"
    + r")"
    + _NOT_DIGIT_AFTER
)
POSTAL = re.compile(rf"〒\s?\d{{3}}{_DASH}?\d{{4}}|{_NOT_DIGIT_BEFORE}\d{{3}}{_DASH}\d{{4}}{_NOT_DIGIT_AFTER}")
_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|"
    "富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|"
    "鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|"
    "鹿児島県|沖縄県"
)
# A prefecture (or a city/ward) followed by a block number such as 1-2-3 or 1丁目2番3号: a street address.
ADDRESS = re.compile(
    rf"(?:{_PREFECTURES})?[一-龥々ヶケァ-ヴー]{{1,10}}?[市区町村郡][^\s、。,!?]{{0,16}}?"
    rf"\d+(?:丁目|{_DASH})\s?\d+(?:番地?|{_DASH})?\s?(?:\d+号?)?(?:\s?[^\s、。,!?]{{0,20}}?\d+号室)?"
)
# Issuer prefixes 2-6 and 14-19 digits: a 13-digit JAN barcode (49...) can pass Luhn by chance.
CARD_CANDIDATE = re.compile(r"(?<![0-9])[2-6](?:[ \-]?\d){13,18}(?![0-9])")
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    # keyword-anchored: 注文番号: ABC-123456 / ご注文番号 12345678
    r"(?:ご?注文番号|受注番号|オーダー番号|注文ID|order\s*(?:no\.?|number|id|#))\s*(?:は|[:：#])?\s*[A-Za-z0-9][A-Za-z0-9\-]{5,}",
    r"(?<![0-9])\d{3}-\d{7}-\d{7}(?![0-9])",  # Amazon.co.jp order id
    r"(?<![0-9])\d{6}-\d{8}-\d{7,10}(?![0-9])",  # Rakuten order id
)


def luhn_valid(digits: str) -> bool:
    """Luhn checksum, so that long product codes and tracking numbers are not taken for cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _redact_cards(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        return "<CARD>" if 14 <= len(digits) <= 19 and luhn_valid(digits) else m.group()

    return CARD_CANDIDATE.sub(repl, text)


def _redact_urls(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        url = m.group()
        return "<URL>" if _URL_SECRET.search(url) or _URL_RANDOM_SEGMENT.search(url) else url

    return URL.sub(repl, text)


@dataclass(frozen=True)
class Redactor:
    """Redacts personal data; `order_patterns` lets a shop add its own order-number formats."""

    order_patterns: tuple[str, ...] = DEFAULT_ORDER_PATTERNS
    _orders: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_orders", tuple(re.compile(p, re.IGNORECASE) for p in self.order_patterns))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        text = _redact_urls(text)
        text = EMAIL.sub("<EMAIL>", text)
        for pattern in self._orders:  # before cards/phones: order ids are long digit runs too
            text = pattern.sub("<ORDER>", text)
        text = _redact_cards(text)
        text = PHONE.sub("<PHONE>", text)
        text = POSTAL.sub("<POSTAL>", text)
        return ADDRESS.sub("<ADDRESS>", text)


def make_redactor(extra_order_patterns: Iterable[str] = ()) -> Redactor:
    return Redactor(order_patterns=DEFAULT_ORDER_PATTERNS + tuple(extra_order_patterns))


redact = Redactor()
