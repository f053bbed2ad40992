"""Personal values in the formats customers type, and near misses that must survive: generated from a
seed, so the table is large (issue #17: >= 500 planted values, >= 200 near misses) and the same on
every machine. Each planted value comes with the sentence it is written in."""

from __future__ import annotations

import random
from collections.abc import Callable

SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "直美"]
LOCAL = ["taro", "hanako.s", "k-suzuki", "yamada_1985", "info.shop", "m.tanaka"]
DOMAINS = ["example.jp", "example.co.jp", "mail.example.com", "shop.example.ne.jp"]
WARDS = ["東京都港区六本木", "大阪府大阪市北区梅田", "神奈川県横浜市中区山下町", "福岡県福岡市博多区博多駅前"]
STREETS = ["烏丸通四条上る", "河原町通三条下ル", "堀川通丸太町東入る"]
BUILDINGS = ["メゾン青山", "コーポ田中", "ハイツ桜", "レジデンス本町"]
KANA_TOWNS = ["東京都千代田区丸の内", "神奈川県横浜市西区みなとみらい", "東京都目黒区自由が丘", "千代田区霞が関"]
KANA_NAMES = ["ヤマダタロウ", "サトウ ハナコ", "スズキイチロウ", "たなか みさき"]


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _luhn_card(rng: random.Random) -> str:
    digits = [int(rng.choice("45")), *[rng.randrange(10) for _ in range(14)]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _my_number(rng: random.Random) -> str:
    body = [rng.randrange(10) for _ in range(11)]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return "".join(map(str, body)) + str(0 if remainder <= 1 else 11 - remainder)


def _grouped(digits: str, sep: str, sizes: tuple[int, ...]) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i : i + size])
        i += size
    return sep.join(out)


# (kind, value maker, sentence with {v})
FORMATS: list[tuple[str, Callable[[random.Random], str], str]] = [
    ("email", lambda r: f"{r.choice(LOCAL)}@{r.choice(DOMAINS)}", "連絡先は{v}です"),
    ("email spaced", lambda r: f"{r.choice(LOCAL)} @ {r.choice(DOMAINS)}", "メールは {v} まで"),
    ("email (at)", lambda r: f"{r.choice(LOCAL)}(at){r.choice(DOMAINS)}", "{v} に返信ください"),
    ("email [at]", lambda r: f"{r.choice(LOCAL)}[at]{r.choice(DOMAINS)}", "{v} へお願いします"),
    ("mobile", lambda r: f"0{r.choice('789')}0-{_d(r, 4)}-{_d(r, 4)}", "電話は{v}です"),
    ("mobile spaced", lambda r: f"0{r.choice('789')}0 {_d(r, 4)} {_d(r, 4)}", "携帯 {v} に連絡を"),
    ("mobile dotted", lambda r: f"0{r.choice('789')}0.{_d(r, 4)}.{_d(r, 4)}", "{v} までお電話ください"),
    ("mobile bar", lambda r: f"0{r.choice('789')}0―{_d(r, 4)}―{_d(r, 4)}", "番号は{v}"),
    ("mobile +81", lambda r: f"+81 {r.choice('789')}0 {_d(r, 4)} {_d(r, 4)}", "海外から {v} に"),
    ("landline", lambda r: f"0{r.choice('3456')}-{_d(r, 4)}-{_d(r, 4)}", "自宅 {v}"),
    ("landline paren", lambda r: f"(0{r.choice('3456')}){_d(r, 4)}-{_d(r, 4)}", "{v} まで"),
    ("postal", lambda r: f"〒{_d(r, 3)}-{_d(r, 4)}", "{v} 宛に送ってください"),
    ("postal bar", lambda r: f"〒{_d(r, 3)}―{_d(r, 4)}", "{v} です"),
    ("postal keyword", lambda r: f"郵便番号 {_d(r, 7)}", "{v} の住所へ"),
    ("address", lambda r: f"{r.choice(WARDS)}{r.randint(1, 9)}-{r.randint(1, 30)}-{r.randint(1, 20)}", "{v}に届けて"),
    ("address kanji", lambda r: f"{r.choice(WARDS)}{r.choice('一二三四五')}丁目{r.randint(1, 30)}番{r.randint(1, 20)}号", "住所は{v}です"),
    ("address kyoto", lambda r: f"京都市中京区{r.choice(STREETS)}", "{v}に住んでいます"),
    ("address sapporo", lambda r: f"札幌市中央区北{r.randint(1, 20)}条西{r.randint(1, 20)}丁目", "{v}の者です"),
    ("room", lambda r: f"{r.choice(BUILDINGS)} {r.randint(1, 9)}0{r.randint(1, 9)}", "{v} に置き配で"),
    ("card", lambda r: _grouped(_luhn_card(r), " ", (4, 4, 4, 4)), "カード {v} で支払い"),
    ("card dotted", lambda r: _grouped(_luhn_card(r), ".", (4, 4, 4, 4)), "カード番号 {v}"),
    ("order", lambda r: f"注文番号：{r.choice(['KM', 'AB', 'ZX'])}-{_d(r, 6)}", "{v} の件で"),
    ("order No.", lambda r: f"注文No. {_d(r, 8)}", "{v} について"),
    ("order ID", lambda r: f"オーダーID: {_d(r, 8)}-{_d(r, 4)}", "{v}"),
    ("order yahoo", lambda r: f"{r.choice(['mystore', 'shopabc', 'goods_jp'])}-{_d(r, 8)}", "{v} が届かない"),
    ("token url", lambda r: f"https://shop.example.jp/confirm?{r.choice(['t', 'token', 'ticket', 'sessionid'])}={_d(r, 10)}", "{v} を開きました"),
    ("my number", lambda r: _grouped(_my_number(r), r.choice([" ", "-", ""]), (4, 4, 4)), "マイナンバー {v} を送りました"),
    ("bank account", lambda r: f"普通 {_d(r, 7)}", "返金は{v}にお願いします"),
    ("line id", lambda r: f"LINE ID: {r.choice(LOCAL).replace('.', '_')}{_d(r, 2)}", "{v} で連絡できます"),
    ("ip", lambda r: f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", "IP {v} からアクセス"),
    ("birthdate", lambda r: f"生年月日 {r.randint(1950, 2005)}年{r.randint(1, 12)}月{r.randint(1, 28)}日", "{v} です"),
    ("name sama", lambda r: f"{r.choice(SURNAMES)}{r.choice(GIVEN)}", "{v}様 宛にお願いします"),
    ("name san", lambda r: f"{r.choice(SURNAMES)} {r.choice(GIVEN)}", "{v}さん から伺いました"),
    ("name plain", lambda r: f"{r.choice(SURNAMES)}{r.choice(GIVEN)}", "注文者は{v}です"),
    ("name plain spaced", lambda r: f"{r.choice(SURNAMES)} {r.choice(GIVEN)}", "{v}と申します。注文の件です"),
    ("name surname", lambda r: r.choice(SURNAMES), "{v}と申します。商品が届きません"),
    # session 13: formats a second probe found unredacted
    ("email アットマーク", lambda r: f"{r.choice(LOCAL)}(アットマーク){r.choice(DOMAINS)}", "{v} に送ってください"),
    ("address kana town", lambda r: f"{r.choice(KANA_TOWNS)}{r.randint(1, 9)}-{r.randint(1, 30)}-{r.randint(1, 20)}", "{v} に届けて"),
    ("tracking", lambda r: f"追跡番号 {_d(r, 4)}-{_d(r, 4)}-{_d(r, 4)}", "{v} で調べても反映されません"),
    ("card expiry", lambda r: f"有効期限 {r.randint(1, 12):02d}/{r.randint(27, 35)}", "カードの{v}です"),
    ("card security code", lambda r: f"セキュリティコード {_d(r, 3)}", "{v} を入力しました"),
    ("password", lambda r: f"パスワードは {r.choice(LOCAL)}{_d(r, 3)}", "{v} です"),
    ("member id", lambda r: f"会員ID: {r.choice(LOCAL)}{_d(r, 3)}", "{v} でログインできません"),
    ("my number labelled", lambda r: f"マイナンバーは{_d(r, 4)} {_d(r, 4)} {_d(r, 4)}", "{v}です"),
    ("name form", lambda r: f"フリガナ：{r.choice(KANA_NAMES)}", "{v}"),
    ("name opening", lambda r: r.choice(SURNAMES), "{v}です。注文の件で連絡しました"),
    # session 14
    ("order url", lambda r: f"https://shop.example.jp/orders/{r.getrandbits(64):016x}", "{v} の注文です"),
    ("licence", lambda r: f"免許証番号 {_d(r, 12)}", "{v} で本人確認しました"),
    ("passport", lambda r: f"パスポート番号 {r.choice(['TK', 'TR', 'MZ'])}{_d(r, 7)}", "{v} です"),
]  # fmt: skip

NEAR_MISS_MAKERS: list[Callable[[random.Random], str]] = [
    lambda r: f"{r.randint(2020, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}に注文しました",
    lambda r: f"{r.randint(2020, 2026)}/{r.randint(1, 12)}/{r.randint(1, 28)} {r.randint(0, 23)}:{r.randint(0, 59):02d} に届く予定",
    lambda r: f"¥{r.randint(1, 99)},{_d(r, 3)} の商品です",
    lambda r: f"価格は{r.randint(100, 9999)}円でした",
    lambda r: f"型番 {r.choice(['KX', 'AB', 'ZR'])}-{r.randint(100, 9999)} の部品",
    lambda r: f"JAN 49{_d(r, 11)} の商品",
    lambda r: f"{r.randint(2, 5)}-{r.randint(6, 9)}日で届きます",
    lambda r: f"この地区だと{r.randint(1, 3)}-{r.randint(4, 6)}日かかります",
    lambda r: f"在庫は{r.randint(1, 500)}個あります",
    lambda r: f"{r.randint(1, 12)}時{r.randint(0, 59)}分に受け取りました",
    lambda r: f"お客様 {r.randint(2, 9)}名で予約",
    lambda r: f"サイズ {r.randint(20, 30)}.{r.randint(0, 9)}cm",
    lambda r: f"バージョン {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)} で不具合",
    lambda r: "担当者様にお伝えください",
    lambda r: "配達員さんが親切でした",
    lambda r: f"{r.choice(['堀', '羽田', '金沢', '梅田', '高原'])}の近くのホテルです",  # surnames that are places
    lambda r: f"{r.choice(['田中', '山田'])}産の野菜を使っています",  # a surname alone, no introduction
]  # fmt: skip


def planted(n_per_format: int = 16, seed: int = 0) -> list[tuple[str, str, str]]:
    """(kind, value, sentence) for every format, `n_per_format` each."""
    rng = random.Random(seed)
    out = []
    for kind, make, sentence in FORMATS:
        for _ in range(n_per_format):
            value = make(rng)
            out.append((kind, value, sentence.format(v=value)))
    return out


def near_misses(n: int = 210, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [NEAR_MISS_MAKERS[i % len(NEAR_MISS_MAKERS)](rng) for i in range(n)]


def secrets_of(kind: str, value: str) -> list[str]:
    """What must not survive of a planted value: its digits (numbers, addresses, dates), the local part of
    an e-mail, a LINE ID, a Kyoto street, each part of a name."""
    import re

    if kind.startswith("email"):
        return [re.split(r"\s?(?:@|\(at\)|\[at\]|\(アットマーク\))", value)[0].strip()]
    if kind in ("line id", "member id"):
        return [value.split(":", 1)[1].strip()]
    if kind == "password":
        return [value.split(" ", 1)[1]]
    if kind == "name form":
        return value.split("：", 1)[1].split()
    if kind == "address kyoto":
        return [value.removeprefix("京都市中京区")]
    if kind.startswith("name"):
        return value.split() if " " in value else [value]
    if kind in ("order yahoo", "order url"):
        return [value.rsplit("/", 1)[-1]]
    return [re.sub(r"\D", "", value)]
