"""Store tests run against SQLite and a throwaway PostgreSQL cluster on loopback (tests/helpers/postgres.py);
without PostgreSQL installed the PostgreSQL half is skipped with a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.postgres import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path: Path):
    """The store on SQLite and on PostgreSQL: every store test runs on both."""
    from store.db import make_engine, sqlite_url

    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "koe.db")
    else:
        url = fresh_database(request.getfixturevalue("postgres_server"))
    engine = make_engine(url)
    yield engine
    engine.dispose()
