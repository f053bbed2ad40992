"""Shared fixtures: real Japanese text (tests/data, CC BY 4.0) and a throwaway SQLite store per test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers.postgres import postgres_server  # noqa: F401 - a session fixture for store and Dask tests

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # pipeline logs outside flows
# Prefect's temporary API needs more than its default 20-30 s on a busy 2-core machine (ARCHITECTURE.md)
PREFECT_STARTUP_SECONDS = int(os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300"))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def asdc_sample() -> list[dict]:
    """480 real customer requests, 80 from each of 6 labelled topics (tests/data/SOURCE.md)."""
    with (DATA / "asdc_sample.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session", autouse=True)
def no_default_store(tmp_path_factory):
    """No test writes the developer's data/koe.db or data/out: the defaults point into a temporary folder
    (a test that needs a store names its own)."""
    home = tmp_path_factory.mktemp("koe-defaults")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KOE_DATABASE_URL", f"sqlite:///{home / 'koe.db'}")
        patch.setenv("KOE_OUT_DIR", str(home / "out"))
        yield


@pytest.fixture
def engine(tmp_path):
    from store.db import make_engine, sqlite_url

    return make_engine(sqlite_url(tmp_path / "koe.db"))


@pytest.fixture(scope="session")
def use_embedder():
    from nlp.embed import get_embedder

    return get_embedder("use")


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API for every flow test (starting one costs ~10 s, ARCHITECTURE.md)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=PREFECT_STARTUP_SECONDS):
        yield


# Test kinds (CONTRIBUTING.md): `e2e` runs the product's flows or evaluations end to end; `service` starts
# a real program (Prefect's API, PostgreSQL, Dovecot, Chromium, a local HTTP server, a `koe` process);
# `unit` is everything else, the fast subset (`uv run pytest -m unit`).
E2E_MODULES = {
    "test_demo_e2e.py",
    "test_deployments.py",
    "test_scale.py",
    "test_evals.py",
    "test_planted_pii.py",
    "test_planted_prefect.py",
}
SERVICE_FIXTURES = {"prefect_api", "postgres_server", "dovecot", "zendesk"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.path.name in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
        elif (
            SERVICE_FIXTURES & set(item.fixturenames)
            or params.get("engine") == "postgresql"
            or item.get_closest_marker("service")
        ):
            item.add_marker(pytest.mark.service)
        else:
            item.add_marker(pytest.mark.unit)
