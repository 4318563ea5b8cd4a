"""Monitoring that acts: a drift alert naming the one shifted feature, told once to a signed
webhook and recovered; an error-rate rule rolling back a failing canary; the closed loop drift →
retraining pipeline → new version → canary; ground truth by request id; rolling windows; and bad
monitoring input refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import textwrap
import threading
import time
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import requests

from e2e_support import unique
from test_deployments import two_versions
from test_rollouts import api, create, deployments, status, versions, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.mlflow_differs(reason="monitoring is Cairn's own API")

COLUMNS = [f"x{i}" for i in range(6)]


class Receiver:
    """A local webhook receiver that refuses its first `fail_first` deliveries with 503 and keeps
    the rest: (headers, raw body)."""

    def __init__(self, fail_first: int = 0):
        self.attempts = 0
        self.accepted: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.attempts += 1
                    refuse = receiver.attempts <= fail_first
                    if not refuse:
                        receiver.accepted.append((dict(self.headers), body))
                self.send_response(503 if refuse else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def deliveries(self) -> list[tuple[dict, bytes]]:
        with self.lock:
            return list(self.accepted)

    def close(self):
        self.server.shutdown()


class Traffic:
    """Requests of 20 rows at a time, cycling through `rows` (which the test may swap), until stopped."""

    def __init__(self, server, deployment: str, rows):
        self.url = f"{server.url}/v2/models/{deployment}/infer"
        self.rows = rows
        self.statuses: list[int] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        session = requests.Session()
        start = 0
        while not self.stopping.is_set():
            rows = self.rows
            chunk = rows[start % len(rows):start % len(rows) + 20]
            start += 20
            body = {"inputs": [{"name": "X", "shape": list(chunk.shape), "datatype": "FP32", "data": chunk.tolist()}]}
            try:
                self.statuses.append(session.post(self.url, json=body, timeout=30).status_code)
            except requests.RequestException:
                self.statuses.append(0)
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=60)


def alerts(server, deployment: str, **query) -> list[dict]:
    answer = requests.get(f"{server.url}/api/v1/deployments/{deployment}/alerts", params=query, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["alerts"]


def add_monitor(server, deployment: str, **rule) -> dict:
    answer = api(server, "POST", f"/{deployment}/monitors", **rule)
    assert answer.status_code == 200, answer.text
    return answer.json()["monitor"]


def attach_normal_reference(server, name: str, version: int = 1):
    """500 rows of six N(0, 1) features, the reference of `name`'s `version`; returns them."""
    rows = np.random.default_rng(7).normal(0, 1, (500, 6)).astype(np.float32)
    attached = requests.post(f"{server.url}/api/v1/models/{name}/versions/{version}/reference",
                             json={"columns": COLUMNS, "data": rows.tolist()}, timeout=30)
    assert attached.status_code == 200, attached.text
    return rows


def test_a_shifted_feature_raises_one_signed_drift_alert_naming_it_and_recovery_is_told(server, tmp_path, deployments):
    name, _, _ = two_versions(server, tmp_path)
    normal = attach_normal_reference(server, name)
    shifted = normal.copy()
    shifted[:, 2] += 0.5  # x2: N(0, 1) → N(0.5, 1)
    deployment = create(server, deployments, name, model_version=1)["name"]
    receiver = Receiver(fail_first=1)
    try:
        monitor = add_monitor(server, deployment, name="input-drift", condition="drift > 0", window_seconds=6, every_seconds=1,
                              minimum_samples=200, severity="critical",
                              channels=[{"type": "webhook", "url": receiver.url, "secret": "s3cret"}, {"type": "log"}])
        assert monitor["condition"] == "drift > 0" and monitor["channels"][0] == {"type": "webhook", "url": receiver.url, "signed": True}
        assert "s3cret" not in api(server, "GET", f"/{deployment}/monitors").text
        with Traffic(server, deployment, normal) as traffic:
            time.sleep(9)
            assert alerts(server, deployment) == [] and receiver.attempts == 0  # like the reference: quiet
            traffic.rows = shifted
            fired = wait_for(lambda: alerts(server, deployment, state="firing"), 40, "the drift alert")
            assert len(fired) == 1 and fired[0]["features"] == ["x2"] and fired[0]["severity"] == "critical", fired
            assert "drift in x2 (1 of 6 features" in fired[0]["message"]
            wait_for(lambda: receiver.deliveries(), 30, "the webhook (after one refused attempt)")
            traffic.rows = normal
            resolved = wait_for(lambda: [a for a in alerts(server, deployment) if a["state"] == "resolved"], 40, "the recovery")
            assert resolved[0]["id"] == fired[0]["id"] and resolved[0]["resolved_at"] >= fired[0]["fired_at"]
            assert resolved[0]["message"] == fired[0]["message"] and resolved[0]["resolution"].startswith("no feature drifted")
            wait_for(lambda: len(receiver.deliveries()) == 2, 30, "the recovery notice")
            assert set(traffic.statuses) == {200}
        time.sleep(3)  # no late or repeated deliveries
        delivered = receiver.deliveries()
        assert len(delivered) == 2 and receiver.attempts == 3
        bodies = [json.loads(body) for _, body in delivered]
        assert [b["state"] for b in bodies] == ["firing", "resolved"]
        assert {b["id"] for b in bodies} == {fired[0]["id"]} and bodies[0]["features"] == ["x2"] and bodies[0]["deployment"] == deployment
        for headers, body in delivered:
            expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Cairn-Signature-256"], expected)
            assert headers["X-Cairn-Alert-Id"] == fired[0]["id"]
        assert len(alerts(server, deployment)) == 1
        # The monitoring page shows the traffic, the monitor, its alert and each feature's histograms.
        page = requests.get(f"{server.url}/deployments/{deployment}/monitoring", timeout=30)
        assert page.status_code == 200
        assert page.text.count('<figure class="histogram">') == 6 and "x2: ks" in page.text, page.text[-3000:]
        assert "input-drift" in page.text and "drift in x2" in page.text and 'aria-label="Latency (ms)"' in page.text
        assert f'href="/deployments/{deployment}/monitoring"' in requests.get(f"{server.url}/deployments/{deployment}", timeout=30).text
    finally:
        receiver.close()


def test_an_error_rate_rule_rolls_back_a_failing_canary(server, versions, deployments):
    name, rows, _ = versions
    # Canary analysis that would hold for ever: only the monitor can end this canary.
    canary = {"steps": [{"percent": 50, "seconds": 3600}, {"percent": 100, "seconds": 0}], "minimum_requests": 100000}
    deployment = create(server, deployments, name, model_version=1, strategy="canary", canary=canary)["name"]
    add_monitor(server, deployment, name="errors", condition="error_rate > 10 %", window_seconds=10, every_seconds=1, minimum_samples=20,
                actions=[{"type": "rollback"}])
    with Traffic(server, deployment, np.tile(rows, (4, 1))) as traffic:
        updated = api(server, "POST", f"/{deployment}/update", model_version=3)
        assert updated.status_code == 200 and updated.json()["deployment"]["rollout"]["strategy"] == "canary", updated.text
        fired = wait_for(lambda: (a := alerts(server, deployment)) and a[0]["actions"] and a, 60, "the error-rate alert and its action")
        rolled = wait_for(lambda: (d := status(server, deployment)).get("rollout") is None and d, 30, "the rollback")
        time.sleep(2)
        after = len(traffic.statuses)
        time.sleep(3)
        assert set(traffic.statuses[after:]) == {200}, "traffic after the rollback still fails"
    assert fired[0]["actions"] == ["rolled back"] and fired[0]["monitor"] == "errors"
    assert {r["revision"]: r["percent"] for r in rolled["revisions"] if r["percent"]} == {1: 100}
    assert any("rolled back by monitor errors" in event["message"] for event in rolled["events"]), rolled["events"]


def test_a_drift_alert_retrains_registers_and_canaries_the_new_version(server, tmp_path, deployments):
    """drift alert → retraining pipeline → new version registered (and @champion moved) → canary."""
    name, _, _ = two_versions(server, tmp_path)  # v2 is "the retrained model" the pipeline registers anew
    normal = attach_normal_reference(server, name)
    shifted = normal.copy()
    shifted[:, 4] += 1.0
    script = tmp_path / "retrain.py"
    script.write_text(textwrap.dedent(f"""
        import os, pathlib, sys, tempfile
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from mlflow import MlflowClient
        from e2e_support import add_onnx_version
        model, folder = sys.argv[1], pathlib.Path(tempfile.mkdtemp()) / "model"
        url = os.environ["MLFLOW_TRACKING_URI"]
        version = add_onnx_version(url, model, pathlib.Path({str(tmp_path / 'v2' / 'model.onnx')!r}).read_bytes(), folder)
        MlflowClient(tracking_uri=url).set_registered_model_alias(model, "champion", version)
        print("registered version", version)
    """))
    pipeline = unique("retrain")
    spec = textwrap.dedent(f"""
        name: {pipeline}
        params:
          model: {{type: string}}
        steps:
          retrain:
            command: {sys.executable} {script} {{{{params.model}}}}
            cache: false
    """)
    registered = requests.post(f"{server.url}/api/v1/pipelines", json={"spec_yaml": spec}, timeout=30)
    assert registered.status_code == 200, registered.text
    canary = {"steps": [{"percent": 20, "seconds": 3600}, {"percent": 100, "seconds": 0}], "minimum_requests": 100000}
    deployment = create(server, deployments, name, model_alias="champion", follow_alias=True, strategy="canary", canary=canary)["name"]
    add_monitor(server, deployment, name="drift-retrain", condition="drift > 0", window_seconds=6, every_seconds=1, minimum_samples=200,
                actions=[{"type": "pipeline", "pipeline": pipeline, "params": {"model": name}}])
    with Traffic(server, deployment, shifted):
        fired = wait_for(lambda: (a := alerts(server, deployment)) and a[0]["actions"] and a, 60, "the drift alert and its action")
        assert fired[0]["features"] == ["x4"] and fired[0]["actions"][0].startswith(f"started pipeline {pipeline} run "), fired
        run_id = fired[0]["actions"][0].rsplit(" ", 1)[1]
        run = wait_for(lambda: (r := requests.get(f"{server.url}/api/v1/pipeline-runs/{run_id}", timeout=30).json()["pipeline_run"])["status"] != "running" and r,
                       180, "the retraining run")
        assert run["status"] == "succeeded", run
        rollout = wait_for(lambda: (d := status(server, deployment)).get("rollout") and d, 30, "the canary of the retrained version")
    assert rollout["rollout"]["strategy"] == "canary"
    candidate = next(r for r in rollout["revisions"] if r["revision"] == rollout["rollout"]["candidate_revision"])
    assert candidate["model_version"] == 3 and candidate["percent"] == 20
    assert any("alias @champion moved to version 3" in event["message"] for event in rollout["events"])


def test_labels_joined_by_request_id_give_online_accuracy_and_windows_count_traffic(server, versions, deployments):
    name, rows, sessions = versions
    deployment = create(server, deployments, name, model_version=1)["name"]
    truth = []
    for index in range(10):
        body = {"inputs": [{"name": "X", "shape": [1, 6], "datatype": "FP32", "data": rows[index % 6:index % 6 + 1].tolist()}]}
        answer = requests.post(f"{server.url}/v2/models/{deployment}/infer", json=body, headers={"X-Request-Id": f"{deployment}-{index}"}, timeout=30)
        assert answer.status_code == 200
        predicted = next(o for o in answer.json()["outputs"] if o["name"] == "label")["data"][0]
        truth.append(predicted if index < 7 else 1 - predicted)  # 7 right, 3 wrong
    wait_for(lambda: len(api(server, "GET", f"/{deployment}/predictions?limit=20").json()["predictions"]) == 10, 10, "the log")
    one = api(server, "POST", f"/{deployment}/feedback", request_id=f"{deployment}-0", label=truth[0])
    assert one.status_code == 200 and one.json() == {"recorded": 1}
    rest = api(server, "POST", f"/{deployment}/feedback", feedback=[{"request_id": f"{deployment}-{i}", "labels": [truth[i]]} for i in range(1, 10)])
    assert rest.status_code == 200 and rest.json() == {"recorded": 9}
    performance = api(server, "GET", f"/{deployment}/performance?window_seconds=600").json()["performance"]
    assert performance["labelled"] == 10 and performance["accuracy"] == pytest.approx(0.7) and performance["rmse"] is not None
    windows = api(server, "GET", f"/{deployment}/metrics").json()["windows"]
    assert [w["window"] for w in windows] == ["1m", "5m", "15m"] and all(w["requests"] == 10 and w["errors"] == 0 for w in windows)
    assert windows[0]["latency_p99_ms"] > 0


def test_bad_monitoring_input_is_refused_and_changes_nothing(server, versions, deployments, tmp_path):
    name, rows, _ = versions
    deployment = create(server, deployments, name, model_version=1)["name"]
    body = {"inputs": [{"name": "X", "shape": [1, 6], "datatype": "FP32", "data": rows[:1].tolist()}]}
    assert requests.post(f"{server.url}/v2/models/{deployment}/infer", json=body, headers={"X-Request-Id": f"{deployment}-known"}, timeout=30).status_code == 200
    wait_for(lambda: api(server, "GET", f"/{deployment}/predictions").json()["predictions"], 10, "the log")

    def refused(method, path, status_code, fragment, **payload):
        answer = api(server, method, path, **payload)
        assert answer.status_code == status_code and fragment in answer.json()["message"], answer.text
        return answer.json()

    # Feedback for an unknown request id: all or nothing.
    error = refused("POST", f"/{deployment}/feedback", 404, "with request id 'nope'",
                    feedback=[{"request_id": f"{deployment}-known", "label": 1}, {"request_id": "nope", "label": 1}])
    assert error["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    refused("POST", f"/{deployment}/feedback", 400, "made 1 predictions; got 2 labels", request_id=f"{deployment}-known", labels=[1, 0])
    refused("POST", f"/{deployment}/feedback", 400, "Give either 'label'", request_id=f"{deployment}-known")
    assert api(server, "GET", f"/{deployment}/performance").json()["performance"]["labelled"] == 0
    assert api(server, "POST", "/no-such-deployment/feedback", request_id="x", label=1).status_code == 404
    # Malformed rules.
    refused("POST", f"/{deployment}/monitors", 400, "unknown signal 'p98'", name="m", condition="p98 > 200 ms")
    refused("POST", f"/{deployment}/monitors", 400, "'fortnights' is not a unit of time", name="m", condition="p99 > 200 ms for 2 fortnights")
    refused("POST", f"/{deployment}/monitors", 400, "a share between 0 and 1", name="m", condition="error_rate > 150 %")
    refused("POST", f"/{deployment}/monitors", 400, "Missing value for required parameter 'condition'", name="m")
    refused("POST", f"/{deployment}/monitors", 400, "is not an http(s) URL", name="m", condition="p99 > 1 s",
            channels=[{"type": "webhook", "url": "ftp://example"}])
    refused("POST", f"/{deployment}/monitors", 400, "Unknown channel type 'pager'", name="m", condition="p99 > 1 s", channels=[{"type": "pager"}])
    refused("POST", f"/{deployment}/monitors", 400, "Unknown action type 'reboot'", name="m", condition="p99 > 1 s", actions=[{"type": "reboot"}])
    refused("POST", f"/{deployment}/monitors", 400, "window_seconds of a p99 monitor is between 1 and 900", name="m", condition="p99 > 1 s",
            window_seconds=3600)
    refused("POST", f"/{deployment}/monitors", 404, "no-such-pipeline", name="m", condition="drift > 0",
            actions=[{"type": "pipeline", "pipeline": "no-such-pipeline"}])
    refused("POST", f"/{deployment}/monitors", 400, "A monitor name is", name="bad name!", condition="p99 > 1 s")
    assert api(server, "GET", f"/{deployment}/monitors").json()["monitors"] == []
    add_monitor(server, deployment, name="m", condition="p99 > 1 s")
    refused("POST", f"/{deployment}/monitors", 400, "already has a monitor named 'm'", name="m", condition="p95 > 1 s")
    assert [m["condition"] for m in api(server, "GET", f"/{deployment}/monitors").json()["monitors"]] == ["p99 > 1000 ms"]
    refused("DELETE", f"/{deployment}/monitors/other", 404, "no monitor named 'other'")
    assert api(server, "DELETE", f"/{deployment}/monitors/m").status_code == 200
    # A reference dataset with missing columns.
    reference = requests.post(f"{server.url}/api/v1/models/{name}/versions/1/reference", json={"data": rows.tolist()}, timeout=30)
    assert reference.status_code == 400 and "column" in reference.json()["message"], reference.text
    narrow = requests.post(f"{server.url}/api/v1/models/{name}/versions/1/reference",
                           json={"columns": COLUMNS[:5], "data": rows[:, :5].tolist()}, timeout=30)
    assert narrow.status_code == 200  # accepted on its own, but the traffic has a sixth feature:
    drift = api(server, "GET", f"/{deployment}/drift")
    assert drift.status_code == 400 and "the reference has 5 (x0, x1, x2, x3, x4)" in drift.json()["message"], drift.text


def log_counts(server) -> dict[str, float]:
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    return {state: float(line.rsplit(" ", 1)[1]) for state in ("written", "dropped", "failed", "queued")
            for line in text.splitlines() if line.startswith(f'cairn_prediction_log_records{{state="{state}"}}')}


class StoreLock:
    """Holds the prediction log's store still from outside: an exclusive SQLite transaction, or
    PostgreSQL's ACCESS EXCLUSIVE lock on the table. The server's log writes wait behind it."""

    def __init__(self, store_uri: str):
        self.store_uri = store_uri

    def __enter__(self):
        if self.store_uri.startswith("sqlite:///"):
            import sqlite3

            self.connection = sqlite3.connect(self.store_uri.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
            self.connection.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg2

            self.connection = psycopg2.connect(self.store_uri)
            self.connection.cursor().execute("LOCK TABLE prediction_log IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.connection.rollback()
        self.connection.close()


def test_a_stalled_log_store_does_not_slow_requests_and_every_dropped_record_is_counted(server_factory, tmp_path):
    server = server_factory("stalled-log", extra_args=["--prediction-log-buffer", "400"])
    name, rows, _ = two_versions(server, tmp_path)
    deployment = create(server, [], name, model_version=1)["name"]
    session = requests.Session()
    body = {"inputs": [{"name": "X", "shape": [1, 6], "datatype": "FP32", "data": rows[:1].tolist()}]}

    def timed(count: int) -> list[float]:
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            assert session.post(f"{server.url}/v2/models/{deployment}/infer", json=body, timeout=30).status_code == 200
            latencies.append(time.perf_counter() - started)
        return sorted(latencies)

    timed(50)  # warm
    baseline = timed(300)
    wait_for(lambda: log_counts(server).get("written") == 350, 10, "the warm-up and baseline to be written")
    with StoreLock(server.store_uri):
        stalled = timed(1500)
        time.sleep(0.5)
        during = log_counts(server)
    assert during["written"] == 350 and during["dropped"] > 0, during  # the store took nothing while held
    # Nothing lost silently: every request is written, or counted as dropped or failed.
    after = wait_for(lambda: (c := log_counts(server))["queued"] == 0 and c["written"] + c["dropped"] + c["failed"] == 1850 and c, 30,
                     "the held records to be written once the store is free")
    # At most the buffer, plus the batch the writer took before it stalled, was kept; the rest is
    # counted as dropped (buffer full) or failed (the held batch, if the lock outlasted the store's busy timeout).
    assert after["dropped"] > 0 and after["dropped"] + after["failed"] >= 1500 - 2 * 400, after
    logged = api(server, "GET", f"/{deployment}/predictions?limit=1000").json()["predictions"]
    assert len(logged) == min(1000, after["written"])  # what is counted as written is in the log
    median, p90 = (lambda s: (s[len(s) // 2], s[int(len(s) * 0.9)]))(baseline)
    stalled_median, stalled_p90 = stalled[len(stalled) // 2], stalled[int(len(stalled) * 0.9)]
    assert stalled_median <= median * 1.5 + 0.002 and stalled_p90 <= p90 * 2 + 0.005, (baseline[::30], stalled[::30])
