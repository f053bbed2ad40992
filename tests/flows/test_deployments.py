"""Deployments for real: the steps of `koe server up` (a Prefect server on 127.0.0.1, the process work pool,
`prefect deploy --all`, a worker), then a deployment run triggered with parameters must complete."""

import json
from datetime import date
from pathlib import Path

import pytest
from prefect.client.schemas.filters import DeploymentFilter
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.server import deploy, start_server, start_worker
from tests.helpers.net import free_port


@pytest.fixture(scope="module")
def local_prefect(tmp_path_factory):
    base = tmp_path_factory.mktemp("prefect")
    export = base / "tickets.csv"
    export.write_text(
        "id,date,text\n1,2026-11-10 10:00,注文した商品がまだ届きません\n2,2026-11-11 10:00,送料はいくらですか？\n",
        encoding="utf-8",
    )
    env = {
        "PREFECT_HOME": str(base / "home"),
        "PREFECT_WORKER_QUERY_SECONDS": "2",  # pick the run up quickly
        "PREFECT_SERVER_UI_ENABLED": "false",
        "KOE_DATABASE_URL": f"sqlite:///{base / 'koe.db'}",
        "KOE_OUT_DIR": str(base / "out"),
        "KOE_CONFIG": str(base / "no-koe.toml"),
        "KOE_SOURCES": json.dumps([{"path": str(export), "source": "desk"}]),
    }
    local = start_server(free_port(), log=base / "server.log", extra_env=env)
    try:
        deploy(local)
        start_worker(local, log=base / "worker.log")
        yield local, base
    finally:
        local.stop()


def test_deployments_registered_with_schedules(local_prefect):
    import asyncio

    from prefect.client.orchestration import get_client

    local, _ = local_prefect

    async def deployments():
        async with get_client() as client:
            return await client.read_deployments(deployment_filter=DeploymentFilter())

    with temporary_settings({PREFECT_API_URL: local.api_url}):
        found = {d.name: d for d in asyncio.run(deployments())}
    assert set(found) == {"weekly-report", "ingest", "release-check"}
    crons = {name: [s.schedule.cron for s in d.schedules] for name, d in found.items()}
    assert crons == {"weekly-report": ["0 7 * * 1"], "ingest": ["5 * * * *"], "release-check": []}
    assert found["weekly-report"].schedules[0].schedule.timezone == "Asia/Tokyo"
    assert found["release-check"].parameters == {}  # the windows come from the settings


def test_deployment_run_with_parameters_completes_on_the_worker(local_prefect):
    local, base = local_prefect
    with temporary_settings({PREFECT_API_URL: local.api_url}):
        run = run_deployment("weekly-report/weekly-report", parameters={"week_of": "2026-11-12"}, timeout=240)
    worker_log = (base / "worker.log").read_text(errors="replace")[-3000:]
    assert run.state is not None and run.state.is_completed(), worker_log
    report = base / "out" / f"weekly-{date(2026, 11, 9)}" / "report.html"  # the parameter's week, not today's
    assert report.exists()
    assert "2026-11-09" in Path(report).read_text(encoding="utf-8")
