"""Rollouts through the gateway under load: a canary of a broken version rolled back on its own and
a good one promoted on its own, blue-green with no failed request, A/B with sticky assignment and
its z-test, shadow traffic, alias following, the autoscaler, a replica killed under load, and
invalid rollout requests refused without changing anything."""

from __future__ import annotations

import json
import math
import os
import signal
import threading
import time

import numpy as np
import pytest
import requests

from e2e_support import add_onnx_version, unique
from test_deployments import infer, labels, two_versions

pytestmark = pytest.mark.mlflow_differs(reason="deployments are Cairn's own API")


def broken_onnx() -> bytes:
    """A model that answers one row (the replica's warm-up) and fails on every real request of
    several rows: a Reshape to a fixed [1, 6]. ONNX Runtime raises, so the replica answers 500."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Reshape", ["X", "shape"], ["label"])], "broken",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 6])],
        [helper.make_tensor_value_info("label", TensorProto.FLOAT, [1, 6])],
        initializer=[helper.make_tensor("shape", TensorProto.INT64, [2], [1, 6])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


class Load:
    """Steady traffic through the gateway from `threads` clients until stopped; every answer is
    recorded as (time, status, revision, model version)."""

    def __init__(self, server, deployment: str, rows, threads: int = 4, pause: float = 0.0):
        self.url = f"{server.url}/v2/models/{deployment}/infer"
        self.body = {"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
        self.pause = pause
        self.records: list[tuple[float, int, str | None, str | None]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self):
        session = requests.Session()
        while not self.stopping.is_set():
            try:
                answer = session.post(self.url, json=self.body, timeout=30)
                record = (time.monotonic(), answer.status_code, answer.headers.get("X-Cairn-Revision"), answer.headers.get("X-Cairn-Model-Version"))
            except requests.RequestException:
                record = (time.monotonic(), 0, None, None)
            with self.lock:
                self.records.append(record)
            if self.pause:
                time.sleep(self.pause)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def failures(self, since: float = 0.0, until: float = math.inf):
        return [r for r in self.records if since <= r[0] <= until and r[1] != 200]


def api(server, method: str, path: str, **body) -> requests.Response:
    return requests.request(method, f"{server.url}/api/v1/deployments{path}", json=body if method != "GET" else None, timeout=180)


def status(server, deployment: str) -> dict:
    answer = api(server, "GET", f"/{deployment}")
    assert answer.status_code == 200, answer.text
    return answer.json()["deployment"]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def percents(deployment: dict) -> dict[int, int]:
    return {r["revision"]: r["percent"] for r in deployment["revisions"] if r["percent"]}


@pytest.fixture
def versions(server, tmp_path):
    """A model with v1 and v2 (good, answering differently) and v3 (broken)."""
    name, rows, sessions = two_versions(server, tmp_path)
    assert add_onnx_version(server.url, name, broken_onnx(), tmp_path / "v3") == "3"
    return name, rows, sessions


@pytest.fixture
def deployments(server):
    created: list[str] = []
    yield created
    for deployment in created:
        api(server, "DELETE", f"/{deployment}")


def create(server, deployments, name: str, **options) -> dict:
    deployment = unique("roll")
    answer = api(server, "POST", "", name=deployment, model_name=name, **options)
    assert answer.status_code == 200, answer.text
    deployments.append(deployment)
    return answer.json()["deployment"]


def test_a_canary_of_a_broken_version_is_rolled_back_on_its_own(server, versions, deployments):
    name, rows, _ = versions
    canary = {"steps": [{"percent": 10, "seconds": 60}, {"percent": 50, "seconds": 60}, {"percent": 100, "seconds": 0}], "minimum_requests": 20}
    deployment = create(server, deployments, name, model_version=1, strategy="canary", canary=canary)["name"]
    with Load(server, deployment, rows) as load:
        time.sleep(1)
        started = time.monotonic()
        updated = api(server, "POST", f"/{deployment}/update", model_version=3)
        assert updated.status_code == 200, updated.text
        assert percents(updated.json()["deployment"]) == {1: 90, 2: 10}
        assert updated.json()["deployment"]["rollout"]["candidate_revision"] == 2
        final = wait_for(lambda: (d := status(server, deployment)).get("rollout") is None and d, 60, "the canary to end")
        rolled_back = time.monotonic()
        time.sleep(1.5)
    assert percents(final) == {1: 100}
    assert any("rolled back (canary analysis at 10 %: error rate" in event["message"] for event in final["events"]), final["events"]
    during = [r for r in load.records if started <= r[0] <= rolled_back]
    failed = load.failures(started, rolled_back)
    # Every failure is the candidate's; the stable revision kept answering.
    assert failed and all(r[1] == 500 and r[2] == "2" for r in failed)
    assert all(r[1] == 200 for r in during if r[2] == "1")
    # The share of failed requests stays within the canary's 10 % (binomial noise allowed: 3 sigma).
    share = len(failed) / len(during)
    assert share <= 0.10 + 3 * math.sqrt(0.1 * 0.9 / len(during)), (len(failed), len(during))
    after = [r for r in load.records if r[0] > rolled_back + 0.5]
    assert after and all(r[1] == 200 and r[3] == "1" for r in after)


def test_a_canary_of_a_good_version_reaches_all_traffic_on_its_own(server, versions, deployments):
    name, rows, sessions = versions
    # The p95 of a fresh replica on a shared 2-core machine running other tests swings by tens of
    # milliseconds; this test is about the steps, so latency may differ by up to a second.
    canary = {"steps": [{"percent": 20, "seconds": 2}, {"percent": 50, "seconds": 2}, {"percent": 100, "seconds": 0}], "minimum_requests": 10,
              "latency_slack_ms": 1000}
    deployment = create(server, deployments, name, model_version=1, strategy="canary", canary=canary, keep_previous_seconds=1)["name"]
    with Load(server, deployment, rows) as load:
        assert api(server, "POST", f"/{deployment}/update", model_version=2).status_code == 200
        final = wait_for(lambda: (d := status(server, deployment)).get("rollout") is None and d, 60, "the canary to finish")
    assert percents(final) == {2: 100}
    messages = [event["message"] for event in final["events"]]
    assert any("canary step 20 % passed" in m and "now 50 %" in m for m in messages), messages
    assert any("revision 2 promoted (every canary step passed" in m for m in messages), messages
    assert not load.failures()
    assert {r[3] for r in load.records} == {"1", "2"}
    answer = infer(server, deployment, rows)
    assert answer.headers["X-Cairn-Model-Version"] == "2" and labels(answer) == sessions[1].run(None, {"X": rows})[0].tolist()
    # The stable revision is retired once its rollback window (1 s) is over.
    wait_for(lambda: not status(server, deployment)["revisions"][0]["replicas"], 30, "revision 1 to retire")


def test_blue_green_switches_with_no_failed_request_and_rolls_back_within_a_second(server, versions, deployments):
    name, rows, _ = versions
    deployment = create(server, deployments, name, model_version=1, strategy="blue_green")["name"]
    with Load(server, deployment, rows) as load:
        time.sleep(1)
        assert api(server, "POST", f"/{deployment}/update", model_version=2).status_code == 200
        switched = time.monotonic()
        time.sleep(1.5)
        started = time.monotonic()
        assert api(server, "POST", f"/{deployment}/rollback").status_code == 200
        back = time.monotonic()
        time.sleep(1.5)
    assert back - started < 1.0
    assert not load.failures(), load.failures()[:5]
    # Prometheus: every answer is counted per revision, with its latency; replicas and traffic per revision.
    metrics = requests.get(f"{server.url}/metrics", timeout=10)
    assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    counted = {}
    for line in metrics.text.splitlines():
        if line.startswith(f'cairn_gateway_requests_total{{deployment="{deployment}"'):
            labels, value = line.rsplit(" ", 1)
            counted[labels] = float(value)
    assert sum(counted.values()) == len(load.records)
    assert all('code="200"' in labels for labels in counted) and any('revision="2"' in labels for labels in counted)
    assert f'cairn_gateway_request_duration_seconds_count{{deployment="{deployment}",revision="1"}}' in metrics.text
    assert f'cairn_deployment_traffic_percent{{deployment="{deployment}",revision="1"}} 100' in metrics.text
    assert f'cairn_deployment_replicas{{deployment="{deployment}",revision="1",state="ready"}} 1' in metrics.text
    assert all(r[3] == "2" for r in load.records if switched + 0.2 < r[0] < started)
    assert all(r[3] == "1" for r in load.records if r[0] > back + 0.2)


def test_ab_split_is_sticky_lands_on_its_weights_and_reports_the_z_test(server, versions, deployments):
    from scipy.stats import norm

    name, rows, _ = versions
    deployment = create(server, deployments, name, model_version=1)["name"]
    updated = api(server, "POST", f"/{deployment}/update", model_version=2, strategy="ab", ab_percent=30)
    assert updated.status_code == 200, updated.text
    assert percents(updated.json()["deployment"]) == {1: 70, 2: 30}

    body = {"inputs": [{"name": "X", "shape": list(rows[:1].shape), "datatype": "FP32", "data": rows[:1].tolist()}]}
    url = f"{server.url}/v2/models/{deployment}/infer"
    assigned: dict[str, str] = {}
    lock = threading.Lock()

    def send(keys):
        session = requests.Session()
        for key in keys:
            answer = session.post(url, json=body, headers={"X-Cairn-Routing-Key": key}, timeout=30)
            assert answer.status_code == 200, answer.text
            with lock:
                assigned[key] = answer.headers["X-Cairn-Model-Version"]

    keys = [f"user-{i}" for i in range(10_000)]
    threads = [threading.Thread(target=send, args=(keys[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    share_b = sum(1 for version in assigned.values() if version == "2") / len(keys)
    assert abs(share_b - 0.30) <= 0.02, share_b
    # The same key always lands on the same version.
    session = requests.Session()
    for key in keys[:300]:
        for _ in range(2):
            answer = session.post(url, json=body, headers={"X-Cairn-Routing-Key": key}, timeout=30)
            assert answer.headers["X-Cairn-Model-Version"] == assigned[key]

    # Outcomes: arm B converts more often. The server attributes each outcome by the key's arm.
    tally = {"1": [0, 0], "2": [0, 0]}
    for index, key in enumerate(keys[:2_000]):
        arm = assigned[key]
        success = index % 10 < (3 if arm == "1" else 4)
        answer = api(server, "POST", f"/{deployment}/outcomes", routing_key=key, success=success)
        assert answer.status_code == 200 and str(answer.json()["revision"]) == arm, answer.text
        tally[arm][0] += 1
        tally[arm][1] += int(success)
    test = status(server, deployment)["ab_test"]
    (n_a, s_a), (n_b, s_b) = tally["1"], tally["2"]
    assert (test["a"]["trials"], test["a"]["successes"], test["b"]["trials"], test["b"]["successes"]) == (n_a, s_a, n_b, s_b)
    # Reference: pooled two-proportion z-test, two-sided (as statsmodels' proportions_ztest).
    p_a, p_b, pooled = s_a / n_a, s_b / n_b, (s_a + s_b) / (n_a + n_b)
    z = (p_a - p_b) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    assert test["z"] == pytest.approx(z, rel=1e-9)
    assert test["p_value"] == pytest.approx(2 * norm.sf(abs(z)), rel=1e-6)
    assert test["difference"] == pytest.approx(p_b - p_a, rel=1e-9)
    assert test["significant"] == (2 * norm.sf(abs(z)) < 0.05)

    promoted = api(server, "POST", f"/{deployment}/promote")
    assert promoted.status_code == 200 and percents(promoted.json()["deployment"]) == {2: 100}


def test_shadow_mirrors_traffic_and_counts_disagreements(server, versions, deployments):
    name, rows, sessions = versions
    deployment = create(server, deployments, name, model_version=1)["name"]
    updated = api(server, "POST", f"/{deployment}/update", model_version=2, strategy="shadow", shadow_percent=100)
    assert updated.status_code == 200, updated.text
    assert percents(updated.json()["deployment"]) == {1: 100}
    expected = sessions[0].run(None, {"X": rows})[0].tolist()
    for _ in range(30):
        answer = infer(server, deployment, rows)
        assert answer.headers["X-Cairn-Model-Version"] == "1" and labels(answer) == expected
    # Version 2 was trained on inverted labels: every mirrored answer disagrees.
    shadow = wait_for(lambda: (s := status(server, deployment)["shadow"])["compared"] >= 30 and s, 20, "the mirrored requests")
    assert shadow["disagreements"] == shadow["compared"] and shadow["errors"] == 0
    # The web UI shows the same: the split, the rollout and its comparison, and the list page links to it.
    page = requests.get(f"{server.url}/deployments/{deployment}", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "shadow of revision 2 against 1" in page.text and "r1 · v1 · 100 %" in page.text and " disagreed, 0 failed" in page.text
    listing = requests.get(f"{server.url}/deployments", timeout=10).text
    assert f'href="/deployments/{deployment}"' in listing
    assert requests.get(f"{server.url}/deployments/no-such-deployment", timeout=10).status_code == 404
    assert api(server, "POST", f"/{deployment}/rollback").status_code == 200
    final = status(server, deployment)
    assert final.get("rollout") is None and percents(final) == {1: 100} and not final["revisions"][1]["replicas"]


def test_a_deployment_follows_its_alias(server, versions, deployments):
    from mlflow import MlflowClient

    name, rows, _ = versions
    deployment = create(server, deployments, name, model_alias="champion", strategy="blue_green")["name"]
    assert infer(server, deployment, rows).headers["X-Cairn-Model-Version"] == "1"
    MlflowClient(tracking_uri=server.url).set_registered_model_alias(name, "champion", "2")
    wait_for(lambda: infer(server, deployment, rows).headers.get("X-Cairn-Model-Version") == "2", 60, "the deployment to follow @champion to v2")
    final = status(server, deployment)
    assert percents(final) == {2: 100} and final["model_alias"] == "champion"
    assert any("alias @champion moved to version 2" in event["message"] for event in final["events"])


def test_the_autoscaler_adds_replicas_under_load_and_removes_them_after(server, versions, deployments):
    name, rows, _ = versions
    deployment = create(server, deployments, name, model_version=1, replicas=1, max_replicas=3, target_concurrency=1,
                        stable_window_seconds=6)["name"]
    with Load(server, deployment, rows, threads=6) as ramp:
        wait_for(lambda: len(status(server, deployment)["revisions"][0]["replicas"]) >= 2, 60, "a scale-up")
    assert not ramp.failures()
    # A light load goes on while the extra replicas are drained and stopped.
    with Load(server, deployment, rows, threads=1, pause=0.05) as light:
        final = wait_for(lambda: len((d := status(server, deployment))["revisions"][0]["replicas"]) == 1 and d, 90, "the scale-down")
        time.sleep(2)
    assert not light.failures(), light.failures()[:5]
    messages = [event["message"] for event in final["events"]]
    assert any(m.startswith("scaled up from 1 to") for m in messages) and any("scaled down" in m for m in messages), messages


def replica_pid(url: str) -> int | None:
    port = url.rsplit(":", 1)[1]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    arguments = handle.read().split(b"\0")
            except OSError:
                continue
            if b"replica" in arguments and b"--port" in arguments and arguments[arguments.index(b"--port") + 1] == port.encode():
                return int(entry)
    return None


def test_a_replica_killed_under_load_costs_no_client_error_and_is_replaced(server, versions, deployments):
    name, rows, _ = versions
    created = create(server, deployments, name, model_version=1, replicas=2)
    deployment, victim = created["name"], created["revisions"][0]["replicas"][0]["url"]
    pid = replica_pid(victim)
    assert pid
    with Load(server, deployment, rows, threads=4) as load:
        time.sleep(1)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: all(r["ready"] for r in status(server, deployment)["revisions"][0]["replicas"]) and replica_pid(victim) not in (None, pid), 60,
                 "the killed replica to be replaced")
        time.sleep(1)
    assert not load.failures(), load.failures()[:5]
    assert requests.get(f"{victim}/v2/health/ready", timeout=5).status_code == 200


def test_invalid_rollout_requests_are_refused_and_change_nothing(server, versions, deployments):
    name, rows, _ = versions
    deployment = create(server, deployments, name, model_version=1)["name"]
    before = status(server, deployment)
    cases = [
        ("/traffic", {"percents": {"1": 90}}, 400, "sum to 90"),
        ("/traffic", {"percents": {"1": 50, "7": 50}}, 404, "no revision 7"),
        ("/traffic", {"percents": {"one": 100}}, 400, "not a revision"),
        ("/update", {"model_version": 2, "strategy": "ab", "ab_percent": 0}, 400, "ab_percent"),
        ("/update", {"model_version": 2, "strategy": "shadow", "shadow_percent": 101}, 400, "shadow_percent"),
        ("/update", {"model_version": 2, "strategy": "canary", "canary": {"steps": [{"percent": 50, "seconds": 1}, {"percent": 20, "seconds": 1}]}}, 400, "rise"),
        ("/update", {"model_version": 2, "max_replicas": 99}, 400, "max_replicas"),
        ("/update", {"model_version": 9}, 404, "version"),
        ("/update", {}, 400, "model_version"),
        ("/promote", {}, 409, "no rollout"),
        ("/pause", {}, 409, "no rollout"),
        ("/outcomes", {"routing_key": "u1", "success": True}, 409, "no A/B test"),
    ]
    for path, body, code, words in cases:
        answer = api(server, "POST", f"/{deployment}{path}", **body)
        assert answer.status_code == code, (path, body, answer.text)
        assert answer.json()["error_code"] and words in answer.json()["message"], (path, answer.json())
    after = status(server, deployment)
    assert after == before
    assert api(server, "DELETE", f"/{deployment}").status_code == 200
    again = api(server, "DELETE", f"/{deployment}")
    assert again.status_code == 404 and again.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    deployments.remove(deployment)


def test_after_a_server_crash_the_deployment_comes_back_and_the_old_replicas_are_stopped(server_factory, tmp_path):
    crashing = server_factory("crashing")
    name, rows, sessions = two_versions(crashing, tmp_path)
    deployment = unique("crash")
    created = api(crashing, "POST", "", name=deployment, model_name=name, model_version=2)
    assert created.status_code == 200, created.text
    old = created.json()["deployment"]["revisions"][0]["replicas"][0]["url"]
    old_pid = replica_pid(old)
    crashing.kill()
    # The replica outlives the crash (its own process group) ...
    assert old_pid and os.path.exists(f"/proc/{old_pid}")
    crashing.start()
    # ... and the restarted server stops it and serves the deployment from a new one.
    wait_for(lambda: infer(crashing, deployment, rows).status_code == 200, 120, "the deployment to come back")
    answer = infer(crashing, deployment, rows)
    assert answer.headers["X-Cairn-Model-Version"] == "2" and labels(answer) == sessions[1].run(None, {"X": rows})[0].tolist()
    wait_for(lambda: not os.path.exists(f"/proc/{old_pid}") or open(f"/proc/{old_pid}/stat").read().split()[2] == "Z", 30, "the old replica to stop")
    assert api(crashing, "DELETE", f"/{deployment}").status_code == 200


def test_a_deployment_scales_to_zero_and_a_request_is_held_through_the_cold_start(server, versions, deployments):
    name, rows, sessions = versions
    deployment = create(server, deployments, name, model_version=1, replicas=0, max_replicas=2, target_concurrency=1,
                        stable_window_seconds=6, scale_to_zero_grace_seconds=1)["name"]
    assert infer(server, deployment, rows).status_code == 200
    wait_for(lambda: not status(server, deployment)["revisions"][0]["replicas"], 60, "the scale to zero")
    started = time.monotonic()
    answer = infer(server, deployment, rows)
    assert answer.status_code == 200, answer.text
    assert labels(answer) == sessions[0].run(None, {"X": rows})[0].tolist()
    held = time.monotonic() - started
    final = status(server, deployment)
    assert len(final["revisions"][0]["replicas"]) == 1
    messages = [event["message"] for event in final["events"]]
    assert any("scaled down from 1 to 0" in m for m in messages) and any("scaled up from 0 to 1" in m for m in messages), messages
    assert held > 0.2, held  # it waited for a replica to start rather than failing


def test_the_gateway_logs_predictions_with_sampling_and_keeps_every_error(server, versions, deployments):
    name, rows, sessions = versions
    body = {"inputs": [{"name": "X", "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
    logged = create(server, deployments, name, model_version=1)["name"]
    sampled = create(server, deployments, name, model_version=1, log_sample_percent=0)["name"]
    for deployment in (logged, sampled):
        for index in range(5):
            answer = requests.post(f"{server.url}/v2/models/{deployment}/infer", json=body, headers={"X-Request-Id": f"{deployment}-{index}"}, timeout=30)
            assert answer.status_code == 200 and answer.headers["X-Request-Id"] == f"{deployment}-{index}"
        bad = requests.post(f"{server.url}/v2/models/{deployment}/infer", json={"inputs": [{"name": "nope"}]}, timeout=30)
        assert bad.status_code == 400 and bad.headers["X-Request-Id"]  # a request id is made up when none is given

    def records(deployment):
        return api(server, "GET", f"/{deployment}/predictions?limit=50").json()["predictions"]

    everything = wait_for(lambda: len(r := records(logged)) == 6 and r, 10, "the log to be written")
    by_id = {record["request_id"]: record for record in everything}
    first = by_id[f"{logged}-0"]
    assert first["status"] == 200 and first["model_version"] == "1" and first["revision"] == 1 and first["latency_ms"] > 0
    assert json.loads(first["inputs"]) == body
    assert [o for o in json.loads(first["outputs"])["outputs"] if o["name"] == "label"][0]["data"] == sessions[0].run(None, {"X": rows})[0].tolist()
    assert sum(1 for record in everything if record["status"] == 400) == 1
    # At 0 % sampling only the error is kept.
    only_errors = wait_for(lambda: records(sampled) or None, 10, "the sampled log")
    assert [record["status"] for record in only_errors] == [400]
    assert api(server, "GET", f"/{logged}/predictions?limit=0").status_code == 400
    metrics = wait_for(lambda: 'cairn_prediction_log_records{state="written"}' in (t := requests.get(f"{server.url}/metrics", timeout=10).text) and t,
                       10, "the log counts in /metrics")
    assert 'cairn_prediction_log_records{state="dropped"} 0' in metrics
    assert api(server, "GET", "/no-such-deployment/predictions").status_code == 404


def test_drift_of_live_traffic_against_the_reference_names_the_shifted_feature(server, tmp_path, deployments):
    from sklearn.datasets import make_classification

    name, _, sessions = two_versions(server, tmp_path)
    features, _ = make_classification(n_samples=300, n_features=6, random_state=3)
    features = features.astype(np.float32)
    columns = [f"x{i}" for i in range(6)]
    predictions = sessions[0].run(None, {"X": features})[0].tolist()
    reference = {"columns": columns + ["prediction"], "data": [row + [label] for row, label in zip(features.tolist(), predictions)]}
    attached = requests.post(f"{server.url}/api/v1/models/{name}/versions/1/reference", json=reference, timeout=30)
    assert attached.status_code == 200 and attached.json() == {"columns": columns + ["prediction"], "rows": 300}, attached.text
    # Bad references are refused with the reason.
    short_row = {"columns": columns, "data": [[1.0] * 6, [1.0] * 5]}
    refused = requests.post(f"{server.url}/api/v1/models/{name}/versions/1/reference", json=short_row, timeout=30)
    assert refused.status_code == 400 and "Row 1 has 5 values for 6 columns" in refused.json()["message"]
    assert requests.post(f"{server.url}/api/v1/models/{name}/versions/9/reference", json=reference, timeout=30).status_code == 404
    deployment = create(server, deployments, name, model_version=1)["name"]
    assert api(server, "GET", f"/{deployment}/drift").status_code == 409  # nothing logged yet

    def send(rows):
        for start in range(0, len(rows), 20):
            chunk = rows[start:start + 20]
            body = {"inputs": [{"name": "X", "shape": list(chunk.shape), "datatype": "FP32", "data": chunk.tolist()}]}
            assert requests.post(f"{server.url}/v2/models/{deployment}/infer", json=body, timeout=30).status_code == 200

    def drift(since=None):
        path = f"/{deployment}/drift" + (f"?since={since}" if since else "")
        return wait_for(lambda: (d := api(server, "GET", path).json().get("drift")) and d["current_rows"] == 300 and d, 20, "the logged rows")

    send(features)
    same = drift()
    assert not same["dataset_drift"] and all(not c["drift_detected"] for c in same["columns"])
    assert {c["column"]: c["test"] for c in same["columns"]} == {**{c: "ks" for c in columns}, "prediction": "chisquare"} or \
        {c["column"]: c["test"] for c in same["columns"]} == {**{c: "ks" for c in columns}, "prediction": "z"}
    since = int(time.time() * 1000)
    time.sleep(0.05)
    shifted = features.copy()
    shifted[:, 2] += 1.0
    send(shifted)
    moved = drift(since)
    drifted = [c["column"] for c in moved["columns"] if c["drift_detected"] and c["column"] != "prediction"]
    assert drifted == ["x2"], moved["columns"]
    assert moved["reference_rows"] == 300 and moved["revision"] == 1 and moved["model_version"] == 1
