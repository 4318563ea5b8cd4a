"""`metrics/get-history-bulk-interval`, which MLflow's UI uses to chart a metric of many runs."""

from __future__ import annotations

import time

import pytest
from mlflow.entities import Metric

from e2e_support import assert_json_error


def _log_steps(client, run_id: str, key: str, steps) -> None:
    now = int(time.time() * 1000)
    points = [Metric(key, float(step) * 0.5, now, step) for step in steps]
    for start in range(0, len(points), 1000):
        client.log_batch(run_id, metrics=points[start:start + 1000])


def _bulk(api, run_ids, key, **params):
    query = [("run_ids", run_id) for run_id in run_ids] + [("metric_key", key)] + list(params.items())
    return api.get("/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval", params=query)


@pytest.fixture
def two_runs(client, name):
    experiment_id = client.create_experiment(name)
    dense = client.create_run(experiment_id).info.run_id
    sparse = client.create_run(experiment_id).info.run_id
    _log_steps(client, dense, "loss", range(1000))
    _log_steps(client, sparse, "loss", [5, 333, 777])
    return dense, sparse


def test_points_are_sampled_evenly_per_run_keeping_the_last(api, two_runs):
    dense, sparse = two_runs
    resp = _bulk(api, [dense, sparse], "loss", start_step=100, end_step=899, max_results=4)
    assert resp.status_code == 200, resp.text
    points = resp.json()["metrics"]
    by_run = {run_id: [p["step"] for p in points if p["run_id"] == run_id] for run_id in (dense, sparse)}
    # each run's points in range are cut into 4 even buckets; the first of each is kept, and the
    # run's last point replaces the last sample
    assert by_run[dense] == [100, 300, 500, 899]
    assert by_run[sparse] == [333, 777]
    assert all(p["value"] == p["step"] * 0.5 and p["key"] == "loss" for p in points)


def test_without_a_range_the_whole_history_is_sampled(api, two_runs):
    dense, _ = two_runs
    points = _bulk(api, [dense], "loss", max_results=10).json()["metrics"]
    assert [p["step"] for p in points] == [0, 100, 200, 300, 400, 500, 600, 700, 800, 999]
    everything = _bulk(api, [dense], "loss").json()["metrics"]
    assert len(everything) == 1000


def test_bad_ranges_are_refused(api, two_runs):
    dense, _ = two_runs
    assert_json_error(_bulk(api, [dense], "loss", start_step=10))
    assert_json_error(_bulk(api, [dense], "loss", start_step=10, end_step=5))
    assert_json_error(_bulk(api, [dense], "loss", max_results=0))
    assert_json_error(_bulk(api, [dense], "loss", max_results=2501))
