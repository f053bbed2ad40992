"""The demo writes into the configured store, never into another shop's."""

import pytest


def test_the_demo_never_mixes_into_another_shops_store(tmp_path, engine):
    from flows.demo import DemoStoreInUse, check_store
    from nlp.pii import make_redactor
    from pipeline.ingest import ingest_file

    export = tmp_path / "tickets.csv"
    export.write_text("id,date,text\n1,2026-11-10 10:00,注文した商品がまだ届きません\n", encoding="utf-8")
    check_store(engine, "sqlite:///empty.db")  # an empty store is fine
    ingest_file(engine, export, source="zendesk-export", kind="ticket", redactor=make_redactor())
    with pytest.raises(DemoStoreInUse, match=r"holds other sources \(zendesk-export\); run the demo in its own"):
        check_store(engine, "sqlite:///shop.db")
