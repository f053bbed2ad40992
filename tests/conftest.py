"""Shared fixtures: real Japanese text (tests/data, CC BY 4.0) and a throwaway SQLite store per test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers.postgres import postgres_server  # noqa: F401 - a session fixture for store and Dask tests

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def asdc_sample() -> list[dict]:
    """480 real customer requests, 80 from each of 6 labelled topics (tests/data/SOURCE.md)."""
    with (DATA / "asdc_sample.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


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
    """One temporary Prefect API for every flow test (starting one costs ~10 s, NOTES.md)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield
