"""Imports flow one way (ARCHITECTURE.md): flows -> pipeline -> sources, store, nlp, reports, and
bench -> pipeline. Checked on the source of every top-level package, so a new package must be listed."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "pipeline", "nlp", "reports", "sources", "store", "bench")
FORBIDDEN = {
    "flows": {"bench", "tests"},
    "pipeline": {"prefect", "prefect_dask", "flows", "bench", "tests"},
    "nlp": {"prefect", "sqlalchemy", "store", "sources", "flows", "reports", "pipeline", "bench", "tests"},
    "reports": {"prefect", "sqlalchemy", "store", "sources", "flows", "pipeline", "bench", "tests"},
    "sources": {"prefect", "sqlalchemy", "store", "flows", "reports", "pipeline", "bench", "tests"},
    "store": {"prefect", "flows", "sources", "reports", "pipeline", "bench", "tests"},
    "bench": {"prefect", "flows", "tests"},
}
# the one exception, said where it happens: `koe bench prepare` measures the Dask flow itself
ALLOWED = {"bench/prepare.py": {"prefect", "flows"}}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_package_has_rules():
    found = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert found == set(PACKAGES) == set(FORBIDDEN)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_flow_one_way(package):
    offenders = {}
    for path in (ROOT / package).rglob("*.py"):
        name = str(path.relative_to(ROOT))
        bad = imported_roots(path) & FORBIDDEN[package] - ALLOWED.get(name, set())
        if bad:
            offenders[name] = sorted(bad)
    assert not offenders


def test_the_rule_catches_a_violation(tmp_path):
    """The check reads real imports, lazy ones inside functions included."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from prefect import flow\n    import bench.pipeline\n", encoding="utf-8")
    assert {"prefect", "bench"} <= imported_roots(module)


def test_sql_lives_only_in_store():
    for package in set(PACKAGES) - {"store"}:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # sqlalchemy's select(...), not a method such as IMAP's conn.select(folder)
            assert not re.search(r"(?<![.\w])select\(", text) and "session.execute" not in text, path
