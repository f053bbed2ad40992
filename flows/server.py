"""`koe server up`: a local Prefect server on 127.0.0.1, the `koe-process` work pool, every deployment of
prefect.yaml, and a worker, so the weekly report runs by itself (Monday 07:00 Asia/Tokyo), ingest runs
hourly and release checks run on demand. The worker's flows read KOE_* settings from this environment.

Each step is a function so the deployment test (tests/flows/test_deployments.py) runs exactly what the
command runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
POOL = "koe-process"


@dataclass
class LocalPrefect:
    api_url: str
    server: subprocess.Popen
    worker: subprocess.Popen | None = None
    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. PREFECT_HOME, KOE_* for the worker

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.extra_env, "PREFECT_API_URL": self.api_url, "KOE_PROJECT_DIR": str(ROOT)}

    def stop(self) -> None:
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _prefect(*args: str) -> list[str]:
    return [sys.executable, "-m", "prefect", *args]


def start_server(
    port: int = 4200, log: Path | None = None, timeout: float = 90, extra_env: dict[str, str] | None = None
) -> LocalPrefect:
    """Start `prefect server start` on 127.0.0.1 and wait until its API answers /health."""
    extra_env = extra_env or {}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        _prefect("server", "start", "--host", "127.0.0.1", "--port", str(port)),
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra_env},
    )
    local = LocalPrefect(f"http://127.0.0.1:{port}/api", server, extra_env=extra_env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {server.returncode}" + (f"; see {log}" if log else ""))
        try:
            if httpx.get(f"{local.api_url}/health", timeout=2).status_code == 200:
                return local
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    local.stop()
    raise RuntimeError(f"prefect server did not answer on {local.api_url} within {timeout:.0f} s")


def deploy(local: LocalPrefect) -> None:
    """Create the process work pool (if missing) and register every deployment of prefect.yaml."""
    env = local.env()
    pools = subprocess.run(_prefect("work-pool", "ls"), env=env, capture_output=True, text=True, check=True)
    if POOL not in pools.stdout:
        subprocess.run(_prefect("work-pool", "create", POOL, "--type", "process"), env=env, check=True, cwd=ROOT)
    subprocess.run(_prefect("--no-prompt", "deploy", "--all"), env=env, check=True, cwd=ROOT)


def start_worker(local: LocalPrefect, log: Path | None = None) -> None:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - lives as long as the worker
    local.worker = subprocess.Popen(
        _prefect("worker", "start", "--pool", POOL, "--type", "process"),
        stdout=out,
        stderr=subprocess.STDOUT,
        env=local.env(),
        cwd=ROOT,
    )


def up(port: int = 4200, wait: float = 180, log_dir: Path = Path("data/out/server")) -> int:
    """The command: everything running until Ctrl-C; the server's and the worker's output go to log files."""
    log_dir.mkdir(parents=True, exist_ok=True)
    server_log, worker_log = (log_dir / "server.log").resolve(), (log_dir / "worker.log").resolve()
    print(f"logs: {server_log}, {worker_log}", flush=True)
    try:
        local = start_server(port, log=server_log, timeout=wait)
    except RuntimeError as exc:
        print(f"koe: {exc}; --wait waits longer", file=sys.stderr)
        return 3
    try:
        deploy(local)
        start_worker(local, log=worker_log)
        print(f"Prefect UI and API: http://127.0.0.1:{port}  (PREFECT_API_URL={local.api_url})")
        print("deployments: weekly-report (Mon 07:00 Asia/Tokyo), ingest (hourly), release-check (on demand)")
        print("Ctrl-C stops the worker and the server.")
        while local.server.poll() is None and local.worker.poll() is None:
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        local.stop()
