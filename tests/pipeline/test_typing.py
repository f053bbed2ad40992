"""A shop's own rated reviews teach its typer the shop's words (1-2 stars: complaint, 4-5: praise) once
there are enough of them; below that the shipped typer is used."""

from datetime import date, timedelta

from nlp.columns import DocType
from nlp.doctype import shipped_typer
from nlp.pii import redact
from pipeline.ingest import ingest_file
from pipeline.typing import MIN_RATED_PER_SIDE, typer_for

ITEMS = ["シャツ", "ブラウス", "カーディガン", "パーカー", "ワンピース", "スカート", "セーター", "ジャケット"]
PARTS = ["袖", "裾", "襟", "ボタン", "ポケット"]
# the shop's complaint words (ほつれ, 毛玉) that the shipped typer calls praise or other
LOW = [
    "{part}の糸がほつれてきました",
    "一度洗っただけで{part}が毛玉だらけになりました",
    "{part}の縫い目がほつれています",
]
HIGH = [
    "{part}の形がきれいで、{item}は毎日着ています",
    "{item}の色味が写真どおりで気に入りました",
    "{part}までしっかりした作りの{item}です",
]
PROBES = ["袖の糸がほつれてきました。", "一度洗っただけで毛玉だらけになりました。"]


def reviews_csv(path, per_side: int) -> None:
    day = date(2026, 10, 1)
    lines = ["review_id,投稿日,レビュー本文,評価"]
    for i in range(per_side):
        part, item = PARTS[i % len(PARTS)], ITEMS[i // len(PARTS) % len(ITEMS)]
        when = day + timedelta(days=i % 28)
        low = LOW[i % len(LOW)].format(part=part) + f"({item}、{i}着目)"
        high = HIGH[i % len(HIGH)].format(part=part, item=item) + f"({i}着目)"
        lines += [f"L{i},{when},{low},{1 + i % 2}", f"H{i},{when},{high},{4 + i % 2}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_shipped_typer_until_the_shop_has_enough_rated_reviews(engine, tmp_path):
    few = tmp_path / "few.csv"
    reviews_csv(few, MIN_RATED_PER_SIDE - 1)
    ingest_file(engine, few, source="shop", kind="review", redactor=redact)
    assert typer_for(engine).model is shipped_typer().model


def test_the_shop_typer_learns_the_shops_complaint_words(engine, tmp_path):
    assert [shipped_typer().classify(p) for p in PROBES].count(DocType.COMPLAINT) == 0
    export = tmp_path / "reviews.csv"
    reviews_csv(export, MIN_RATED_PER_SIDE + 20)
    report = ingest_file(engine, export, source="shop", kind="review", redactor=redact)
    assert report.new == 2 * (MIN_RATED_PER_SIDE + 20)
    shop = typer_for(engine)
    assert shop.model is not shipped_typer().model
    assert [shop.classify(p) for p in PROBES] == [DocType.COMPLAINT] * len(PROBES)
    assert shop.classify("領収書を発行してください。") == DocType.REQUEST  # the shipped knowledge stays
    assert typer_for(engine) is shop  # trained once per doubling, not per call


def test_retype_brings_stored_messages_to_the_current_typer(engine, tmp_path):
    """Tickets stored before the shop's model existed keep the shipped typer's types until `koe retype`:
    then 「袖の糸がほつれてきました」 becomes the complaint the shop's reviews taught, and nothing else moves."""
    from datetime import datetime

    from pipeline.retype import retype
    from store import repo
    from store.db import session_scope

    tickets = tmp_path / "tickets.csv"
    tickets.write_text(f"id,date,text\n1,2026-10-02 10:00,{PROBES[0]}\n2,2026-10-02 11:00,領収書を発行してください。\n")
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)

    def stored() -> dict[str, str]:
        with session_scope(engine) as session:
            docs = repo.load_documents(session, datetime(2026, 10, 1), datetime(2026, 11, 1))
        return dict(zip(docs["text"], docs["doc_type"], strict=False))

    before = stored()[PROBES[0]]
    assert before != DocType.COMPLAINT  # typed at ingest, before the shop's model
    done = retype(engine, chunk=50)  # several chunks
    assert done.total == 2 + 2 * (MIN_RATED_PER_SIDE + 20)
    assert stored()[PROBES[0]] == DocType.COMPLAINT and stored()["領収書を発行してください。"] == DocType.REQUEST
    assert done.changes[(before, "complaint")] >= 1  # the move is counted in the summary
    assert retype(engine).changed == 0  # typed as the current typer types: nothing left to move


def test_reports_first_type_again_what_another_typer_typed(engine, tmp_path):
    """Each message carries the version of the typer that typed it; once the shop's model exists, the
    messages the shipped typer typed are typed again (once), and those typed since are left alone."""
    from datetime import datetime

    from pipeline.retype import retype_stale
    from store import repo
    from store.db import session_scope

    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)  # typed by the shipped typer
    shop = typer_for(engine)
    assert shop.version != shipped_typer().version
    first = retype_stale(engine)
    assert first.total == 2 * (MIN_RATED_PER_SIDE + 20)
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(f"id,date,text\n1,2026-10-02 10:00,{PROBES[0]}\n")
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)  # typed by the shop's typer
    assert retype_stale(engine).total == 0
    with session_scope(engine) as session:
        docs = repo.load_documents(session, datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert dict(zip(docs["text"], docs["doc_type"], strict=False))[PROBES[0]] == DocType.COMPLAINT


def test_the_version_is_known_without_training(engine, tmp_path):
    from pipeline.typing import current_typer_version

    assert current_typer_version(engine) == shipped_typer().version
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    assert current_typer_version(engine) == typer_for(engine).version != shipped_typer().version
