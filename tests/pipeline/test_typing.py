"""A shop's own rated reviews teach its typer the shop's words (1-2 stars: complaint, 4-5: praise) once
there are enough of them; below that the shipped typer is used."""

from datetime import date, timedelta

from nlp.columns import UNTYPED, DocType
from nlp.doctype import shipped_typer
from nlp.pii import redact
from pipeline.calendar import Span
from pipeline.ingest import ingest_file
from pipeline.retype import retype, retype_stale, retyped_notes, type_recent, typed_window
from pipeline.typing import MIN_RATED_PER_SIDE, typer_for
from store import repo
from store.db import session_scope

ITEMS = ["シャツ", "ブラウス", "カーディガン", "パーカー", "ワンピース", "スカート", "セーター", "ジャケット"]
PARTS = ["袖", "裾", "襟", "ボタン", "ポケット"]
# the shop's complaint words (型崩れ, 毛玉, 毛羽立つ) that the shipped typer calls praise or other (ほつれ
# was one until the cue lexicon learnt it, 2026-12)
LOW = [
    "{part}がすぐに型崩れしてきました",
    "一度洗っただけで{part}が毛玉だらけになりました",
    "{part}の生地が毛羽立っています",
]
HIGH = [
    "{part}の形がきれいで、{item}は毎日着ています",
    "{item}の色味が写真どおりで気に入りました",
    "{part}までしっかりした作りの{item}です",
]
PROBES = ["袖がすぐに型崩れしてきました。", "一度洗っただけで毛玉だらけになりました。"]


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
    assert typer_for(engine).model is shop.model  # trained once per doubling, not per call


OCTOBER = Span(date(2026, 10, 1), date(2026, 11, 1))


def stored(engine) -> dict[str, str]:
    with session_scope(engine) as session:
        docs = repo.load_documents(session, *OCTOBER.bounds())
    return dict(zip(docs["text"], docs["doc_type"], strict=False))


def test_retype_brings_stored_messages_to_the_current_typer(engine, tmp_path):
    """Tickets a report typed before the shop's model existed keep the shipped typer's types until `koe
    retype` (or a report over their window): then 「袖がすぐに型崩れしてきました」 becomes the complaint the shop's
    reviews taught, and nothing else moves."""
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(f"id,date,text\n1,2026-10-02 10:00,{PROBES[0]}\n2,2026-10-02 11:00,領収書を発行してください。\n")
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)
    typed_window(engine, OCTOBER)  # a report before the reviews came
    before = stored(engine)[PROBES[0]]
    assert before != DocType.COMPLAINT  # the shipped typer's type
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    done = retype(engine, chunk=50)  # several chunks
    assert (done.total, done.first) == (2 + 2 * (MIN_RATED_PER_SIDE + 20), 2 * (MIN_RATED_PER_SIDE + 20))
    after = stored(engine)
    assert after[PROBES[0]] == DocType.COMPLAINT and after["領収書を発行してください。"] == DocType.REQUEST
    assert done.changes == {(before, "complaint"): 1}  # counted in the summary; first typings are no moves
    assert retype(engine).changed == 0  # typed as the current typer types: nothing left to move


def test_a_report_over_messages_another_typer_typed_says_so(engine, tmp_path):
    """Counts of past weeks move when the shop's model replaces the one that typed them: the report says
    how many messages were typed again and what moved, and says nothing when nothing was."""
    from reports.notes import TYPE_NAMES

    tickets = tmp_path / "tickets.csv"
    tickets.write_text(f"id,date,text\n1,2026-10-02 10:00,{PROBES[0]}\n2,2026-10-02 11:00,領収書を発行してください。\n")
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)
    assert retyped_notes(typed_window(engine, OCTOBER).retyped) == []  # first typings: nothing to say
    before = stored(engine)[PROBES[0]]
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    window = typed_window(engine, OCTOBER)
    assert (window.retyped.again, window.retyped.first) == (2, 2 * (MIN_RATED_PER_SIDE + 20))
    [note] = retyped_notes(window.retyped)
    assert "この期間の 2 件を分類し直しました" in note and f"{TYPE_NAMES[before]}→苦情 1件" in note
    assert retyped_notes(typed_window(engine, OCTOBER).retyped) == []


def test_a_report_types_its_window_once_with_the_typer_of_the_day(engine, tmp_path):
    """Ingest stores messages untyped; a report types those of its window with the store's typer (the shop's
    model, which the same import's reviews created: no message is typed twice), later reports type only what
    arrived since, and messages outside the window wait for a window that reads them."""
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(f"id,date,text\n1,2026-10-02 10:00,{PROBES[0]}\n2,2026-12-01 10:00,{PROBES[1]}\n")
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)
    first = retype_stale(engine, OCTOBER)
    assert (first.total, first.first, first.changed) == (1 + 2 * (MIN_RATED_PER_SIDE + 20),) * 2 + (0,)
    assert stored(engine)[PROBES[0]] == DocType.COMPLAINT  # by the shop's model, the first time
    assert retype_stale(engine, OCTOBER).total == 0
    december = Span(date(2026, 12, 1), date(2027, 1, 1))
    with session_scope(engine) as session:
        assert repo.load_documents(session, *december.bounds())["doc_type"].tolist() == [UNTYPED]
    assert typed_window(engine, december).docs["doc_type"].tolist() == [DocType.COMPLAINT]


def test_the_ingest_flow_types_what_the_next_reports_read(engine, tmp_path):
    """type_recent (the hourly ingest flow's last step): the weekly window of the data's last complete week
    and the week after it are typed; older messages wait for a report that reads them."""
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        f"id,date,text\n1,2026-06-01 10:00,{PROBES[0]}\n2,2026-11-10 10:00,{PROBES[1]}\n"
        "3,2026-11-18 10:00,領収書を発行してください。\n"
    )
    ingest_file(engine, tickets, source="desk", kind="ticket", redactor=redact)
    assert type_recent(engine, history_weeks=11).first == 2
    with session_scope(engine) as session:
        docs = repo.load_documents(session, *Span(date(2026, 5, 1), date(2026, 12, 1)).bounds())
    types = dict(zip(docs["text"], docs["doc_type"], strict=True))
    assert types[PROBES[0]] == UNTYPED and types["領収書を発行してください。"] == DocType.REQUEST
    assert type_recent(engine, history_weeks=11).total == 0  # nothing new: nothing typed, nothing trained


def test_the_version_is_known_without_training(engine, tmp_path):
    from pipeline.typing import current_typer_version

    assert current_typer_version(engine) == shipped_typer().version
    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    assert current_typer_version(engine) == typer_for(engine).version != shipped_typer().version


def test_a_trained_typer_is_kept_in_the_store_for_the_next_process(engine, tmp_path, monkeypatch):
    """Training takes 7-15 s: the next report process loads the store's model instead (here: training is
    made impossible, and the shop's words are still known); an unreadable stored model is trained again."""
    import pipeline.typing as T

    reviews = tmp_path / "reviews.csv"
    reviews_csv(reviews, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, reviews, source="shop", kind="review", redactor=redact)
    monkeypatch.setattr(T, "_TRAINED", {})  # a process that has not trained this model yet (other tests did)
    shop = typer_for(engine)
    monkeypatch.setattr(T, "_TRAINED", {})  # the next process

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    with monkeypatch.context() as patch:
        patch.setattr(T.TypingModel, "__init__", no_training)
        loaded = typer_for(engine)
    assert loaded.version == shop.version and loaded.model is not shop.model
    assert [loaded.classify(p) for p in PROBES] == [DocType.COMPLAINT] * len(PROBES)

    key = T.stored_key(shop.model.version)
    with session_scope(engine) as session:
        repo.store_typer_model(session, key, b"not a pickle")
    monkeypatch.setattr(T, "_TRAINED", {})
    again = typer_for(engine)
    assert again.version == shop.version and again.classify(PROBES[0]) == DocType.COMPLAINT
    with session_scope(engine) as session:
        assert repo.cached_typer_model(session, key) != b"not a pickle"  # replaced by the retrained model


def test_past_the_cap_each_doubling_learns_from_newer_reviews(engine, tmp_path, monkeypatch):
    """A shop model learns from at most MAX_RATED_PER_SIDE reviews a side: of each side's first 2^g stored
    reviews, the last block (here a cap of 32 with 120 a side: g = 6, reviews 32-63), so it follows a shop
    whose words change instead of keeping its first reviews forever; the block moves only when the smaller
    side doubles."""
    import re

    import pipeline.typing as T

    monkeypatch.setattr(T, "MAX_RATED_PER_SIDE", 32)
    export = tmp_path / "reviews.csv"
    reviews_csv(export, MIN_RATED_PER_SIDE + 20)
    ingest_file(engine, export, source="shop", kind="review", redactor=redact)
    generation = T._generation(engine)
    assert generation == 6
    shop = T._shop_examples(engine, generation)[len(T.load_examples("train")) :]

    def nth(doc_type: DocType) -> list[int]:
        return [int(re.search(r"(\d+)着目", e.text).group(1)) for e in shop if e.doc_type == doc_type]

    assert nth(DocType.COMPLAINT) == nth(DocType.PRAISE) == list(range(32, 64))
    version = T.current_typer_version(engine)
    more = tmp_path / "more.csv"  # the same export grown to 127 a side: < 2^7, the same examples
    reviews_csv(more, 127)
    ingest_file(engine, more, source="shop", kind="review", redactor=redact)
    T._shop_examples.cache_clear()  # read again, as a new process would
    T._shop_version.cache_clear()
    assert T.current_typer_version(engine) == version
    reviews_csv(more, 128)  # doubled: the next block
    ingest_file(engine, more, source="shop", kind="review", redactor=redact)
    assert T.current_typer_version(engine) != version
    shop = T._shop_examples(engine, 7)[len(T.load_examples("train")) :]
    assert nth(DocType.COMPLAINT) == nth(DocType.PRAISE) == list(range(96, 128))
