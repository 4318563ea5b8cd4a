"""Deployments on `cairn server`: a registered ONNX model served by replicas the server starts,
reached through the gateway over V2, MLflow scoring and KServe V1; a new version rolled out
(blue-green), rolled back in under a second, and deleted; invalid requests refused, changing nothing."""

from __future__ import annotations

import time

import numpy as np
import pytest
import requests

from e2e_support import add_onnx_version, register_onnx, unique

pytestmark = pytest.mark.mlflow_differs(reason="deployments are Cairn's own API")


def two_versions(server, tmp_path):
    """One registered model with two versions that answer differently (trained on other labels)."""
    import onnxruntime as ort
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    features, labels = make_classification(n_samples=300, n_features=6, random_state=3)
    features = features.astype(np.float32)
    first = to_onnx(LogisticRegression().fit(features, labels), features[:1], options={"zipmap": False}).SerializeToString()
    second = to_onnx(LogisticRegression().fit(features, 1 - labels), features[:1], options={"zipmap": False}).SerializeToString()
    name = register_onnx(server.url, first, tmp_path / "v1", "deployed")
    assert add_onnx_version(server.url, name, second, tmp_path / "v2") == "2"
    sessions = [ort.InferenceSession(model, providers=["CPUExecutionProvider"]) for model in (first, second)]
    return name, features[:6], sessions


def infer(server, deployment: str, rows, key: str | None = None) -> requests.Response:
    body = {"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
    headers = {"X-Cairn-Routing-Key": key} if key else {}
    return requests.post(f"{server.url}/v2/models/{deployment}/infer", json=body, headers=headers, timeout=30)


def labels(answer: requests.Response) -> list[int]:
    return next(output for output in answer.json()["outputs"] if output["name"] == "label")["data"]


def test_a_deployment_serves_rolls_out_rolls_back_and_is_deleted(server, tmp_path):
    name, rows, sessions = two_versions(server, tmp_path)
    expected = [session.run(None, {"X": rows})[0].tolist() for session in sessions]
    assert expected[0] != expected[1]
    deployment = unique("churn")
    created = requests.post(f"{server.url}/api/v1/deployments", json={"name": deployment, "model_name": name, "model_version": 1,
                                                                      "replicas": 2, "strategy": "blue_green"}, timeout=120)
    assert created.status_code == 200, created.text
    revision = created.json()["deployment"]["revisions"][0]
    assert revision["percent"] == 100 and len(revision["replicas"]) == 2 and all(r["ready"] for r in revision["replicas"])
    try:
        answer = infer(server, deployment, rows)
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Cairn-Model-Version"] == "1" and answer.headers["X-Cairn-Revision"] == "1"
        assert labels(answer) == expected[0]
        assert requests.get(f"{server.url}/v2/models/{deployment}/ready", timeout=10).json() == {"name": deployment, "ready": True}
        assert requests.get(f"{server.url}/v2/models/{deployment}", timeout=10).json()["inputs"][0]["name"] == "X"
        scored = requests.post(f"{server.url}/deployments/{deployment}/invocations", json={"instances": rows.tolist()}, timeout=30)
        assert [p["label"] for p in scored.json()["predictions"]] == expected[0]
        kserve = requests.post(f"{server.url}/v1/models/{deployment}:predict", json={"instances": rows.tolist()}, timeout=30)
        assert kserve.json() == {"predictions": expected[0]}
        # Both replicas take requests.
        assert len({infer(server, deployment, rows).status_code for _ in range(20)}) == 1

        # Blue-green to version 2: every answer from then on is version 2's.
        updated = requests.post(f"{server.url}/api/v1/deployments/{deployment}/update", json={"model_version": 2}, timeout=120)
        assert updated.status_code == 200, updated.text
        assert [(r["revision"], r["percent"]) for r in updated.json()["deployment"]["revisions"]] == [(1, 0), (2, 100)]
        for _ in range(10):
            answer = infer(server, deployment, rows)
            assert answer.headers["X-Cairn-Model-Version"] == "2" and labels(answer) == expected[1]

        # Rollback: the old revision was kept warm, so all traffic is back within a second.
        started = time.monotonic()
        rolled = requests.post(f"{server.url}/api/v1/deployments/{deployment}/rollback", json={}, timeout=30)
        assert rolled.status_code == 200, rolled.text
        assert time.monotonic() - started < 1.0
        for _ in range(10):
            answer = infer(server, deployment, rows)
            assert answer.headers["X-Cairn-Model-Version"] == "1" and labels(answer) == expected[0]
        listed = requests.get(f"{server.url}/api/v1/deployments", timeout=10).json()["deployments"]
        assert any(d["name"] == deployment and d["model_version"] == 1 for d in listed)
    finally:
        deleted = requests.delete(f"{server.url}/api/v1/deployments/{deployment}", timeout=120)
    assert deleted.status_code == 200, deleted.text
    assert requests.get(f"{server.url}/api/v1/deployments/{deployment}", timeout=10).status_code == 404
    assert infer(server, deployment, rows).status_code == 404
    assert requests.delete(f"{server.url}/api/v1/deployments/{deployment}", timeout=10).status_code == 404
    for replica in revision["replicas"]:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{replica['url']}/v2/health/live", timeout=5)


def test_invalid_deployment_requests_are_refused_and_change_nothing(server, tmp_path):
    name, rows, _ = two_versions(server, tmp_path)
    before = requests.get(f"{server.url}/api/v1/deployments", timeout=10).json()["deployments"]
    deployment = unique("bad")
    cases = [
        ({"name": deployment, "model_name": "no-such-model", "model_version": 1}, 404),
        ({"name": deployment, "model_name": name, "model_version": 9}, 404),
        ({"name": deployment, "model_name": name, "model_alias": "nobody"}, 400),  # as MLflow answers an unknown alias
        ({"name": deployment, "model_name": name}, 400),
        ({"name": deployment, "model_name": name, "model_version": 1, "model_alias": "x"}, 400),
        ({"name": "1 bad name", "model_name": name, "model_version": 1}, 400),
        ({"name": deployment, "model_name": name, "model_version": 1, "replicas": 0}, 400),
        ({"name": deployment, "model_name": name, "model_version": 1, "strategy": "sideways"}, 400),
    ]
    for body, status in cases:
        answer = requests.post(f"{server.url}/api/v1/deployments", json=body, timeout=60)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["error_code"] and answer.json()["message"]
    assert requests.get(f"{server.url}/api/v1/deployments", timeout=10).json()["deployments"] == before
    assert requests.post(f"{server.url}/api/v1/deployments/{deployment}/rollback", json={}, timeout=10).status_code == 404
    assert infer(server, deployment, rows).status_code == 404

    created = requests.post(f"{server.url}/api/v1/deployments", json={"name": deployment, "model_name": name, "model_version": 1}, timeout=120)
    assert created.status_code == 200, created.text
    try:
        again = requests.post(f"{server.url}/api/v1/deployments", json={"name": deployment, "model_name": name, "model_version": 2}, timeout=60)
        assert again.status_code in (400, 409) and again.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
        assert requests.post(f"{server.url}/api/v1/deployments/{deployment}/rollback", json={}, timeout=10).json()["error_code"] == "INVALID_STATE"
        bad_update = requests.post(f"{server.url}/api/v1/deployments/{deployment}/update", json={"model_version": 7}, timeout=60)
        assert bad_update.status_code == 404
        assert infer(server, deployment, rows).headers["X-Cairn-Model-Version"] == "1"
    finally:
        requests.delete(f"{server.url}/api/v1/deployments/{deployment}", timeout=120)


def test_cairn_deploy_drives_a_deployment_from_the_command_line(server, tmp_path):
    import os
    import subprocess

    from e2e_support import REPO_ROOT

    binary = os.environ.get("CAIRN_BIN", str(REPO_ROOT / ".build" / "debug" / "cairn"))

    def cairn(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary, "deploy", *args, "--server", server.url], capture_output=True, text=True, timeout=180)

    name, rows, sessions = two_versions(server, tmp_path)
    deployment = unique("cli")
    refused = cairn("create", deployment, "--model", name, "--version", "5")
    assert refused.returncode == 1 and "RESOURCE_DOES_NOT_EXIST" in refused.stderr and "version=5" in refused.stderr, refused.stderr
    assert cairn("create", deployment, "--model", name).returncode != 0  # neither --version nor --alias
    created = cairn("create", deployment, "--model", name, "--version", "1", "--strategy", "blue_green")
    assert created.returncode == 0, created.stderr
    assert f"deployment {deployment} serves {name} version 1" in created.stdout
    try:
        updated = cairn("update", deployment, "--version", "2")
        assert updated.returncode == 0 and f"now serves {name} version 2" in updated.stdout, updated.stderr
        status = cairn("status", deployment)
        assert status.returncode == 0
        lines = status.stdout.splitlines()
        assert any(line.split()[:3] == ["1", "1", "0"] for line in lines) and any(line.split()[:3] == ["2", "2", "100"] for line in lines), status.stdout
        assert infer(server, deployment, rows).headers["X-Cairn-Model-Version"] == "2"
        rolled = cairn("rollback", deployment)
        assert rolled.returncode == 0 and "version 1" in rolled.stdout, rolled.stderr
        assert infer(server, deployment, rows).headers["X-Cairn-Model-Version"] == "1"
        canary = cairn("update", deployment, "--version", "2", "--strategy", "canary", "--canary-steps", "50:600,100:0")
        assert canary.returncode == 0 and "rollout: canary of revision 3 against 1 at 50 %" in canary.stdout, canary.stdout + canary.stderr
        paused = cairn("pause", deployment)
        assert paused.returncode == 0 and ", paused" in paused.stdout, paused.stderr
        promoted = cairn("promote", deployment)
        assert promoted.returncode == 0 and "rollout:" not in promoted.stdout and "promoted (promoted by hand)" in promoted.stdout, promoted.stdout
        split = cairn("traffic", deployment, "1=30", "3=70")
        assert split.returncode == 0, split.stderr
        assert any(line.split()[:3] == ["1", "1", "30"] for line in split.stdout.splitlines()), split.stdout
        assert cairn("traffic", deployment, "1=30", "3=60").returncode == 1
        listed = cairn("list", "--json")
        assert any(d["name"] == deployment for d in __import__("json").loads(listed.stdout)["deployments"])
    finally:
        deleted = cairn("delete", deployment)
    assert deleted.returncode == 0 and f"deleted deployment {deployment}" in deleted.stdout
    assert cairn("status", deployment).returncode == 1
