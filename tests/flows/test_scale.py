"""Scale-out on an existing engine: tokenization and embedding as Prefect tasks on a Dask cluster of
worker processes on 127.0.0.1, writing into a throwaway PostgreSQL store."""

import json

import numpy as np
import pytest

from tests.helpers.postgres import fresh_database


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1") as local:
        yield local.scheduler_address


def test_prepare_window_on_dask_fills_the_postgresql_caches(prefect_api, postgres_server, cluster, tmp_path,
                                                             monkeypatch, asdc_sample, use_embedder):  # fmt: skip
    from datetime import date

    from flows.scale import run_prepare
    from flows.settings import Settings
    from nlp.embed import get_embedder
    from nlp.pii import make_redactor
    from nlp.tokenize import TOKENIZER_VERSION
    from pipeline.ingest import ingest_file
    from store import repo
    from store.db import make_engine, session_scope

    url = fresh_database(postgres_server)
    export = tmp_path / "requests.jsonl"
    export.write_text(
        "\n".join(
            json.dumps({"id": i, "date": f"2026-11-{10 + i % 5:02d} 10:00", "text": r["text"]}, ensure_ascii=False)
            for i, r in enumerate(asdc_sample)
        ),
        encoding="utf-8",
    )
    engine = make_engine(url)
    ingest_file(engine, export, source="asdc", kind="ticket", redactor=make_redactor())
    monkeypatch.setenv("KOE_DATABASE_URL", url)
    monkeypatch.setenv("KOE_DASK_ADDRESS", cluster)
    monkeypatch.setenv("KOE_CONFIG", str(tmp_path / "none.toml"))
    settings = Settings()
    assert settings.dask_address == cluster

    computed = run_prepare(settings, date(2026, 11, 9))
    with session_scope(engine) as session:
        docs = repo.load_documents(session, *_window())
        everything = list(dict.fromkeys(docs["text_hash"]))
        tokens = repo.cached_tokens(session, everything, TOKENIZER_VERSION)
        vectors = repo.cached_embeddings(session, everything, "use")
    modelled = docs  # the weekly run models every message (issue #13): every distinct text is computed
    hashes = set(modelled["text_hash"])
    assert computed == len(hashes) > 200 and set(tokens) == set(vectors) == hashes
    assert _tasks_run_on(cluster) >= 1  # the chunks ran on the cluster's workers, not in this process
    # the workers computed what this process computes
    text = modelled["text"].iloc[0]
    local = get_embedder("use").embed([text])[0]
    assert np.allclose(vectors[modelled["text_hash"].iloc[0]], local, atol=1e-5)
    assert run_prepare(settings, date(2026, 11, 9)) == 0  # everything cached: nothing computed twice


def _tasks_run_on(address: str) -> int:
    from distributed import Client

    with Client(address) as client:
        return client.run_on_scheduler(
            lambda dask_scheduler: sum(1 for t in dask_scheduler.transition_log if t[2] == "memory")
        )


def _window():
    from datetime import datetime

    return datetime(2026, 10, 1), datetime(2026, 11, 16)
