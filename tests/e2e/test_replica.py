"""`cairn replica` serving a registered ONNX model: trained and converted in Python, registered
through the mlflow client, fetched by the replica from the server (every file hash-checked), and
answering Open Inference Protocol requests exactly as Python's onnxruntime does (1e-6)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import requests

from e2e_support import REPO_ROOT, free_port, register_onnx, start_replica, unique

pytestmark = pytest.mark.mlflow_differs(reason="the replica is Cairn's own model server")


@pytest.fixture
def registered_onnx(server, tmp_path):
    import onnxruntime as ort
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features, labels = make_classification(n_samples=500, n_features=8, random_state=11)
    features = features.astype(np.float32)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, labels)
    onnx = to_onnx(model, features[:1], options={"zipmap": False}).SerializeToString()
    name = register_onnx(server.url, onnx, tmp_path / "model", "onnx-churn")
    session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    return name, features[:7], session


@pytest.mark.parametrize("selector", ["/1", "@champion"])
def test_replica_serves_a_registered_onnx_model_like_python_onnxruntime(server, registered_onnx, tmp_path, selector):
    name, rows, session = registered_onnx
    process, url = start_replica(f"models:/{name}{selector}", server.url, tmp_path / "cache")
    try:
        metadata = requests.get(f"{url}/v2/models/{name}", timeout=10)
        assert metadata.headers["X-Cairn-Model-Version"] == "1"
        input_name = session.get_inputs()[0].name
        assert metadata.json()["inputs"] == [{"name": input_name, "datatype": "FP32", "shape": [-1, 8]}]
        body = {"inputs": [{"name": input_name, "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
        answer = requests.post(f"{url}/v2/models/{name}/infer", json=body, timeout=10).json()
        assert answer["model_version"] == "1"
        outputs = {output["name"]: output for output in answer["outputs"]}
        labels, probabilities = session.run(None, {input_name: rows})
        assert outputs["label"]["data"] == labels.tolist()
        assert np.allclose(np.array(outputs["probabilities"]["data"]).reshape(probabilities.shape), probabilities, atol=1e-6, rtol=0)
        bad = requests.post(f"{url}/v2/models/{name}/infer", json={"inputs": [{**body["inputs"][0], "shape": [7, 7]}]}, timeout=10)
        assert bad.status_code == 400 and "shape" in bad.json()["error"]

        # MLflow's scoring protocol, in each of its formats, and KServe V1: the same predictions.
        columns = [f"f{i}" for i in range(rows.shape[1])]
        expected = [{"label": int(label), "probabilities": list(map(float, row))} for label, row in zip(labels, probabilities)]
        for payload in ({"dataframe_split": {"columns": columns, "data": rows.tolist()}}, {"instances": rows.tolist()},
                        {"inputs": rows.tolist()}, {"inputs": {input_name: rows.tolist()}}):
            scored = requests.post(f"{url}/invocations", json=payload, timeout=10)
            assert scored.status_code == 200, (payload.keys(), scored.text)
            predictions = scored.json()["predictions"]
            assert [p["label"] for p in predictions] == [e["label"] for e in expected]
            assert np.allclose([p["probabilities"] for p in predictions], probabilities, atol=1e-6, rtol=0)
        csv = ",".join(columns) + "\n" + "\n".join(",".join(repr(float(v)) for v in row) for row in rows)
        scored = requests.post(f"{url}/invocations", data=csv, headers={"Content-Type": "text/csv"}, timeout=10)
        assert [p["label"] for p in scored.json()["predictions"]] == labels.tolist()
        assert requests.get(f"{url}/ping", timeout=5).status_code == 200
        assert requests.get(f"{url}/version", timeout=5).text == "3.17.2"
        kserve = requests.post(f"{url}/v1/models/{name}:predict", json={"instances": rows.tolist()}, timeout=10)
        assert kserve.json() == {"predictions": labels.tolist()}
        for payload, status in ((["not", "an", "object"], 400), ({"instances": [[1.0, 2.0]]}, 400), ({}, 400)):
            failed = requests.post(f"{url}/invocations", json=payload, timeout=10)
            assert failed.status_code == status and failed.json()["error_code"] == "BAD_REQUEST", failed.text
        assert requests.post(f"{url}/invocations", data="x", headers={"Content-Type": "application/xml"}, timeout=10).status_code == 415
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_replica_refuses_unknown_models(server, tmp_path):
    binary = os.environ.get("CAIRN_BIN", str(REPO_ROOT / ".build" / "debug" / "cairn"))
    result = subprocess.run([binary, "replica", "--model", "models:/does-not-exist/1", "--server", server.url, "--port", str(free_port()),
                             "--cache-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "404" in result.stderr + result.stdout


def malformed_bodies(input_name: str, count: int, seed: int = 5):
    """Random requests that must all be refused: wrong shapes, datatypes, names, element types,
    nesting, sizes and plain garbage, for the V2 and the MLflow endpoints."""
    import json
    import random

    rng = random.Random(seed)
    values = [None, True, "x", -1, 1e308, [], {}, [[[]]], "1", 3.5]
    for index in range(count):
        kind = index % 10
        if kind == 0:
            yield "v2", bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
        elif kind == 1:
            yield "v2", json.dumps({"inputs": [{"name": input_name, "shape": [rng.randint(0, 3), rng.choice([0, 1, 7, 9, 20])], "datatype": "FP32",
                                                "data": [rng.random() for _ in range(rng.randint(0, 7))]}]}).encode()
        elif kind == 2:
            yield "v2", json.dumps({"inputs": [{"name": input_name, "shape": [1, 8], "datatype": rng.choice(["INT64", "BOOL", "BYTES", "FP16", "", 7]),
                                                "data": [1] * 8}]}).encode()
        elif kind == 3:
            yield "v2", json.dumps({"inputs": [{"name": rng.choice(["", "x", input_name + "_"]), "shape": [1, 8], "datatype": "FP32", "data": [0] * 8}]}).encode()
        elif kind == 4:
            data = [rng.choice(values) for _ in range(8)]
            data[rng.randrange(8)] = rng.choice([None, True, "x", [], {}, "1"])  # at least one element that is not a number
            yield "v2", json.dumps({"inputs": [{"name": input_name, "shape": [1, 8], "datatype": "FP32", "data": data}]}).encode()
        elif kind == 5:
            yield "v2", json.dumps({"inputs": [{"name": input_name, "shape": [2**31, 2**31], "datatype": "FP32", "data": []}]}).encode()
        elif kind == 6:
            yield "v2", json.dumps(rng.choice([{}, [], {"inputs": None}, {"inputs": [None]}, {"inputs": [{"name": input_name}]}, "inputs"])).encode()
        elif kind == 7:
            yield "v2", ("[" * 200 + "]" * 200).encode()
        elif kind == 8:
            yield "mlflow", json.dumps(rng.choice([{"dataframe_split": {"data": [[1, 2]]}}, {"instances": [[rng.random()] * rng.randint(0, 7)]},
                                                   {"inputs": {"nope": [[1] * 8]}}, {"dataframe_records": [{"a": 1}]},
                                                   {"instances": [[1] * 8], "inputs": [[1] * 8]}, {"instances": "rows"}])).encode()
        else:
            yield "mlflow", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))


def test_replica_survives_10000_malformed_requests(server, registered_onnx, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    name, rows, session = registered_onnx
    process, url = start_replica(f"models:/{name}/1", server.url, tmp_path / "cache")
    try:
        input_name = session.get_inputs()[0].name
        http = requests.Session()
        paths = {"v2": f"{url}/v2/models/{name}/infer", "mlflow": f"{url}/invocations"}

        def send(item):
            endpoint, body = item
            return requests.post(paths[endpoint], data=body, headers={"Content-Type": "application/json"}, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(send, malformed_bodies(input_name, 10_000)))
        assert len(statuses) == 10_000
        assert all(400 <= status < 500 for status in statuses), sorted(set(statuses))
        assert process.poll() is None
        labels, _ = session.run(None, {input_name: rows})
        body = {"inputs": [{"name": input_name, "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
        answer = http.post(paths["v2"], json=body, timeout=10).json()
        assert next(o for o in answer["outputs"] if o["name"] == "label")["data"] == labels.tolist()
    finally:
        process.terminate()
        process.wait(timeout=20)


def converted_model(kind: str, features, target) -> bytes:
    """`kind` trained on (features, target) and converted to ONNX: scikit-learn models with skl2onnx
    (zipmap=False), XGBoost and LightGBM with onnxmltools."""
    import lightgbm
    import xgboost
    from onnxmltools import convert_lightgbm, convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType
    from skl2onnx import to_onnx
    from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier,
                                  RandomForestRegressor)
    from sklearn.neural_network import MLPClassifier

    regression = kind.endswith("regressor")
    estimator = {
        "random_forest_classifier": lambda: RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
        "gradient_boosting_classifier": lambda: GradientBoostingClassifier(n_estimators=30, random_state=0),
        "random_forest_regressor": lambda: RandomForestRegressor(n_estimators=30, max_depth=6, random_state=0),
        "gradient_boosting_regressor": lambda: GradientBoostingRegressor(n_estimators=30, random_state=0),
        "mlp_classifier": lambda: MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=300, random_state=0),
        "xgboost_classifier": lambda: xgboost.XGBClassifier(n_estimators=30, max_depth=4, random_state=0),
        "xgboost_regressor": lambda: xgboost.XGBRegressor(n_estimators=30, max_depth=4, random_state=0),
        "lightgbm_classifier": lambda: lightgbm.LGBMClassifier(n_estimators=30, random_state=0, verbose=-1),
        "lightgbm_regressor": lambda: lightgbm.LGBMRegressor(n_estimators=30, random_state=0, verbose=-1),
    }[kind]().fit(features, target)
    input_types = [("input", FloatTensorType([None, features.shape[1]]))]
    if kind.startswith("xgboost"):
        return convert_xgboost(estimator, initial_types=input_types, target_opset=15).SerializeToString()
    if kind.startswith("lightgbm"):
        options = {} if regression else {"zipmap": False}
        return convert_lightgbm(estimator, initial_types=input_types, target_opset=15, **options).SerializeToString()
    return to_onnx(estimator, features[:1], options=None if regression else {"zipmap": False}).SerializeToString()


@pytest.mark.parametrize("kind", ["random_forest_classifier", "gradient_boosting_classifier", "random_forest_regressor",
                                  "gradient_boosting_regressor", "mlp_classifier", "xgboost_classifier", "xgboost_regressor",
                                  "lightgbm_classifier", "lightgbm_regressor"])
def test_replica_serves_each_model_kind_like_python_onnxruntime(server, kind, tmp_path):
    """Tree ensembles, gradient boosting (scikit-learn, XGBoost, LightGBM) and an MLP, registered
    through the mlflow client and served from the registry: V2, MLflow scoring and KServe V1 all
    answer as Python onnxruntime does."""
    import onnxruntime as ort
    from sklearn.datasets import make_classification, make_regression

    make = make_regression if kind.endswith("regressor") else make_classification
    features, target = make(n_samples=300, n_features=10, random_state=4)
    features = features.astype(np.float32)
    onnx = converted_model(kind, features, target)
    name = register_onnx(server.url, onnx, tmp_path / "model", kind.replace("_", "-"))
    session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    rows = features[:9]
    input_name = session.get_inputs()[0].name
    expected = dict(zip([output.name for output in session.get_outputs()], session.run(None, {input_name: rows})))

    process, url = start_replica(f"models:/{name}@champion", server.url, tmp_path / "cache")
    try:
        body = {"inputs": [{"name": input_name, "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
        answer = requests.post(f"{url}/v2/models/{name}/infer", json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        outputs = {output["name"]: output for output in answer.json()["outputs"]}
        assert outputs.keys() == expected.keys()
        for output_name, want in expected.items():
            assert outputs[output_name]["shape"] == list(want.shape)
            assert np.allclose(np.array(outputs[output_name]["data"]).reshape(want.shape), want, atol=1e-6, rtol=0), output_name

        # MLflow scoring: one record per row of every output (plain values for a single output).
        scored = requests.post(f"{url}/invocations", json={"instances": rows.tolist()}, timeout=10)
        assert scored.status_code == 200, scored.text
        predictions = scored.json()["predictions"]
        for output_name, want in expected.items():
            got = predictions if len(expected) == 1 else [record[output_name] for record in predictions]
            assert np.allclose(np.array(got).reshape(want.shape), want, atol=1e-6, rtol=0), output_name

        # KServe V1 returns the first output: labels for classifiers, values for regressors.
        first = session.get_outputs()[0].name
        kserve = requests.post(f"{url}/v1/models/{name}:predict", json={"instances": rows.tolist()}, timeout=10)
        assert kserve.status_code == 200, kserve.text
        assert np.allclose(np.array(kserve.json()["predictions"]).reshape(expected[first].shape), expected[first], atol=1e-6, rtol=0)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_batching_gives_64_concurrent_clients_exactly_the_unbatched_predictions(tmp_path):
    """The same model served with and without adaptive batching: 64 clients at once, each with its
    own rows (1 to 5 of them), get byte-for-byte the same outputs from both."""
    from concurrent.futures import ThreadPoolExecutor

    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.neural_network import MLPClassifier

    features, labels = make_classification(n_samples=400, n_features=12, n_classes=3, n_informative=6, random_state=2)
    features = features.astype(np.float32)
    model = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=200, random_state=0).fit(features, labels)
    path = tmp_path / "mlp.onnx"
    path.write_bytes(to_onnx(model, features[:1], options={"zipmap": False}).SerializeToString())
    plain, plain_url = start_replica(str(path))
    batched, batched_url = start_replica(str(path), extra_args=["--max-batch-size", "32", "--max-batch-wait-ms", "20"])
    try:
        input_name = requests.get(f"{plain_url}/v2/models/mlp", timeout=10).json()["inputs"][0]["name"]
        requests_rows = [features[i * 5:i * 5 + 1 + i % 5] for i in range(64)]

        def infer(url: str, rows) -> list:
            body = {"inputs": [{"name": input_name, "shape": list(rows.shape), "datatype": "FP32", "data": rows.tolist()}]}
            answer = requests.post(f"{url}/v2/models/mlp/infer", json=body, timeout=30)
            assert answer.status_code == 200, answer.text
            return sorted(answer.json()["outputs"], key=lambda output: output["name"])

        expected = [infer(plain_url, rows) for rows in requests_rows]
        for _ in range(3):
            with ThreadPoolExecutor(max_workers=64) as pool:
                got = list(pool.map(lambda rows: infer(batched_url, rows), requests_rows))
            assert got == expected
            assert all(answer[0]["shape"][0] == len(rows) for answer, rows in zip(got, requests_rows))
        # Prometheus on the replica: 192 answered V2 requests, and batches that really held several.
        metrics = {}
        for line in requests.get(f"{batched_url}/metrics", timeout=10).text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                metrics[name] = float(value)
        assert metrics['cairn_replica_requests_total{protocol="v2",code="200"}'] == 192
        assert metrics['cairn_replica_request_duration_seconds_count{protocol="v2"}'] == 192
        rows_sent = sum(len(rows) for rows in requests_rows) * 3
        assert metrics["cairn_replica_batch_rows_sum"] == rows_sent + 1  # and the warm-up's one row
        assert metrics["cairn_replica_batch_rows_count"] < 192  # fewer prediction calls than requests
        assert metrics["cairn_replica_requests_in_flight"] == 0
    finally:
        for process in (plain, batched):
            process.terminate()
            process.wait(timeout=20)
