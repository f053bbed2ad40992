"""Tokens and embeddings are computed once per distinct text, ever: the second run reads the cache."""

from datetime import date, datetime, timedelta

import numpy as np

from nlp.prepare import text_hash
from pipeline import caches as analysis
from pipeline.calendar import Span, last_complete_data_week, last_complete_week, reported_week, week_start
from store import repo
from store.db import session_scope

TEXTS = ["注文した商品がまだ届きません", "ログインできません", "注文した商品がまだ届きません", "返金はいつですか"]


def load(engine, texts=TEXTS, products=None):
    products = products or [None] * len(texts)
    rows = [
        {
            "source": "s",
            "external_id": str(i),
            "kind": "ticket",
            "channel": "chat",
            "product": products[i],
            "created_at": datetime(2026, 11, 2, 10),
            "title": None,
            "text": t,
            "agent_reply": None,
            "rating": None,
            "doc_type": "complaint",
            "text_hash": text_hash(t),
            "ingested_at": datetime(2026, 11, 2),
        }
        for i, t in enumerate(texts)
    ]
    with session_scope(engine) as s:
        repo.add_documents(s, rows)
    return analysis.load_window(engine, Span(date(2026, 11, 2), date(2026, 11, 3)))


class CountingEmbedder:
    """The real USE embedder, counting the texts it is asked to embed."""

    cacheable = True

    def __init__(self, inner):
        self.inner, self.name, self.seen = inner, inner.name, []

    def embed(self, texts):
        self.seen.extend(texts)
        return self.inner.embed(texts)


def test_tokens_cached_across_runs(engine, monkeypatch):
    docs = load(engine)
    calls = []
    real = analysis.tokenize_many
    monkeypatch.setattr(analysis, "tokenize_many", lambda texts: calls.extend(texts) or real(texts))
    first = analysis.tokens_for(engine, docs)
    assert sorted(calls) == sorted(set(TEXTS))  # the duplicate text is tokenized once
    assert first[0] == first[2] == ["注文", "商品", "届く", "届かない"]
    calls.clear()
    assert analysis.tokens_for(engine, docs) == first
    assert calls == []


def test_embeddings_cached_across_runs(engine, use_embedder):
    docs = load(engine)
    counting = CountingEmbedder(use_embedder)
    progress = []
    first = analysis.embeddings_for(engine, docs, counting, lambda done, total: progress.append((done, total)))
    assert sorted(counting.seen) == sorted(set(TEXTS)) and progress == [(3, 3)]
    assert np.allclose(first[0], first[2])
    counting.seen.clear()
    assert np.allclose(analysis.embeddings_for(engine, docs, counting), first)
    assert counting.seen == []


def test_messages_are_embedded_without_their_product_name(engine, use_embedder):
    """One complaint about three products is one text to embed (and one topic): 「商品を注文してから…」."""
    template = "{}を注文してから5日経ちますが、まだ届きません。"
    products = ["帆布トートバッグ", "ヨガマット", "羽毛布団 シングル"]
    texts = [template.format(p) for p in products] + ["ヨガマットが届きません"]
    docs = load(engine, texts, [*products, None])  # the last names a product it is not about: kept
    counting = CountingEmbedder(use_embedder)
    vectors = analysis.embeddings_for(engine, docs, counting)
    assert sorted(counting.seen) == sorted([template.format("商品"), "ヨガマットが届きません"])
    by_text = dict(zip(docs["text"], vectors, strict=True))
    assert np.allclose(by_text[texts[0]], by_text[texts[2]])
    assert not np.allclose(by_text[texts[1]], by_text[texts[3]])
    assert analysis.vector_texts(docs)["text_hash"].nunique() == 2  # the cache key is the embedded text's
    counting.seen.clear()
    assert np.allclose(analysis.embeddings_for(engine, docs, counting), vectors) and counting.seen == []


def test_weeks():
    assert week_start(date(2026, 11, 15)) == date(2026, 11, 9)
    assert last_complete_week(date(2026, 11, 18)) == date(2026, 11, 9)
    # data ending on a Sunday covers its week; ending on a Saturday, only the week before
    assert last_complete_data_week(datetime(2026, 11, 15, 23, 0)) == date(2026, 11, 9)
    assert last_complete_data_week(datetime(2026, 11, 14, 23, 0)) == date(2026, 11, 2)


def test_the_reported_week_is_the_datas_when_the_data_ends_earlier():
    today = date(2026, 12, 2)  # a Wednesday: the calendar's last complete week starts 11-23
    assert reported_week(None, date(2026, 11, 9), today) == date(2026, 11, 9)
    assert reported_week(None, date(2026, 11, 23), today) == date(2026, 11, 23)
    assert reported_week(None, None, today) == date(2026, 11, 23)  # an empty store: the calendar's
    assert reported_week(date(2026, 11, 4), date(2026, 11, 9), today) == date(2026, 11, 2)  # asked for


def test_a_partly_empty_window_is_said_in_the_report(engine):
    from pipeline.weekly import coverage_notes

    docs = load(engine)  # four documents on 2026-11-02 only
    week = date(2026, 11, 2)
    span = Span(week - timedelta(weeks=11), week + timedelta(weeks=1))
    notes = coverage_notes(docs, span, week, history_weeks=11)
    assert notes[0] == "データは 2026-11-02 までのため、この週の 6 日分は件数に含まれていません。"
    assert notes[1].startswith("この週より前のデータは 0 週分です（通常 11 週分と比べます）")
    later = coverage_notes(docs, Span(date(2026, 8, 24), date(2026, 11, 23)), date(2026, 11, 16), 11)
    assert later[0].startswith("この週のデータがありません")
