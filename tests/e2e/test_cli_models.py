"""`cairn models list | show | promote | approve` against a running server."""

from __future__ import annotations

import json
import os
import subprocess

import mlflow
import pytest
import requests

from e2e_support import REPO_ROOT, free_port

pytestmark = pytest.mark.mlflow_differs(reason="the cairn CLI talks to Cairn's /api/v1")

CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO_ROOT / ".build" / "debug" / "cairn"))


def cairn(server, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
    command = [CAIRN_BIN, "models", *args, "--server", server.url]
    if user:
        command += ["--user", user]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_promote_with_approval_from_the_command_line(server, fluent, client, name):
    model = f"{name} cli"  # a space: names travel percent-encoded in paths
    client.create_registered_model(model)
    mlflow.set_experiment(name)
    for auc in (0.7, 0.95):
        with mlflow.start_run() as run:
            mlflow.log_metric("auc", auc)
            mlflow.log_text(f"auc {auc}\n", "model/MLmodel")
        client.create_model_version(model, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    requests.put(f"{server.url}/api/v1/models/{model}/policies/stage/Production",
                 json={"rules": ["metrics.auc >= 0.9"], "required_approvals": 1}, timeout=60).raise_for_status()

    listed = cairn(server, "list", "--filter", f"name = '{model}'")
    assert listed.returncode == 0, listed.stderr
    assert model in listed.stdout and "NAME" in listed.stdout

    refused = cairn(server, "promote", model, "1", "--stage", "Production", user="alice")
    assert refused.returncode == 1
    assert "PERMISSION_DENIED" in refused.stderr and "metrics.auc >= 0.9 (the source run has auc = 0.7)" in refused.stderr
    assert client.get_model_version(model, "1").current_stage == "None"

    opened = cairn(server, "promote", model, "2", "--stage", "Production", "--request", "--comment", "best auc", "--json", user="alice")
    assert opened.returncode == 0, opened.stderr
    request = json.loads(opened.stdout)["transition_request"]
    assert (request["status"], request["requested_by"], request["version"]) == ("pending", "alice", "2")

    shown = cairn(server, "show", model)
    assert shown.returncode == 0, shown.stderr
    assert request["id"] in shown.stdout and "metrics.auc >= 0.9" in shown.stdout

    approved = cairn(server, "approve", request["id"], user="bob")
    assert approved.returncode == 0, approved.stderr
    assert "is applied; approved by bob" in approved.stdout
    assert client.get_model_version(model, "2").current_stage == "Production"

    files = cairn(server, "show", model, "2")
    assert files.returncode == 0, files.stderr
    assert "MLmodel" in files.stdout and "frozen at mlflow-artifacts:/_cairn_snapshots/" in files.stdout

    aliased = cairn(server, "promote", model, "2", "--alias", "champion", user="bob")
    assert aliased.returncode == 0, aliased.stderr
    assert client.get_model_version_by_alias(model, "champion").version == "2"


def test_cli_reports_bad_input_without_changing_anything(server, client, name):
    client.create_registered_model(name)
    both = cairn(server, "promote", name, "1", "--stage", "Production", "--alias", "x")
    assert both.returncode != 0 and "exactly one of --stage and --alias" in both.stderr
    missing = cairn(server, "show", f"{name}-missing")
    assert missing.returncode == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr
    unreachable = subprocess.run([CAIRN_BIN, "models", "list", "--server", f"http://127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=60)
    assert unreachable.returncode == 1 and "Cannot reach the Cairn server" in unreachable.stderr
