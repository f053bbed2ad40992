"""Imports flow one way (DESIGN.md): flows -> sources, store, nlp, reports. Checked on the source."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "nlp": {"prefect", "sqlalchemy", "store", "sources", "flows", "reports"},
    "reports": {"prefect", "sqlalchemy", "store", "sources", "flows"},
    "sources": {"store", "flows", "prefect"},
    "store": {"flows", "prefect", "sources", "reports"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package):
    offenders = {
        str(p.relative_to(ROOT)): sorted(imported_roots(p) & FORBIDDEN[package]) for p in (ROOT / package).rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_sql_lives_only_in_store():
    for package in ("flows", "nlp", "reports", "sources"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # sqlalchemy's select(...), not a method such as IMAP's conn.select(folder)
            assert not re.search(r"(?<![.\w])select\(", text) and "session.execute" not in text, path
