"""prefect.yaml points at real flows with the schedule the product promises."""

from pathlib import Path

import yaml
from prefect import Flow
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[2]


def test_deployments_resolve_to_flows():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in config["deployments"]}
    weekly = deployments["weekly-report"]
    assert weekly["schedules"] == [{"cron": "0 7 * * 1", "timezone": "Asia/Tokyo", "active": True}]
    flow = load_flow_from_entrypoint(str(ROOT / weekly["entrypoint"]))  # what a worker does
    assert isinstance(flow, Flow) and flow.name == "weekly-report"
    assert set(flow.parameters.properties) == {"week_of", "refit"}


def test_release_check_deployment_takes_parameters():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    check = {d["name"]: d for d in config["deployments"]}["release-check"]
    flow = load_flow_from_entrypoint(str(ROOT / check["entrypoint"]))
    assert flow.name == "release-check"
    assert set(flow.parameters.properties) == {"release", "date", "post_days", "pre_days", "refit"}
    assert check["parameters"] == {}  # the windows come from the settings, one home (pipeline/config.py)
    assert "schedules" not in check  # on demand only
