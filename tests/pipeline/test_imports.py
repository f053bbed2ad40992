from pipeline.imports import import_faq
from store import repo
from store.db import session_scope


def test_reimport_replaces_and_keeps_history(engine, tmp_path):
    first, second = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first.write_text("question,answer\n送料は？,550円です。\n", encoding="utf-8")
    second.write_text(
        'question,answer\n送料は？,"5,000円以上で無料です。"\n領収書は？,マイページから発行できます。\n',
        encoding="utf-8",
    )
    v1 = import_faq(engine, first)
    assert v1.version_id is not None and v1.entries == 1
    assert import_faq(engine, first).version_id is None  # unchanged: nothing new stored
    v2 = import_faq(engine, second)
    with session_scope(engine) as s:
        current = repo.faq_entries(s)
        old = repo.faq_entries(s, v1.version_id)
        versions = repo.faq_versions(s)
    assert current["question"].tolist() == ["送料は?", "領収書は?"]
    assert old["answer"].tolist() == ["550円です。"]
    assert [v.id for v in versions] == [v1.version_id, v2.version_id]
