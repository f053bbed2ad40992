from datetime import datetime

import numpy as np

from nlp import columns as C
from store import repo
from store.db import session_scope


def doc(ext: str, text: str, when=datetime(2026, 11, 2, 10), source="helpdesk") -> dict:
    return {
        "source": source,
        "external_id": ext,
        "kind": "ticket",
        "channel": "mail",
        "product": None,
        "created_at": when,
        "title": None,
        "text": text,
        "agent_reply": None,
        "rating": None,
        "doc_type": "complaint",
        "text_hash": f"h-{text}",
        "ingested_at": datetime(2026, 11, 3),
    }


def test_add_documents_is_idempotent(engine):
    rows = [doc("1", "配送が遅い"), doc("2", "ログインできない"), doc("2", "ログインできない")]
    with session_scope(engine) as s:
        assert repo.add_documents(s, rows) == (2, 1, 0)
    with session_scope(engine) as s:
        assert repo.add_documents(s, rows) == (0, 3, 0)
        # another source: a new message is stored, the same message (same second, same text) is not
        assert repo.add_documents(s, [doc("9", "配送が遅い", when=datetime(2026, 11, 5), source="reviews")]) == (
            1,
            0,
            0,
        )
        assert repo.add_documents(s, [doc("1", "配送が遅い", source="desk-copy")]) == (0, 0, 1)
        assert repo.count_documents(s) == 3


def test_missing_replies_are_filled_never_overwritten(engine):
    with session_scope(engine) as s:
        repo.add_documents(s, [doc("1", "配送が遅い"), {**doc("2", "ログインできない"), "agent_reply": "再設定を案内"}])
    later = [
        {**doc("1", "配送が遅い"), "agent_reply": "発送済みです"},
        {**doc("2", "ログインできない"), "agent_reply": "別の回答"},
    ]
    with session_scope(engine) as s:
        assert repo.add_missing_replies(s, later) == 1
    with session_scope(engine) as s:
        stored = repo.load_documents(s, datetime(2026, 11, 1), datetime(2026, 11, 3))
    assert dict(zip(stored[C.TEXT], stored[C.AGENT_REPLY], strict=True)) == {
        "配送が遅い": "発送済みです",
        "ログインできない": "再設定を案内",
    }


def test_failed_transaction_keeps_what_was_stored(engine):
    with session_scope(engine) as s:
        repo.add_documents(s, [doc("1", "配送が遅い")])
    try:
        with session_scope(engine) as s:
            repo.add_documents(s, [doc("2", "返金して")])
            raise RuntimeError("crash mid-ingest")
    except RuntimeError:
        pass
    with session_scope(engine) as s:
        assert repo.count_documents(s) == 1


def test_load_documents_window(engine):
    with session_scope(engine) as s:
        repo.add_documents(
            s,
            [
                doc("1", "早い", datetime(2026, 11, 1, 23, 59)),
                doc("2", "遅い", datetime(2026, 11, 2)),
                doc("3", "壊れた", datetime(2026, 11, 9)),
            ],
        )
        frame = repo.load_documents(s, datetime(2026, 11, 2), datetime(2026, 11, 9))
    assert list(frame.columns) == list(C.DOC_COLUMNS)
    assert frame[C.TEXT].tolist() == ["遅い"]


def test_token_and_embedding_caches_round_trip(engine):
    with session_scope(engine) as s:
        repo.store_tokens(s, {"a": ["配送", "遅い"], "b": []}, "v1")
        repo.store_embeddings(s, {"a": np.array([0.5, -1.0], dtype=np.float32)}, "use")
    with session_scope(engine) as s:
        assert repo.cached_tokens(s, ["a", "b", "c"], "v1") == {"a": ["配送", "遅い"], "b": []}
        assert repo.cached_tokens(s, ["a"], "v2") == {}
        vectors = repo.cached_embeddings(s, ["a", "b"], "use")
    assert list(vectors) == ["a"] and vectors["a"].tolist() == [0.5, -1.0]


def test_releases_unique_by_name(engine):
    release = {
        "name": "サイトリニューアル",
        "kind": "redesign",
        "start": datetime(2026, 10, 19, 10),
        "end": None,
        "area": "ログイン",
        "notes": None,
    }
    with session_scope(engine) as s:
        assert repo.add_releases(s, [release, release]) == (1, 1)
    with session_scope(engine) as s:
        assert repo.add_releases(s, [release]) == (0, 1)
        assert repo.get_release(s, "サイトリニューアル").start == datetime(2026, 10, 19, 10)
        assert [r.name for r in repo.list_releases(s)] == ["サイトリニューアル"]


def test_faq_versions_keep_history(engine):
    v1 = [{"question": "送料は?", "answer": "550円です。", "category": "送料", "url": None, "updated": None}]
    v2 = [{**v1[0], "answer": "5,000円以上で無料です。"}]
    with session_scope(engine) as s:
        first = repo.add_faq_version(s, "faq.csv", "h1", v1)
        assert repo.add_faq_version(s, "faq.csv", "h1", v1) is None
        repo.add_faq_version(s, "faq.csv", "h2", v2)
    with session_scope(engine) as s:
        assert repo.faq_entries(s)["answer"].tolist() == ["5,000円以上で無料です。"]
        assert repo.faq_entries(s, first)["answer"].tolist() == ["550円です。"]


def test_run_results_round_trip(engine):
    import pandas as pd

    with session_scope(engine) as s:
        repo.add_documents(s, [doc("1", "配送が遅い"), doc("2", "ログインできない")])
        ids = repo.load_documents(s, datetime(2026, 11, 1), datetime(2026, 11, 9))[C.ID].tolist()
        run_id = repo.create_run(
            s,
            kind="weekly",
            period_start=datetime(2026, 11, 2).date(),
            period_end=datetime(2026, 11, 8).date(),
            embedder="use",
            n_documents=2,
        )
        topics = pd.DataFrame(
            {
                C.TOPIC_ID: [0],
                C.LABEL: ["配送・遅い"],
                C.KEYWORDS: [["配送", "遅い"]],
                C.REPRESENTATIVE: ["配送が遅い"],
                C.SIZE: [1],
            }
        )
        themes = pd.DataFrame(
            {C.THEME_ID: [0], C.LABEL: ["配送遅延"], C.KEYWORDS: [["配送", "遅延"]], C.SIZE: [1], C.SUBTOPICS: [[0]]}
        )
        repo.store_run_results(s, run_id, topics, pd.DataFrame({C.ID: ids, C.TOPIC: [0, -1]}), themes)
        repo.finish_run(s, run_id, report_path="/tmp/r.html")
    with session_scope(engine) as s:
        assert repo.run_topics(s, run_id)[C.KEYWORDS].tolist() == [["配送", "遅い"]]
        stored = repo.run_themes(s, run_id)
        assert stored[C.LABEL].tolist() == ["配送遅延"] and stored[C.SUBTOPICS].tolist() == [[0]]
        assert stored[C.KEYWORDS].tolist() == [["配送", "遅延"]]
        assert repo.latest_run(s, "weekly").report_path == "/tmp/r.html"


def _run(s, kind: str = "weekly") -> int:
    return repo.create_run(
        s,
        kind=kind,
        period_start=datetime(2026, 11, 2).date(),
        period_end=datetime(2026, 11, 8).date(),
        embedder="use",
        n_documents=1,
    )


def test_a_run_killed_half_way_is_never_reused_and_the_next_complete_run_removes_it(engine):
    import pandas as pd

    topics = pd.DataFrame(
        {C.TOPIC_ID: [0], C.LABEL: ["配送・遅い"], C.KEYWORDS: [["配送"]], C.REPRESENTATIVE: ["x"], C.SIZE: [1]}
    )
    with session_scope(engine) as s:
        repo.add_documents(s, [doc("1", "配送が遅い")])
        doc_id = repo.load_documents(s, datetime(2026, 11, 1), datetime(2026, 11, 9))[C.ID].tolist()
        complete = _run(s)
        repo.store_run_results(s, complete, topics, pd.DataFrame({C.ID: doc_id, C.TOPIC: [0]}), pd.DataFrame())
        repo.finish_run(s, complete, model_path="/tmp/model")
    with session_scope(engine) as s:  # the next run commits its row and results, then the process is killed
        killed = _run(s)
        repo.store_run_results(s, killed, topics, pd.DataFrame({C.ID: doc_id, C.TOPIC: [0]}), pd.DataFrame())
        other_kind = _run(s, "release_check")  # an unfinished run of another kind is not touched
    with session_scope(engine) as s:
        assert repo.latest_run(s, "weekly").id == complete  # not the half-written one
        assert repo.latest_run(s, "release_check") is None
    with session_scope(engine) as s:
        rerun = _run(s)
        repo.finish_run(s, rerun, model_path="/tmp/model2")
    with session_scope(engine) as s:
        assert repo.latest_run(s, "weekly").id == rerun
        assert repo.run_topics(s, killed).empty and repo.run_assignments(s, killed).empty
        assert not repo.run_topics(s, complete).empty  # complete runs are history: kept
        assert s.get(repo.Run, killed) is None and s.get(repo.Run, other_kind) is not None


def test_a_store_from_before_run_completion_keeps_its_finished_runs(tmp_path):
    """Stores written before runs had `completed_at`: the column is added, and runs that had written their
    outputs count as complete (the next weekly run still reuses their topics)."""
    import sqlite3

    from store.db import make_engine, sqlite_url

    path = tmp_path / "old.db"
    with session_scope(make_engine(sqlite_url(path))) as s:
        finished, unfinished = _run(s), _run(s)
        repo.finish_run(s, finished, report_path="/tmp/r.html")
    with sqlite3.connect(path) as db:  # the old schema: no completion column
        db.execute("ALTER TABLE runs DROP COLUMN completed_at")
    with session_scope(make_engine(sqlite_url(path))) as s:
        assert repo.latest_run(s, "weekly").id == finished
        assert s.get(repo.Run, unfinished).completed_at is None
