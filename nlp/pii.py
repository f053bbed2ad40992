"""Personal-data redaction: typed placeholders replace e-mails, phones, postal codes, addresses, cards,
order numbers, token-carrying URLs, My Numbers, bank accounts, LINE IDs, IP addresses, birth dates and
names (written with an honorific, or a surname and given name UniDic knows) before any text is stored or
shown.

Runs on NFKC-normalized text (full-width digits are already ASCII). Patterns are anchored on non-digit
boundaries so that dates (2024-01-15), prices (¥12,800) and product codes (ABC-1234) survive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_DASH = r"[-‐‑‒–—―−ーｰ]"  # customers type phone numbers with any of these, katakana ー and U+2015 included
_PHONE_SEP = rf"(?:{_DASH}|[ .])"  # 090 1234 5678, 080.1234.5678
_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z\-])"
_NOT_DIGIT_AFTER = r"(?![0-9\-])"

# the lookbehind starts a match only where a run of address characters starts: without it a long run of
# letters or digits with no "@" was tried from every position (quadratic: 48 s at 160k characters)
_EMAIL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
EMAIL = re.compile(rf"<{_EMAIL}>|{_EMAIL}")  # "名前 <a@b.jp>" loses its brackets with the address
# how customers hide an address from bots: a @ b.jp, a (at) b.jp, a[at]b.jp, a at b dot jp, a(アットマーク)b.jp
_AT = r"(?:\s?@\s?|\s?[(\[<]at[)\]>]\s?|\sat\s|\s?[(\[<]?(?:アットマーク|あっとまーく|アット)[)\]>]?\s?)"
_DOT = r"(?:\s?\.\s?|\s?[(\[<]dot[)\]>]\s?|\sdot\s)"
OBFUSCATED_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{{1,64}}{_AT}[A-Za-z0-9\-]{{1,63}}(?:{_DOT}[A-Za-z0-9\-]{{1,63}}){{0,4}}"
    rf"{_DOT}[A-Za-z]{{2,6}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s<>\"'、。）)」]+")
_URL_SECRET = re.compile(
    r"[?&#;](?:token|access_token|auth|key|api_key|sig|signature|session|sessionid|jsessionid|phpsessid|sid|t|"
    r"ticket|code|password|pw|secret|otp|reset)=",
    re.IGNORECASE,
)
_URL_RANDOM_SEGMENT = re.compile(r"/[A-Za-z0-9_\-]{24,}(?:/|$|\?)")
_URL_PATH_SEGMENTS = re.compile(r"[/?#]")
PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:"
    # 03-1234-5678, 090 1234 5678, 080.1234.5678, 03(1234)5678, (03)1234-5678, +81 90 1234 5678
    + rf"(?:\+81{_PHONE_SEP}?\(?0?|\(0|0)\d{{1,4}}\)?{_PHONE_SEP}?\(?\d{{1,4}}\)?{_PHONE_SEP}?\d{{3,4}}"
    + rf"|0120{_PHONE_SEP}?\d{{2,3}}{_PHONE_SEP}?\d{{3,4}}|0800{_PHONE_SEP}?\d{{3}}{_PHONE_SEP}?\d{{4}}"
    + r")"
    + _NOT_DIGIT_AFTER
)
POSTAL = re.compile(
    rf"〒\s?\d{{3}}{_DASH}?\d{{4}}"
    # 郵便番号 1234567: seven digits alone only after the keyword (the keyword stays, like 「郵便番号 <POSTAL>」)
    r"|(?:(?<=郵便番号)|(?<=郵便番号 )|(?<=郵便番号:)|(?<=郵便番号：)|(?<=郵便番号: ))"
    rf"\d{{3}}{_DASH}?\d{{4}}{_NOT_DIGIT_AFTER}"
    rf"|{_NOT_DIGIT_BEFORE}\d{{3}}{_DASH}\d{{4}}{_NOT_DIGIT_AFTER}"
)
_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|新潟県|"
    "富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|奈良県|和歌山県|"
    "鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|"
    "鹿児島県|沖縄県"
)
_KANJI_NUMBER = "[一二三四五六七八九十〇]{1,3}"
_BLOCK = rf"(?:\d+|{_KANJI_NUMBER})"
# A prefecture (or a city/ward) followed by a block number such as 1-2-3, 1丁目2番3号 or 一丁目2番3号: a
# street address. No hiragana between the ward and the number: 「この地区だと2-4日」 is a delivery time; but
# after a prefecture any town name (横浜市西区みなとみらい2-3-1), and without one a の/が/ケ inside a town
# name (千代田区丸の内1-9-1, 目黒区自由が丘). A building and its floor or room may follow (キャロットタワー 5F).
_TOWN = r"(?:[^\s、。,!?ぁ-ん]|[のがケヶ](?=[一-龥々ァ-ヴー]))"
ADDRESS = re.compile(
    rf"(?:(?:{_PREFECTURES})[一-龥々ヶケァ-ヴー]{{1,10}}?[市区町村郡][^\s、。,!?]{{0,16}}?"
    rf"|[一-龥々ヶケァ-ヴー]{{1,10}}?[市区町村郡]{_TOWN}{{0,16}}?)"
    rf"{_BLOCK}(?:丁目|{_DASH})\s?\d+(?:番地?|{_DASH})?\s?(?:\d+号?)?"
    r"(?:\s?[^\s、。,!?]{1,20}?\s?\d{1,4}(?:号室|階|F|f)(?![A-Za-z]))?"
)
# Sapporo's grid (北1条西2丁目) and Kyoto's streets (烏丸通四条上る, 河原町通三条下ル)
GRID_ADDRESS = re.compile(
    r"[東西南北]\d{1,2}条[東西南北]?\d{0,2}丁目(?:\d+(?:番地?|-)?\d*号?)?"
    r"|(?:(?![市区村郡])[一-龥々]){1,6}通[一-龥々]{0,6}(?:上る|上ル|下る|下ル|東入る?|東入ル|西入る?|西入ル)"
)
# a building and its room without 号室: メゾン青山 203 / コーポ田中201号 / ハイツ 1-201
ROOM = re.compile(
    r"(?:マンション|ハイツ|アパート|コーポ|レジデンス|メゾン|ヴィラ|パレス|荘)[一-龥々ァ-ヴーA-Za-z]{0,10}\s?"
    r"(?:\d{1,2}-)?\d{3,4}号?(?![0-9])"
)
# Issuer prefixes 2-6 and 14-19 digits: a 13-digit JAN barcode (49...) can pass Luhn by chance.
CARD_CANDIDATE = re.compile(r"(?<![0-9])[2-6](?:[ .\-]?\d){13,18}(?![0-9])")
DEFAULT_ORDER_PATTERNS: tuple[str, ...] = (
    # keyword-anchored: 注文番号: ABC-123456 / ご注文番号 12345678
    r"(?:ご?注文(?:番号|No\.?|ID)|受注(?:番号|No\.?|ID)|オーダー(?:番号|ID|No\.?)|order\s*(?:no\.?|number|id|#))"
    r"\s*(?:は|[:：#])?\s*[A-Za-z0-9][A-Za-z0-9\-_]{5,}",
    r"(?<![A-Za-z0-9\-])[a-z][a-z0-9_]{2,19}-\d{8,10}(?![0-9])",  # Yahoo!ショッピング: store-10000123
    r"(?<![0-9])\d{3}-\d{7}-\d{7}(?![0-9])",  # Amazon.co.jp order id
    r"(?<![0-9])\d{6}-\d{8}-\d{7,10}(?![0-9])",  # Rakuten order id
)


# 個人番号 (My Number): 12 digits, also as 4-4-4; kept apart from other 12-digit runs by its check digit
MY_NUMBER = re.compile(r"(?<![0-9])(?<![0-9][ \-])\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![ \-]?[0-9])")
BANK_ACCOUNT = re.compile(
    r"(?:普通|当座|貯蓄)(?:預金)?\s*(?:口座)?\s*(?:番号)?\s*[:：]?\s*\d{6,8}(?![0-9])"
    r"|口座番号\s*(?:は|[:：])?\s*\d{6,8}(?![0-9])"
)
# a labelled 個人番号 is one whatever its check digit says (a customer mistypes a digit of it as easily as of
# any number); unlabelled 12-digit runs still need the check digit (MY_NUMBER)
LABELLED_MY_NUMBER = re.compile(
    r"((?:マイナンバー|個人番号)\s*(?:は|[:：])?\s*)\d{4}[ \-]?\d{4}[ \-]?\d{4}(?![ \-]?[0-9])"
)
# a name pasted from a form after its label, in any script: 「フリガナ：ヤマダタロウ」「お名前: やまだ はなこ」
_NAME_WORD = r"[一-龥々ぁ-ゖァ-ヺーA-Za-z]{1,12}"
LABELLED_NAME = re.compile(
    r"((?:お名前|氏名|名前|フリガナ|ふりがな|カナ氏名|受取人|宛名|ご依頼主|依頼主|送り主|ご注文者|注文者)\s*[:：]\s*)"
    rf"{_NAME_WORD}(?:[ 　](?!です|でした|で[ 、。]|と申|様|さん){_NAME_WORD})?(?![一-龥々ぁ-ゖァ-ヺーA-Za-z])"
)
# a parcel's tracking number after its label: with it anyone reads the delivery (and often the name)
TRACKING = re.compile(
    r"(?:追跡番号|お問い合わせ番号|お問合せ番号|問い合わせ番号|伝票番号|送り状番号)\s*(?:は|[:：])?\s*\d[\d\-]{9,15}(?![0-9])"
)
# the rest of a card after its label: expiry and security code
CARD_DETAILS = re.compile(
    r"有効期限\s*(?:は|[:：])?\s*\d{1,2}\s?[/月]\s?(?:20)?\d{2}年?"
    r"|(?:セキュリティ\s?コード|セキュリティ番号|CVV|CVC)\s*(?:は|[:：])?\s*\d{3,4}(?![0-9])",
    re.IGNORECASE,
)
# a secret a customer pastes after its label: 「パスワードは abc12345 です」 (not 「パスワードは8文字以上」)
PASSWORD = re.compile(r"(?:パスワード|暗証番号|PW|password)\s*(?:は|[:：])\s*[!-~]{4,64}", re.IGNORECASE)
# the shop's own account ids, after their label: 「会員ID: user_83921」「お客様番号 1234567」
MEMBER_ID = re.compile(
    r"(?:会員|ユーザー?|アカウント|ログイン|お客様|顧客)\s*(?:ID|番号|No\.?|ナンバー)\s*(?:は|[:：])?\s*"
    r"@?[A-Za-z0-9][A-Za-z0-9._\-]{2,39}",
    re.IGNORECASE,
)
# identity documents and other official numbers after their label: 「免許証番号 123456789012」「パスポート番号
# TK1234567」
LABELLED_ID = re.compile(
    r"(?:(?:運転)?免許証?番号|パスポート番号|旅券番号|(?:健康)?保険証の?(?:記号)?番号|被保険者番号|基礎年金番号"
    r"|在留カード番号|社員番号|学籍番号)\s*(?:は|[:：])?\s*[A-Za-z]{0,3}\d(?:[\s\-]?\d){3,19}",
    re.IGNORECASE,
)
LINE_ID = re.compile(r"(?:LINE|ライン)\s*(?:の\s*)?ID\s*(?:は|[:：])?\s*@?[A-Za-z0-9._\-]{3,20}", re.IGNORECASE)
IP_ADDRESS = re.compile(r"(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9.])")
_DATE = (
    r"(?:\d{4}\s?[年/.\-]\s?\d{1,2}\s?[月/.\-]\s?\d{1,2}日?"
    r"|(?:昭和|平成|令和)\s?(?:元|\d{1,2})年\s?\d{1,2}月\s?\d{1,2}日)"
)
BIRTHDATE = re.compile(rf"(?:生年月日|誕生日)\s*(?:は|[:：])?\s*{_DATE}")
# a name with its honorific (山田太郎様, 佐藤 花子さん, 鈴木さま); not the words that take one (お客様, 皆様)
_NOT_NAMES = (
    "お客|客|皆|各|担当者|ご担当者|ご担当|担当|店長|店員|業者|配達員|ドライバー|運送会社|宅配業者|オペレーター|"
    "スタッフ|お届け先|ご依頼主|依頼主|ご注文者|注文者|購入者|送り主|神|王|お疲れ|ご苦労|お世話|皆さん|みな|奥|旦那|お子|子供|"
    "お父|お母|おじい|おばあ|お兄|お姉|弟|妹|娘|息子|先生|社長|部長|課長|係長|主任|会員|利用者|様々|"
    "板前|女将|仲居|中居|職人|芸者|大将|彼|模|契約農家"
)
PERSON_NAME = re.compile(
    # not after an honorific prefix (お子様, ご主人様) nor inside a word; a given name in hiragana only after a
    # space; occupations (板前さん, 従業員さん, 食べ物屋さん) are no names either. Of the 48k asdc requests the
    # pattern matched 574 (「子供用のお子様」, 「板前さん」, 「模様」, 「多種多様」 ...), now 3, none a name either
    rf"(?<![一-龥々ァ-ヴーおご])(?!(?:{_NOT_NAMES})(?:様|さま|さん|殿|氏))"
    r"[一-龥々]{1,4}(?:\s?[一-龥々ァ-ヴー]{1,4}|\s[ぁ-ゖ]{1,4})?(?<![屋員多同仕])(?=\s?(?:様(?![式々])|さま|さん|殿|氏))"
)


def my_number_valid(digits: str) -> bool:
    """The check digit of a 12-digit 個人番号 (the rule the Cabinet Office publishes)."""
    body, check = [int(d) for d in digits[:11]], int(digits[11])
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return check == (0 if remainder <= 1 else 11 - remainder)


def _redact_my_numbers(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        return "<MYNUMBER>" if my_number_valid(digits) else m.group()

    return MY_NUMBER.sub(repl, text)


def _redact_ips(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return "<IP>" if all(int(part) <= 255 for part in m.group().split(".")) else m.group()

    return IP_ADDRESS.sub(repl, text)


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


def _redact_phones(text: str) -> str:
    """Japanese numbers have 10 or 11 digits (12 or 13 written with +81): 01.02.2026 is a date, not a phone."""

    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group())
        count = len(digits) - (2 if digits.startswith("81") and m.group().startswith("+") else 0)
        return "<PHONE>" if 10 <= count + (1 if m.group().startswith("+") else 0) <= 11 else m.group()

    return PHONE.sub(repl, text)


def _identifying_segment(segment: str) -> bool:
    """A path segment that names one customer's order, receipt or session: ten digits or more
    (/orders/250-1234567-1234567), or twelve characters or more mixing digits and letters
    (/orders/8f3a9c2e7b1d4e6f). A product page's short id (/items/B08XYZ1234) is not one."""
    digits = sum(ch.isdigit() for ch in segment)
    letters = sum(ch.isalpha() for ch in segment)
    return digits >= 10 or (len(segment) >= 12 and digits >= 3 and letters >= 3)


def _redact_urls(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        url = m.group()
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""  # after scheme://host/
        secret = _URL_SECRET.search(url) or _URL_RANDOM_SEGMENT.search(url)
        return "<URL>" if secret or any(map(_identifying_segment, _URL_PATH_SEGMENTS.split(path))) else url

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
        text = OBFUSCATED_EMAIL.sub("<EMAIL>", text)
        for pattern in self._orders:  # before cards/phones: order ids are long digit runs too
            text = pattern.sub("<ORDER>", text)
        text = BIRTHDATE.sub("<BIRTHDATE>", text)  # before the digit patterns take its numbers
        text = BANK_ACCOUNT.sub("<ACCOUNT>", text)
        text = LINE_ID.sub("<LINE_ID>", text)
        text = MEMBER_ID.sub("<MEMBER_ID>", text)
        text = LABELLED_ID.sub("<ID>", text)
        text = TRACKING.sub("<TRACKING>", text)
        text = CARD_DETAILS.sub("<CARD>", text)
        text = PASSWORD.sub("<PASSWORD>", text)
        text = LABELLED_MY_NUMBER.sub(r"\1<MYNUMBER>", text)
        text = _redact_cards(text)
        text = _redact_my_numbers(text)
        text = _redact_ips(text)
        text = _redact_phones(text)
        text = POSTAL.sub("<POSTAL>", text)
        text = ADDRESS.sub("<ADDRESS>", text)
        text = GRID_ADDRESS.sub("<ADDRESS>", text)
        text = ROOM.sub("<ADDRESS>", text)
        text = _redact_tagged_names(PERSON_NAME.sub("<NAME>", text))
        return NAME_READING.sub("<NAME>", LABELLED_NAME.sub(r"\1<NAME>", text))


# what follows a surname alone when a customer introduces themself: 「佐藤と申します」, or 「田中です。」
# opening a sentence (not 「最寄りは梅田です」: there the place does not open it)
_SELF_INTRODUCTION = re.compile(r"\s?(?:と申し|と申す|といい|と言い|と云い)")
_SURNAME_OPENING = re.compile(r"\s?です(?:[。、,.!！\s]|$)")
# the reading a customer adds after their name: 「佐藤花子（さとうはなこ）」
NAME_READING = re.compile(r"<NAME>\s?\((?:[ぁ-ゖァ-ヺー・ 　]{2,24}|<NAME>)\)")
_NAME_CHARS = re.compile(r"^[一-龥々ァ-ヴー]+$")
_KANJI = re.compile(r"[一-龥々]")
# sentences, cut at 256 characters: MeCab's unknown-word search is quadratic in an unbroken run of one
# character class (2M katakana took 32 s in 10k-character pieces); a name across such a cut is missed
_NAME_PIECE = re.compile(r"[^。！？!?\n]{1,256}[。！？!?\n]?")


def _tagged_name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the person names UniDic knows written without an honorific: a surname followed by a given
    name (山田太郎, 佐藤 花子), or a surname introducing its writer (佐藤と申します). A lone surname is not
    enough: 堀, 羽田, 金沢 and 梅田 are places too. Of 48,829 real requests and review texts (asdc,
    quasi-reviews) the surname + given name rule matched 5, one a name (浅田真央) and four idioms split by
    UniDic (四季彩, 幸三昧, 深山幽谷, 四方八方): a lost idiom is cheaper than a stored name. Only sentences
    with a kanji are tagged (a surname has one)."""
    from nlp.tokenize import tagger

    spans: list[tuple[int, int]] = []
    for piece in _NAME_PIECE.finditer(text):
        if not _KANJI.search(piece.group()):
            continue
        nodes: list[tuple[int, int, str, str]] = []
        at = piece.start()
        for node in tagger()(piece.group()):
            at += len(node.white_space)
            if text[at : at + len(node.surface)] != node.surface:  # offsets lost (never seen): no names here
                nodes = []
                break
            f = node.feature_raw.split(",", 5)
            nodes.append((at, at + len(node.surface), f[2] if len(f) > 2 else "", f[3] if len(f) > 3 else ""))
            at += len(node.surface)
        for i, (start, end, pos3, pos4) in enumerate(nodes):
            if pos3 != "人名" or pos4 != "姓" or not _NAME_CHARS.match(text[start:end]):
                continue
            following = nodes[i + 1] if i + 1 < len(nodes) else None
            if (
                following
                and following[2] == "人名"
                and following[3] == "名"
                and _NAME_CHARS.match(text[following[0] : following[1]])
            ):
                spans.append((start, following[1]))
            elif _SELF_INTRODUCTION.match(text, end) or (
                # opening a sentence, or after a space where a customer left out the full stop
                (not text[piece.start() : start].strip() or text[start - 1 : start].isspace())
                and _SURNAME_OPENING.match(text, end)
            ):
                spans.append((start, end))
    return spans


def _redact_tagged_names(text: str) -> str:
    parts, at = [], 0
    for start, end in _tagged_name_spans(text):  # joined once: replacing in place was quadratic in names
        parts += [text[at:start], "<NAME>"]
        at = end
    return "".join(parts) + text[at:] if parts else text


def make_redactor(extra_order_patterns: Iterable[str] = ()) -> Redactor:
    return Redactor(order_patterns=DEFAULT_ORDER_PATTERNS + tuple(extra_order_patterns))


redact = Redactor()
