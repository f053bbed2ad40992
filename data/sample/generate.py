"""Generate koe's demo data: a fictional Japanese online shop (「暮らしの道具店 こもれび」) over 14 weeks.

Seeded and deterministic: `python data/sample/generate.py` rewrites the files next to it byte for byte.
Everything here is invented for the demo (no real customer wrote it); see README.md in this folder for the
themes, the planted effects and the files.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20261115
FIRST_DAY = date(2026, 8, 10)  # a Monday
WEEKS = 14  # through Sunday 2026-11-15
REDESIGN = datetime(2026, 10, 19, 10, 0)  # site redesign: login, cart and payment complaints triple after it
CAMPAIGN = datetime(2026, 9, 14, 0, 0)  # autumn sale: planted to change nothing
POINTS_BUG = date(2026, 11, 9)  # points not credited: a theme that exists only in the last week
OUT = Path(__file__).resolve().parent

PRODUCTS = [
    "ステンレス水筒 500ml",
    "木製カッティングボード",
    "リネンシャツ",
    "コットンワンピース",
    "ウールソックス",
    "土鍋 8号",
    "ガラスキャニスター",
    "防水スニーカー",
    "帆布トートバッグ",
    "電気ケトル",
    "ダウンジャケット",
    "陶器マグカップ",
    "ワイヤレスイヤホン",
    "ヨガマット",
    "羽毛布団 シングル",
]
WAITS = ["1週間", "10日", "2週間", "5日", "一週間以上", "3日"]
NAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
OPENERS = ["", "", "", "お世話になっております。", "いつも利用させていただいています。", "すみません、", "こんにちは。"]
CLOSERS = [
    "",
    "",
    "",
    "よろしくお願いいたします。",
    "ご確認をお願いします。",
    "早めの対応をお願いします。",
    "至急お願いします。",
]

THEMES: dict[str, list[str]] = {
    "delivery_delay": [
        "{product}を注文してから{wait}経ちますが、まだ届きません。いつ届くのでしょうか。",
        "発送予定日を過ぎても発送のお知らせが来ません。{product}はいつ発送されますか。",
        "配送状況を確認すると{wait}前から「輸送中」のまま止まっています。荷物はどこにあるのでしょうか。",
        "{product}が届かないので困っています。プレゼント用なので間に合わないと意味がありません。",
        "お届け予定日になっても{product}が届きません。配送業者に聞いても分からないと言われました。",
        "注文確定メールから{wait}、何の連絡もなく商品も届いていません。",
        "到着が遅すぎます。{wait}も待たされるとは思いませんでした。",
        "追跡番号で調べても反映されず、{product}がまだ届いていない状態です。",
    ],
    "damaged": [
        "届いた{product}が壊れていました。箱を開けたら割れていて使えません。",
        "{product}の箱が潰れていて、中の商品にも傷が付いていました。交換してください。",
        "梱包が雑で、{product}がへこんだ状態で届きました。",
        "開封したら{product}が欠けていました。初期不良だと思うので交換をお願いします。",
        "{product}の表面に大きな傷と汚れがありました。新品とは思えません。",
        "配送中に破損したようで、{product}がバラバラの状態で届きました。",
        "{product}が一度使っただけで壊れてしまいました。不良品ではないでしょうか。",
    ],
    "refund": [
        "返品した{product}の返金がまだ反映されていません。いつ返金されますか。",
        "{wait}前に返品手続きをしたのに、返金の連絡がありません。",
        "キャンセルしたのに代金が引き落とされています。返金してください。",
        "返品を申し込みたいのですが、返送先と手順が分かりません。返金はどうなりますか。",
        "{product}を返品したいです。イメージと違ったので返金してほしいです。",
        "返金の処理状況を教えてください。{wait}待っていますがカードに戻っていません。",
        "返品不可と言われましたが、不良品なので返金してほしいです。納得できません。",
    ],
    "login_payment": [
        "ログインできません。パスワードを再設定しても同じエラーが出ます。",
        "パスワード再設定のメールが届かないのでログインできない状態です。",
        "クレジットカードで支払おうとするとエラーになり、注文が完了しません。",
        "決済画面でエラーが表示されて購入できませんでした。何度やっても同じです。",
        "カートに商品を入れても反映されず、注文できません。",
        "ログイン後にマイページを開くとエラーになります。",
        "支払い方法でPayPayを選ぶと画面が固まってしまい、支払いできません。",
        "二重に決済されているようです。請求を確認してください。",
        "スマホからだとログインボタンが反応しないです。",
    ],
    "size": [
        "{product}のサイズが小さすぎました。表記より明らかに小さいです。",
        "いつもMサイズですが、{product}はきつくて着られませんでした。サイズ交換できますか。",
        "サイズ表と実際の寸法が違います。{product}の着丈が5cmも短いです。",
        "{product}が大きすぎてぶかぶかでした。サイズ感をもっと詳しく書いてほしいです。",
        "靴のサイズが合わず、{product}を交換したいです。",
        "写真と違ってサイズ感がかなり小さめでした。",
    ],
    "points": [
        "購入したのにポイントが付与されていません。いつ反映されますか。",
        "キャンペーンのポイントがまだ付いていないのですが、どうなっていますか。",
        "ポイントで支払おうとしたら残高が0になっていました。ポイントが消えています。",
        "先週の注文分のポイントが付与されないままです。確認してください。",
    ],
}
QUESTIONS = [
    "送料はいくらかかりますか。北海道への配送も同じ料金でしょうか。",
    "ギフト包装はできますか。のしもお願いできるでしょうか。",
    "領収書の発行はできますか。宛名を会社名にしたいです。",
    "配達日時の指定はできますか。",
    "支払い方法にコンビニ払いはありますか。",
    "{product}の在庫はいつ入荷しますか。",
    "{product}は食洗機に対応していますか。",
    "注文後に配送先住所を変更することはできますか。",
    "ラッピングをお願いしたいのですが、メッセージカードも付けられますか。",
    "会員登録しなくても購入できますか。",
]
REQUESTS = [
    "注文した{product}のカラーを変更したいです。お願いします。",
    "{product}の注文をキャンセルしたいです。",
    "配送先を実家に変更してください。",
    "{product}を追加で1つ同梱していただきたいです。",
]
PRAISE = [
    "迅速に対応していただきありがとうございました。助かりました。",
    "丁寧なご案内ありがとうございます。無事に解決しました。",
    "交換品が届きました。対応に感謝します。",
]
REVIEWS_GOOD = [
    "{product}、とても使いやすくて気に入りました。また買いたいです。",
    "デザインがシンプルで満足しています。梱包も丁寧でした。",
    "思っていたより質が良く、毎日使っています。",
    "注文から2日で届きました。{product}は期待通りでした。",
    "家族へのプレゼントに購入しました。喜んでもらえて嬉しいです。",
    "値段以上の品質だと思います。おすすめです。",
]
REVIEWS_BAD = [
    "{product}が届いたら傷だらけでした。残念です。",
    "サイズが表記と違い、小さすぎて使えませんでした。",
    "届くまでに{wait}もかかりました。もう少し早くしてほしいです。",
    "{product}はすぐに壊れました。品質に不満があります。",
    "写真と色が全然違いました。がっかりです。",
]
REVIEWS_MID = [
    "{product}は普通です。可もなく不可もなく。",
    "使えますが、少し重いのが気になります。",
]
CHANNELS = ["mail", "mail", "form", "form", "chat", "line"]


@dataclass
class Ticket:
    id: str
    created_at: datetime
    channel: str
    title: str
    body: str
    product: str
    agent_reply: str


def fill(rng: random.Random, template: str, product: str) -> str:
    return template.format(product=product, wait=rng.choice(WAITS))


def with_courtesy(rng: random.Random, text: str) -> str:
    return "".join(part for part in (rng.choice(OPENERS), text, rng.choice(CLOSERS)) if part)


def personal_data(rng: random.Random, n: int) -> str:
    """Some customers paste contact details and order numbers: koe must redact these before storing."""
    name = rng.choice(NAMES)
    options = [
        f"注文番号は KM-{rng.randint(100000, 999999)} です。",
        f"連絡先は {name.lower() if name.isascii() else 'user'}{n}@example.jp です。",
        f"電話番号 090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)} までご連絡ください。",
        f"お届け先は〒150-00{rng.randint(10, 99)} 東京都渋谷区神南1-{rng.randint(1, 20)}-{rng.randint(1, 9)}です。",
        "カード番号 4111 1111 1111 1111 で支払いました。",
    ]
    return rng.choice(options)


def theme_rate(theme: str, day: date, week: int) -> float:
    """Expected tickets per day for a complaint theme: a base level, a slow trend, and the planted effects."""
    base = {"delivery_delay": 7.0, "damaged": 4.5, "refund": 4.0, "login_payment": 3.0, "size": 3.0, "points": 0.0}[
        theme
    ]
    if theme == "delivery_delay":
        base *= 1.0 + 0.04 * week  # grows through the autumn
    if theme == "login_payment" and day >= REDESIGN.date():
        base *= 3.0  # the redesign's planted effect
    if theme == "points":
        base = 6.0 if day >= POINTS_BUG else 0.0
    return base * (0.7 if day.weekday() >= 5 else 1.0)  # fewer tickets at weekends


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small daily rates here, and needs no numpy in a data script
    import math

    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def timestamp(rng: random.Random, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, rng.choice(range(8, 23)), rng.randrange(60), rng.randrange(60))


def tickets(rng: random.Random) -> list[Ticket]:
    out: list[Ticket] = []
    reply = {
        "delivery_delay": "ご不便をおかけし申し訳ございません。配送業者に確認のうえ、お届け予定をご連絡いたします。",
        "damaged": "大変申し訳ございません。交換品を至急手配いたしますので、破損箇所の写真をお送りください。",
        "refund": "返金はご返送品の到着確認後、5営業日以内にご指定の方法で行います。",
        "login_payment": (
            "お手数ですがブラウザのキャッシュを削除し、再度お試しください。解消しない場合はご連絡ください。"
        ),
        "size": "サイズ交換は商品到着後7日以内であれば承ります。マイページから交換をお申し込みください。",
        "points": "ポイントは発送完了後に付与されます。現在システムを確認しております。",
    }
    for offset in range(WEEKS * 7):
        day = FIRST_DAY + timedelta(days=offset)
        week = offset // 7
        for theme, templates in THEMES.items():
            for _ in range(poisson(rng, theme_rate(theme, day, week))):
                product = rng.choice(PRODUCTS)
                body = with_courtesy(rng, fill(rng, rng.choice(templates), product))
                out.append(Ticket("", timestamp(rng, day), rng.choice(CHANNELS), "", body, product, reply[theme]))
        for pool, rate in ((QUESTIONS, 6.0), (REQUESTS, 2.0), (PRAISE, 1.0)):
            for _ in range(poisson(rng, rate * (0.7 if day.weekday() >= 5 else 1.0))):
                product = rng.choice(PRODUCTS)
                body = with_courtesy(rng, fill(rng, rng.choice(pool), product))
                out.append(Ticket("", timestamp(rng, day), rng.choice(CHANNELS), "", body, product, ""))
    out.sort(key=lambda t: t.created_at)
    for n, ticket in enumerate(out, start=1):
        ticket.id = f"T{n:06d}"
        ticket.title = ticket.body.split("。")[0][:30]
        if n % 37 == 0:
            ticket.body += personal_data(rng, n)
    # one customer pastes markup: the report must show it as text, never run it
    out[len(out) // 2].body = "<script>alert(1)</script> 注文画面に変な表示が出てカートに入らないです。"
    return out


def reviews(rng: random.Random) -> list[dict]:
    rows = []
    for offset in range(WEEKS * 7):
        day = FIRST_DAY + timedelta(days=offset)
        for _ in range(poisson(rng, 5.0)):
            rating = rng.choices([5, 4, 3, 2, 1], weights=[35, 25, 12, 13, 15])[0]
            pool = REVIEWS_GOOD if rating >= 4 else REVIEWS_MID if rating == 3 else REVIEWS_BAD
            product = rng.choice(PRODUCTS)
            rows.append(
                {
                    "created_at": timestamp(rng, day),
                    "rating": rating,
                    "text": fill(rng, rng.choice(pool), product),
                    "product": product,
                }
            )
    rows.sort(key=lambda r: r["created_at"])
    return [{"review_id": f"R{n:05d}", **r, "created_at": r["created_at"].isoformat()} for n, r in enumerate(rows, 1)]


def write_tickets(rows: list[Ticket]) -> None:
    # Japanese helpdesks export CP932 CSV: the demo ingests it that way, so encoding detection is exercised.
    with (OUT / "tickets.csv").open("w", encoding="cp932", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["チケットID", "受付日時", "チャネル", "件名", "お問い合わせ内容", "商品名", "回答内容"])
        for t in rows:
            writer.writerow(
                [t.id, t.created_at.strftime("%Y/%m/%d %H:%M:%S"), t.channel, t.title, t.body, t.product, t.agent_reply]
            )


def write_reviews(rows: list[dict]) -> None:
    with (OUT / "reviews.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_releases() -> None:
    rows = [
        ("秋のセール", "campaign", CAMPAIGN.isoformat(timespec="minutes"), "", "全商品", "planted: no effect"),
        (
            "サイトリニューアル",
            "redesign",
            REDESIGN.isoformat(timespec="minutes"),
            "",
            "ログイン・カート・決済",
            "planted: login/cart/payment complaints x3",
        ),
        (
            "ポイントシステム移行",
            "incident",
            f"{POINTS_BUG.isoformat()}T09:00",
            "",
            "ポイント",
            "planted: a new complaint theme from this date",
        ),
    ]
    with (OUT / "releases.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "kind", "start", "end", "area", "notes"])
        writer.writerows(rows)


def write_faq() -> None:
    """The shop's FAQ. It deliberately has no entry for gift wrapping (ギフト包装・のし) or receipts
    (領収書), which the tickets ask about: the FAQ-gap suggestions should find exactly those."""
    rows = [
        (
            "送料・手数料",
            "送料はいくらですか？",
            "全国一律550円、5,000円以上のご注文で送料無料です。北海道・沖縄は別途330円かかります。",
        ),
        ("配送", "注文してから何日で届きますか？", "通常、ご注文から2〜4営業日でお届けします。"),
        ("配送", "配達日時の指定はできますか？", "ご注文画面で、ご注文日の3日後以降の日付と時間帯を指定できます。"),
        (
            "配送",
            "荷物の配送状況はどこで確認できますか？",
            "発送のお知らせメールに記載の追跡番号から、配送業者のサイトで確認できます。",
        ),
        ("配送", "注文後に配送先を変更できますか？", "発送前であればマイページの注文履歴から変更できます。"),
        (
            "お支払い方法",
            "どの支払い方法が使えますか？",
            "クレジットカード、コンビニ払い、PayPay、代金引換がご利用いただけます。",
        ),
        (
            "返品・キャンセル",
            "返品・交換はできますか？",
            "商品到着後7日以内にマイページから返品・交換をお申し込みください。",
        ),
        ("返品・キャンセル", "返金はいつされますか？", "返品商品の到着確認後、5営業日以内に返金いたします。"),
        ("返品・キャンセル", "注文をキャンセルしたい", "発送前であればマイページからキャンセルできます。"),
        ("会員・ログイン", "パスワードを忘れました", "ログイン画面の「パスワードをお忘れの方」から再設定できます。"),
        ("サービス概要", "会員登録しなくても購入できますか？", "ゲスト購入もご利用いただけます。"),
        ("商品", "サイズの選び方を教えてください", "各商品ページのサイズ表で実寸をご確認ください。"),
        (
            "商品",
            "品切れの商品はいつ入荷しますか？",
            "商品ページの「再入荷のお知らせ」に登録いただくと、入荷時にメールでお知らせします。",
        ),
        (
            "商品",
            "食洗機や電子レンジで使えますか？",
            "対応可否は各商品ページの「お手入れ方法」に記載しています。記載のない商品は手洗いをおすすめします。",
        ),
        (
            "ポイント",
            "ポイントはいつ付与されますか？",
            "商品発送の翌日に付与されます。付与されない場合はマイページのポイント履歴をご確認ください。",
        ),
    ]
    with (OUT / "faq.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["category", "question", "answer"])
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    write_tickets(tickets(rng))
    write_reviews(reviews(rng))
    write_releases()
    write_faq()


if __name__ == "__main__":
    main()
