"""Engine and session setup: a SQLite file by default, PostgreSQL (or any SQLAlchemy URL) by URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from store.models import Base


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str) -> Engine:
    """Engine with the schema created. SQLite gets WAL and foreign keys, which it leaves off by default."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # SQLite: a writer waits up to a minute for another (two ingests at once) instead of failing after 5 s
    engine = create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    _add_new_columns(engine)
    return engine


def copy_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite store, committed transactions still in its WAL file included (copying
    the main file alone loses them: a release-check test lost the weekly run that way)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


# columns added after a table first shipped: create_all does not alter existing tables
_ADDED_COLUMNS = {
    "documents": {"product_id": "VARCHAR(100)", "typed_by": "VARCHAR(40)"},
    "runs": {"completed_at": "TIMESTAMP"},
}
# what an added column holds for the rows stored before it: runs that had written their outputs were complete
_BACKFILL = {
    ("runs", "completed_at"): "UPDATE runs SET completed_at = created_at "
    "WHERE model_path IS NOT NULL OR report_path IS NOT NULL"
}


def _add_new_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, columns in _ADDED_COLUMNS.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        with engine.begin() as conn:
            for name, sql_type in columns.items():
                if name not in present:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))
                    if (table, name) in _BACKFILL:
                        conn.execute(text(_BACKFILL[(table, name)]))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block succeeds, rolled back (nothing half-written) when it fails."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
