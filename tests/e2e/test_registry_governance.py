"""Registry guarantees Cairn adds over MLflow: frozen, hash-verified version files; at most one
Production version under racing promotions; promotion policies with approvals and an audit trail;
lineage in both directions. Driven through the stock mlflow client plus Cairn's `/api/v1`."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
import requests
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LinearRegression

from e2e_support import assert_json_error, unique

pytestmark = pytest.mark.mlflow_differs(reason="Cairn-only registry guarantees and /api/v1")


def _v1(server, path: str, method: str = "GET", user: str | None = None, **kwargs) -> requests.Response:
    headers = {"X-Cairn-User": user} if user else {}
    return requests.request(method, f"{server.url}/api/v1{path}", headers=headers, timeout=60, **kwargs)


def _run_with_model_files(fluent, experiment: str, files: dict[str, str], metrics: dict[str, float] | None = None) -> str:
    """A run whose artifacts hold `model/<name>` files with the given (unique) contents."""
    mlflow.set_experiment(experiment)
    with mlflow.start_run() as run:
        for key, value in (metrics or {}).items():
            mlflow.log_metric(key, value)
        for file_name, text in files.items():
            mlflow.log_text(text, f"model/{file_name}")
    return run.info.run_id


def _register(client, name: str, run_id: str):
    return client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)


def _manifest(server, name: str, version) -> dict:
    resp = _v1(server, f"/models/{name}/versions/{version}/manifest")
    assert resp.status_code == 200, resp.text
    return resp.json()


def _events(server, subject: str) -> list[dict]:
    resp = _v1(server, "/events", params={"subject": subject})
    assert resp.status_code == 200, resp.text
    return resp.json()["events"]


def test_version_serves_its_registered_bytes_after_the_run_changes(server, fluent, client, name, tmp_path):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    X = rng.normal(size=(30, 3))
    model = LinearRegression().fit(X, X @ np.array([1.5, -2.0, 0.25]) + rng.normal(size=30))
    mlflow.set_experiment(name)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model")
    version = mlflow.register_model(info.model_uri, name)
    expected = model.predict(X)

    manifest = _manifest(server, name, version.version)
    assert manifest["immutable"] is True
    assert {f["path"] for f in manifest["files"]} >= {"MLmodel", "model.skops"}

    # Overwrite the logged model's files in place, as a careless re-run might.
    logged_root = client.get_logged_model(info.model_id).artifact_location.split("mlflow-artifacts:/", 1)[1]
    for file_name in ("model.skops", "MLmodel"):
        put = requests.put(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{logged_root}/{file_name}",
                           data=b"overwritten", timeout=60)
        assert put.status_code == 200, put.text
    changed = requests.get(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{logged_root}/MLmodel", timeout=60)
    assert changed.content == b"overwritten"

    # The version still serves exactly what was registered.
    loaded = mlflow.pyfunc.load_model(f"models:/{name}/{version.version}")
    np.testing.assert_allclose(loaded.predict(X), expected)
    downloaded = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/{version.version}", dst_path=str(tmp_path / "dl")))
    for entry in manifest["files"]:
        assert hashlib.sha256((downloaded / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]

    # And nobody can write into the snapshot through the artifact proxy.
    snapshot = client.get_model_version_download_uri(name, version.version).split("mlflow-artifacts:/", 1)[1]
    put = requests.put(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{snapshot}/MLmodel", data=b"x", timeout=60)
    assert_json_error(put, 403, "PERMISSION_DENIED")
    delete = requests.delete(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{snapshot}", timeout=60)
    assert_json_error(delete, 403, "PERMISSION_DENIED")
    assert _manifest(server, name, version.version)["files"] == manifest["files"]


def test_corrupted_blob_fails_the_download_instead_of_serving_bad_bytes(server, fluent, client, name, tmp_path):
    weights = f"weights for {name}\n" * 50
    run_id = _run_with_model_files(fluent, name, {"weights.txt": weights, "MLmodel": f"name: {name}\n"})
    client.create_registered_model(name)
    version = _register(client, name, run_id)
    entry = next(f for f in _manifest(server, name, version.version)["files"] if f["path"] == "weights.txt")
    assert entry["sha256"] == hashlib.sha256(weights.encode()).hexdigest()

    blob = server.artifacts_dir / "blobs" / "sha256" / entry["sha256"][:2] / entry["sha256"][2:]
    original = blob.read_bytes()
    flipped = bytearray(original)
    flipped[10] ^= 0x01
    blob.write_bytes(bytes(flipped))
    try:
        with pytest.raises(Exception):
            mlflow.artifacts.download_artifacts(f"models:/{name}/{version.version}", dst_path=str(tmp_path / "bad"))
        snapshot = client.get_model_version_download_uri(name, version.version).split("mlflow-artifacts:/", 1)[1]
        resp = requests.get(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{snapshot}/weights.txt", timeout=60)
        body = assert_json_error(resp, 500, "DATA_LOSS")
        assert "corrupted" in body["message"] and entry["sha256"] in body["message"]
    finally:
        blob.write_bytes(original)
    restored = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/{version.version}", dst_path=str(tmp_path / "ok")))
    assert (restored / "weights.txt").read_text() == weights


def test_racing_promotions_leave_exactly_one_production_version(server, fluent, client, name):
    run_id = _run_with_model_files(fluent, name, {"MLmodel": f"name: {name}\n"})
    client.create_registered_model(name)
    versions = [_register(client, name, run_id).version for _ in range(20)]

    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(len(versions))

    def promote(version: str, archive: bool) -> None:
        barrier.wait()
        try:
            mlflow.MlflowClient(server.url).transition_model_version_stage(
                name, version, "Production", archive_existing_versions=archive)
            outcomes[version] = "promoted"
        except MlflowException as error:
            outcomes[version] = error.error_code

    threads = [threading.Thread(target=promote, args=(v, i % 2 == 0)) for i, v in enumerate(versions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(outcomes.values()) <= {"promoted", "RESOURCE_CONFLICT"}, outcomes
    assert "promoted" in outcomes.values()
    final = {v.version: v.current_stage for v in client.search_model_versions(f"name = '{name}'")}
    in_production = [v for v, stage in final.items() if stage == "Production"]
    assert len(in_production) == 1, final
    for version, stage in final.items():
        if version not in in_production:
            assert stage in ("Archived", "None"), final
            if outcomes[version] == "RESOURCE_CONFLICT":
                assert stage == "None", final
            else:
                assert stage == "Archived", final
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == in_production


def test_policy_refuses_promotion_until_two_distinct_users_approve(server, fluent, client, name):
    weak = _run_with_model_files(fluent, name, {"MLmodel": "weak\n"}, metrics={"auc": 0.80})
    strong = _run_with_model_files(fluent, name, {"MLmodel": "strong\n"}, metrics={"auc": 0.91})
    client.create_registered_model(name)
    v_weak = _register(client, name, weak).version
    v_strong = _register(client, name, strong).version

    policy = _v1(server, f"/models/{name}/policies/stage/Production", "PUT", user="lead",
                 json={"rules": ["metrics.auc >= 0.85"], "required_approvals": 2})
    assert policy.status_code == 200, policy.text
    assert policy.json()["policy"]["rules"] == ["metrics.auc >= 0.85"]

    with pytest.raises(MlflowException) as refused:
        client.transition_model_version_stage(name, v_weak, "Production")
    assert refused.value.error_code == "PERMISSION_DENIED"
    assert "metrics.auc >= 0.85" in refused.value.message and "auc = 0.8" in refused.value.message
    assert "approvals from 2 distinct users" in refused.value.message

    with pytest.raises(MlflowException) as refused:
        client.transition_model_version_stage(name, v_strong, "Production")
    assert "metrics.auc" not in refused.value.message
    assert "approvals from 2 distinct users" in refused.value.message

    created = _v1(server, f"/models/{name}/versions/{v_strong}/transition-requests", "POST", user="alice",
                  json={"stage": "Production", "comment": "beats the baseline"})
    assert created.status_code == 200, created.text
    request_id = created.json()["transition_request"]["id"]
    duplicate = _v1(server, f"/models/{name}/versions/{v_strong}/transition-requests", "POST", user="alice",
                    json={"stage": "Production"})
    assert_json_error(duplicate, 400, "RESOURCE_ALREADY_EXISTS")

    own = _v1(server, f"/transition-requests/{request_id}/approve", "POST", user="alice", json={})
    assert_json_error(own, 403, "PERMISSION_DENIED")
    anonymous = _v1(server, f"/transition-requests/{request_id}/approve", "POST", json={})
    assert_json_error(anonymous, 400, "INVALID_PARAMETER_VALUE")

    first = _v1(server, f"/transition-requests/{request_id}/approve", "POST", user="bob", json={"comment": "ok"})
    assert first.status_code == 200, first.text
    assert first.json()["transition_request"]["status"] == "pending"
    assert client.get_model_version(name, v_strong).current_stage == "None"
    again = _v1(server, f"/transition-requests/{request_id}/approve", "POST", user="bob", json={})
    assert again.json()["transition_request"]["status"] == "pending"  # the same user twice is one approval

    second = _v1(server, f"/transition-requests/{request_id}/approve", "POST", user="carol", json={})
    assert second.status_code == 200, second.text
    assert second.json()["transition_request"]["status"] == "applied"
    assert client.get_model_version(name, v_strong).current_stage == "Production"
    assert client.get_model_version(name, v_weak).current_stage == "None"

    events = _events(server, f"models/{name}/versions/{v_strong}")
    steps = [(e["type"], e["actor"]) for e in events]
    assert steps == [
        ("model_version.created", ""),
        ("model_version.promotion_refused", ""),
        ("transition_request.created", "alice"),
        ("transition_request.approved", "bob"),
        ("transition_request.approved", "bob"),
        ("transition_request.approved", "carol"),
        ("model_version.stage_changed", "carol"),
    ], steps
    changed = events[-1]["payload"]
    assert (changed["from"], changed["to"]) == ("None", "Production")
    assert events[1]["payload"]["unmet_rules"] and events[1]["payload"]["target"] == "stage:Production"


def test_alias_policy_requires_a_tag(server, fluent, client, name):
    run_id = _run_with_model_files(fluent, name, {"MLmodel": "m\n"})
    client.create_registered_model(name)
    version = _register(client, name, run_id).version
    put = _v1(server, f"/models/{name}/policies/alias/champion", "PUT", json={"rules": ["tags.validated = 'true'"]})
    assert put.status_code == 200, put.text

    with pytest.raises(MlflowException) as refused:
        client.set_registered_model_alias(name, "champion", version)
    assert refused.value.error_code == "PERMISSION_DENIED"
    assert "tags.validated = 'true'" in refused.value.message
    assert client.get_registered_model(name).aliases == {}

    client.set_model_version_tag(name, version, "validated", "true")
    client.set_registered_model_alias(name, "champion", version)
    assert client.get_model_version_by_alias(name, "champion").version == version
    client.set_registered_model_alias(name, "challenger", version)  # no policy on this alias
    types = [e["type"] for e in _events(server, f"models/{name}/versions/{version}")]
    assert types.count("model_version.alias_changed") == 2


def test_lineage_from_version_to_data_and_code_and_back(server, fluent, client, name):
    frame = pd.DataFrame({"x": np.arange(20, dtype=float), "y": np.arange(20, dtype=float) * 2 + len(name)})
    dataset = mlflow.data.from_pandas(frame, source=f"s3://bucket/{name}.parquet", name=f"{name}-train")
    mlflow.set_experiment(name)
    with mlflow.start_run() as run:
        mlflow.set_tag("mlflow.source.git.commit", "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e")
        mlflow.set_tag("cairn.pipeline.run_id", f"pipeline-run-{name}")
        mlflow.log_params({"alpha": "0.5", "features": "x"})
        mlflow.log_metric("rmse", 0.125)
        mlflow.log_input(dataset, context="training")
        model = LinearRegression().fit(frame[["x"]], frame["y"])
        info = mlflow.sklearn.log_model(model, name="model")
    version = mlflow.register_model(info.model_uri, name).version

    resp = _v1(server, f"/lineage/models/{name}/versions/{version}")
    assert resp.status_code == 200, resp.text
    lineage = resp.json()
    assert lineage["run"]["run_id"] == run.info.run_id
    assert lineage["run"]["params"] == {"alpha": "0.5", "features": "x"}
    assert lineage["run"]["metrics"] == {"rmse": 0.125}
    assert lineage["datasets"] == [{
        "name": f"{name}-train", "digest": dataset.digest, "source_type": "s3",
        "source": dataset.source.to_json(), "context": "training",
    }]
    assert lineage["code"]["git_commit"] == "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
    assert lineage["code"]["source_name"]  # the script or test runner the fluent API recorded
    assert lineage["pipeline_run_id"] == f"pipeline-run-{name}"

    by_digest = _v1(server, f"/lineage/datasets/{dataset.digest}/model-versions").json()["model_versions"]
    assert [(v["name"], v["version"]) for v in by_digest] == [(name, version)]
    by_run = _v1(server, f"/lineage/runs/{run.info.run_id}/model-versions").json()["model_versions"]
    assert [(v["name"], v["version"]) for v in by_run] == [(name, version)]
    assert _v1(server, f"/lineage/datasets/{unique('nodigest')}/model-versions").json()["model_versions"] == []


def test_native_api_rejects_bad_input_and_changes_nothing(server, fluent, client, name):
    run_id = _run_with_model_files(fluent, name, {"MLmodel": "m\n"})
    client.create_registered_model(name)
    version = _register(client, name, run_id).version

    bad_rule = _v1(server, f"/models/{name}/policies/stage/Production", "PUT", json={"rules": ["metrics.auc >>= 1"]})
    assert_json_error(bad_rule, 400)
    two_rules = _v1(server, f"/models/{name}/policies/stage/Production", "PUT", json={"rules": ["metrics.a > 1 AND metrics.b > 1"]})
    assert_json_error(two_rules, 400)
    bad_stage = _v1(server, f"/models/{name}/policies/stage/Live", "PUT", json={"rules": []})
    assert_json_error(bad_stage, 400)
    bad_alias = _v1(server, f"/models/{name}/policies/alias/latest", "PUT", json={"rules": []})
    assert_json_error(bad_alias, 400)
    assert _v1(server, f"/models/{name}/policies").json()["policies"] == []

    both = _v1(server, f"/models/{name}/versions/{version}/transition-requests", "POST", user="a",
               json={"stage": "Production", "alias": "champion"})
    assert_json_error(both, 400)
    missing_version = _v1(server, f"/models/{name}/versions/99/transition-requests", "POST", user="a", json={"stage": "Staging"})
    assert_json_error(missing_version, 404, "RESOURCE_DOES_NOT_EXIST")
    missing_model = _v1(server, f"/models/{unique('nomodel')}/versions/1/promote", "POST", json={"stage": "Staging"})
    assert_json_error(missing_model, 404, "RESOURCE_DOES_NOT_EXIST")
    unknown_request = _v1(server, "/transition-requests/nope/approve", "POST", user="b", json={})
    assert_json_error(unknown_request, 404, "RESOURCE_DOES_NOT_EXIST")
    assert _v1(server, f"/models/{name}/transition-requests").json()["transition_requests"] == []
    assert client.get_model_version(name, version).current_stage == "None"
