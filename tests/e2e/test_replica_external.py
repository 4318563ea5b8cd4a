"""`cairn replica` serving MLflow models that have no ONNX file through an external runtime
(`mlflow models serve`, started, watched and restarted by the replica), over the same protocols
as ONNX models; and draining in-flight requests on SIGTERM."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
import requests

from e2e_support import BACKEND_KIND, start_replica, unique

pytestmark = [
    pytest.mark.mlflow_differs(reason="the replica is Cairn's own model server"),
    # The replica reads the registry over HTTP only; one store is enough.
    pytest.mark.skipif(BACKEND_KIND == "postgres", reason="the replica is the same on every store; run on sqlite"),
]

# `mlflow models serve` imports mlflow and the model before it answers: allow for a slow machine.
RUNTIME_START = 240


def columns_frame(features):
    import pandas as pd

    return pd.DataFrame(features, columns=[f"f{i}" for i in range(features.shape[1])])


@pytest.fixture
def registered_pyfunc(server):
    """A scikit-learn pipeline (scaler + ridge regression) logged with mlflow.sklearn (serialized by
    skops, no ONNX) and a column signature, registered as version 1."""
    import mlflow
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features, target = make_regression(n_samples=200, n_features=5, noise=0.1, random_state=7)
    frame = columns_frame(features)
    model = make_pipeline(StandardScaler(), Ridge(alpha=0.5)).fit(frame, target)
    name = unique("pyfunc-regressor")
    mlflow.set_tracking_uri(server.url)
    with mlflow.start_run():
        mlflow.sklearn.log_model(model, name="model", input_example=frame[:3], registered_model_name=name)
    return name, frame[:8]


def stop(process):
    process.terminate()
    process.wait(timeout=60)


def test_a_pyfunc_model_is_served_through_the_external_runtime_like_pyfunc_load_model(server, registered_pyfunc, tmp_path):
    import mlflow

    name, frame = registered_pyfunc
    expected = mlflow.pyfunc.load_model(f"models:/{name}/1").predict(frame)
    process, url = start_replica(f"models:/{name}/1", server.url, tmp_path / "cache", timeout=RUNTIME_START)
    try:
        metadata = requests.get(f"{url}/v2/models/{name}", timeout=10).json()
        assert metadata["platform"] == "mlflow_pyfunc"
        assert metadata["inputs"] == [{"name": f"f{i}", "datatype": "FP64", "shape": [-1]} for i in range(5)]

        # V2: one tensor per column.
        body = {"inputs": [{"name": column, "datatype": "FP64", "shape": [len(frame)], "data": frame[column].tolist()} for column in frame.columns]}
        answer = requests.post(f"{url}/v2/models/{name}/infer", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Cairn-Model-Version"] == "1"
        (output,) = answer.json()["outputs"]
        assert output["shape"] == [len(frame)]
        assert np.allclose(output["data"], expected, atol=1e-9, rtol=0)

        # MLflow's scoring protocol, passed through to the runtime as it came.
        for payload in ({"dataframe_split": frame.to_dict(orient="split")}, {"dataframe_records": frame.to_dict(orient="records")}):
            payload.get("dataframe_split", {}).pop("index", None)
            scored = requests.post(f"{url}/invocations", json=payload, timeout=30)
            assert scored.status_code == 200, scored.text
            assert scored.headers["X-Cairn-Model-Version"] == "1"
            assert np.allclose(scored.json()["predictions"], expected, atol=1e-9, rtol=0)
        csv = requests.post(f"{url}/invocations", data=frame.to_csv(index=False), headers={"Content-Type": "text/csv"}, timeout=30)
        assert np.allclose(csv.json()["predictions"], expected, atol=1e-9, rtol=0)

        # KServe V1: rows in the signature's column order.
        kserve = requests.post(f"{url}/v1/models/{name}:predict", json={"instances": frame.values.tolist()}, timeout=30)
        assert kserve.status_code == 200, kserve.text
        assert np.allclose(kserve.json()["predictions"], expected, atol=1e-9, rtol=0)

        # Bad input is refused with the runtime's or the protocol's error, and changes nothing.
        missing = requests.post(f"{url}/v2/models/{name}/infer", json={"inputs": body["inputs"][:4]}, timeout=30)
        assert missing.status_code == 400 and "f4" in missing.json()["error"]
        wrong = requests.post(f"{url}/invocations", json={"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}, timeout=30)
        assert wrong.status_code == 400 and wrong.json()["error_code"] == "INVALID_PARAMETER_VALUE"  # mlflow's own answer
        assert requests.post(f"{url}/v2/models/{name}/infer", json=body, timeout=30).status_code == 200
    finally:
        stop(process)


def processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found.append((int(entry), fields[0], int(fields[1]), int(fields[2])))
    return found


def runtime_group(replica_pid: int) -> int | None:
    """The process group of the replica's external runtime (its child leads one)."""
    return next((group for _, state, parent, group in processes() if parent == replica_pid and state not in "ZX"), None)


def group_alive(group: int) -> bool:
    """Whether any process of `group` still runs (zombies, which this container's init may never
    reap, do not count)."""
    return any(pgrp == group and state not in "ZX" for _, state, _, pgrp in processes())


def test_a_dead_runtime_is_restarted_and_stopped_with_the_replica(server, registered_pyfunc, tmp_path):
    name, frame = registered_pyfunc
    process, url = start_replica(f"models:/{name}/1", server.url, tmp_path / "cache", timeout=RUNTIME_START)
    try:
        group = runtime_group(process.pid)
        assert group is not None and group != os.getpgid(process.pid)
        os.killpg(group, signal.SIGKILL)
        deadline = time.time() + 20
        while time.time() < deadline and requests.get(f"{url}/v2/health/ready", timeout=5).status_code == 200:
            time.sleep(0.1)
        assert requests.get(f"{url}/v2/health/ready", timeout=5).status_code == 503
        assert requests.get(f"{url}/v2/health/live", timeout=5).status_code == 200
        refused = requests.post(f"{url}/invocations", json={"dataframe_split": frame.to_dict(orient="split")}, timeout=30)
        assert refused.status_code == 503
        deadline = time.time() + RUNTIME_START
        while time.time() < deadline and requests.get(f"{url}/v2/health/ready", timeout=5).status_code != 200:
            time.sleep(0.5)
        scored = requests.post(f"{url}/invocations", json={"dataframe_split": {"columns": list(frame.columns), "data": frame.values.tolist()}}, timeout=30)
        assert scored.status_code == 200, scored.text
        new_group = runtime_group(process.pid)
        assert new_group not in (None, group)
    finally:
        stop(process)
    assert process.returncode == 0
    assert not group_alive(new_group)


def test_sigterm_drains_requests_in_flight_before_the_replica_exits(tmp_path):
    """An ONNX replica with a long batching wait holds a request when SIGTERM arrives: the request
    is still answered, new connections are refused, and the replica exits cleanly."""
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    features, labels = make_classification(n_samples=200, n_features=4, random_state=1)
    features = features.astype(np.float32)
    path = tmp_path / "drain.onnx"
    path.write_bytes(to_onnx(LogisticRegression().fit(features, labels), features[:1], options={"zipmap": False}).SerializeToString())
    process, url = start_replica(str(path), extra_args=["--max-batch-size", "64", "--max-batch-wait-ms", "2000"])
    input_name = requests.get(f"{url}/v2/models/drain", timeout=10).json()["inputs"][0]["name"]
    body = {"inputs": [{"name": input_name, "shape": [1, 4], "datatype": "FP32", "data": features[:1].tolist()}]}
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(requests.post(f"{url}/v2/models/drain/infer", json=body, timeout=30)))
               for _ in range(3)]
    started = time.time()
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the requests are waiting for their batch to fill
    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/v2/health/live", timeout=5)
    for thread in threads:
        thread.join()
    assert process.wait(timeout=30) == 0
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert time.time() - started >= 2.0  # answered when the batch wait ended, not cut short
    label = next(output for output in answers[0].json()["outputs"] if output["name"] == "label")["data"]
    assert label == LogisticRegression().fit(features, labels).predict(features[:1]).tolist()
