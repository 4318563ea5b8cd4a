"""1. Fluent tracking: what a data scientist's training script does, read back through the client."""

from __future__ import annotations

import math
import time

import mlflow
import pandas as pd
import pytest
from mlflow.entities import Metric, Param, RunStatus, RunTag

MAX_DOUBLE = 1.7976931348623157e308  # MLflow's SQL store stores +-inf as +-DBL_MAX


def is_pos_inf(v: float) -> bool:
    return v == math.inf or v >= MAX_DOUBLE


def is_neg_inf(v: float) -> bool:
    return v == -math.inf or v <= -MAX_DOUBLE


def test_fluent_run_with_params_metrics_tags(fluent, name):
    exp = mlflow.set_experiment(name)
    assert exp.name == name
    assert fluent.get_experiment_by_name(name).experiment_id == exp.experiment_id

    before = int(time.time() * 1000)
    with mlflow.start_run(run_name="train-1", tags={"team": "vision"}) as run:
        run_id = run.info.run_id
        assert run.info.experiment_id == exp.experiment_id
        assert run.info.status == "RUNNING"
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"epochs": 10, "optimizer": "adam", "empty": ""})
        mlflow.log_metric("acc", 0.91)
        mlflow.log_metrics({"loss": 0.25, "f1": 0.8})
        mlflow.set_tag("stage", "dev")
        mlflow.set_tags({"owner": "alice", "note": "first try ✓"})

    r = fluent.get_run(run_id)
    assert r.info.run_id == run_id
    assert r.info.run_name == "train-1"
    assert r.info.status == "FINISHED"
    assert r.info.lifecycle_stage == "active"
    assert r.info.start_time >= before - 5000
    assert r.info.end_time is not None and r.info.end_time >= r.info.start_time
    assert r.data.params == {
        "lr": "0.01", "epochs": "10", "optimizer": "adam", "empty": "",
    }
    assert r.data.metrics == {"acc": 0.91, "loss": 0.25, "f1": 0.8}
    tags = r.data.tags
    assert tags["team"] == "vision"
    assert tags["stage"] == "dev"
    assert tags["owner"] == "alice"
    assert tags["note"] == "first try ✓"
    assert tags["mlflow.runName"] == "train-1"
    assert "mlflow.user" in tags
    assert "mlflow.source.type" in tags


def test_nested_runs_have_parent_tag(fluent, name):
    mlflow.set_experiment(name)
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-a", nested=True) as child_a:
            mlflow.log_metric("score", 1.0)
        with mlflow.start_run(run_name="child-b", nested=True) as child_b:
            mlflow.log_metric("score", 2.0)

    parent_id = parent.info.run_id
    for child in (child_a, child_b):
        r = fluent.get_run(child.info.run_id)
        assert r.data.tags["mlflow.parentRunId"] == parent_id
        assert r.info.status == "FINISHED"
    assert "mlflow.parentRunId" not in fluent.get_run(parent_id).data.tags
    assert fluent.get_run(parent_id).info.status == "FINISHED"

    children = mlflow.search_runs(
        filter_string=f"tags.mlflow.parentRunId = '{parent_id}'", output_format="list"
    )
    assert {c.info.run_name for c in children} == {"child-a", "child-b"}


def test_exception_inside_run_marks_it_failed(fluent, name):
    mlflow.set_experiment(name)
    with pytest.raises(ZeroDivisionError):
        with mlflow.start_run() as run:
            mlflow.log_metric("before_crash", 1.0)
            1 / 0
    r = fluent.get_run(run.info.run_id)
    assert r.info.status == "FAILED"
    assert r.info.end_time is not None
    assert r.data.metrics == {"before_crash": 1.0}
    assert mlflow.active_run() is None


def test_explicit_terminal_statuses(fluent, name):
    exp_id = fluent.create_experiment(name)
    for status in ("FINISHED", "FAILED", "KILLED"):
        run = fluent.create_run(exp_id, run_name=f"run-{status}")
        assert run.info.status == "RUNNING"
        assert run.info.end_time is None
        fluent.set_terminated(run.info.run_id, status=status)
        r = fluent.get_run(run.info.run_id)
        assert r.info.status == status
        assert r.info.end_time is not None
        assert RunStatus.is_terminated(RunStatus.from_string(r.info.status))


def test_metric_history_with_steps(fluent, name):
    mlflow.set_experiment(name)
    values = [1.0 / (s + 1) for s in range(20)]
    with mlflow.start_run() as run:
        for step, v in enumerate(values):
            mlflow.log_metric("loss", v, step=step)
        # a second value at an already used step is kept too (not an overwrite)
        mlflow.log_metric("loss", 42.0, step=5)
        # a late point for an earlier step does not become the "latest" value
        mlflow.log_metric("loss", -1.0, step=3)

    history = fluent.get_metric_history(run.info.run_id, "loss")
    assert len(history) == 22
    assert sorted((m.step, m.value) for m in history) == sorted(
        list(enumerate(values)) + [(5, 42.0), (3, -1.0)]
    )
    assert all(m.key == "loss" and m.timestamp > 0 for m in history)

    # run.data.metrics holds the latest point: the highest step wins
    assert fluent.get_run(run.info.run_id).data.metrics["loss"] == values[-1]
    # a key that was never logged has an empty history
    assert fluent.get_metric_history(run.info.run_id, "never-logged") == []


def test_metric_history_order_is_timestamp_then_step(fluent, name):
    """MLflow returns get-history ordered by (timestamp, step, value), not by step alone."""
    exp_id = fluent.create_experiment(name)
    run_id = fluent.create_run(exp_id).info.run_id
    base = int(time.time() * 1000)
    points = [  # (timestamp, step, value), logged in this order
        (base + 10, 0, 1.0),
        (base + 20, 1, 0.5),
        (base + 30, 2, 0.25),
        (base + 40, 1, 0.75),   # late point for an earlier step
        (base + 5, 7, 9.0),     # earliest timestamp, logged last
        (base + 20, 0, 3.0),    # same timestamp as step 1: step breaks the tie
    ]
    for ts, step, v in points:
        fluent.log_metric(run_id, "m", v, timestamp=ts, step=step)
    history = fluent.get_metric_history(run_id, "m")
    assert [(m.timestamp, m.step, m.value) for m in history] == sorted(points)
    # "latest" is by step first, then timestamp
    assert fluent.get_run(run_id).data.metrics["m"] == 9.0


def test_log_batch_via_client(fluent, name):
    exp_id = fluent.create_experiment(name)
    run_id = fluent.create_run(exp_id).info.run_id
    ts = int(time.time() * 1000)
    metrics = [Metric("m1", float(i), ts + i, i) for i in range(50)]
    metrics += [Metric("m2", 0.5, ts, 0), Metric("m2", 0.75, ts + 1, 7)]
    params = [Param(f"p{i}", f"value-{i}") for i in range(20)]
    tags = [RunTag("batch.tag", "yes"), RunTag("other", "x")]
    fluent.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    # tags can be overwritten; identical params can be re-logged
    fluent.log_batch(run_id, params=[Param("p0", "value-0")], tags=[RunTag("other", "y")])

    r = fluent.get_run(run_id)
    assert r.data.metrics == {"m1": 49.0, "m2": 0.75}
    assert r.data.params == {f"p{i}": f"value-{i}" for i in range(20)}
    assert r.data.tags["batch.tag"] == "yes"
    assert r.data.tags["other"] == "y"
    h = fluent.get_metric_history(run_id, "m1")
    assert sorted((m.step, m.value, m.timestamp) for m in h) == [
        (i, float(i), ts + i) for i in range(50)
    ]
    assert sorted((m.step, m.value) for m in fluent.get_metric_history(run_id, "m2")) == [
        (0, 0.5), (7, 0.75)
    ]


def test_nan_and_infinite_metric_values_round_trip(fluent, name):
    mlflow.set_experiment(name)
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", float("nan"))
        mlflow.log_metric("pinf", float("inf"))
        mlflow.log_metric("ninf", float("-inf"))
        mlflow.log_metrics({"b_nan": float("nan"), "b_pinf": math.inf, "b_ninf": -math.inf})
        for step, v in enumerate([1.0, float("nan"), float("inf"), 2.0]):
            mlflow.log_metric("series", v, step=step)

    r = fluent.get_run(run.info.run_id)
    m = r.data.metrics
    assert math.isnan(m["nan"]) and math.isnan(m["b_nan"])
    assert is_pos_inf(m["pinf"]) and is_pos_inf(m["b_pinf"])
    assert is_neg_inf(m["ninf"]) and is_neg_inf(m["b_ninf"])
    assert m["series"] == 2.0

    h = sorted(fluent.get_metric_history(run.info.run_id, "series"), key=lambda x: x.step)
    assert [x.step for x in h] == [0, 1, 2, 3]
    assert h[0].value == 1.0
    assert math.isnan(h[1].value)
    assert is_pos_inf(h[2].value)
    assert h[3].value == 2.0

    # the same values come back through search as well
    found = fluent.search_runs([r.info.experiment_id])
    assert len(found) == 1
    assert math.isnan(found[0].data.metrics["nan"])
    assert is_neg_inf(found[0].data.metrics["ninf"])


def test_log_input_dataset(fluent, name):
    mlflow.set_experiment(name)
    df = pd.DataFrame({"x1": [1.0, 2.0, 3.0], "x2": [0.5, 0.1, 0.9], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(df, source="s3://bucket/train.csv", targets="y",
                                      name="train-data")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")

    r = fluent.get_run(run.info.run_id)
    inputs = r.inputs.dataset_inputs
    assert len(inputs) == 1
    d = inputs[0].dataset
    assert d.name == "train-data"
    assert d.digest == dataset.digest
    assert d.source_type == "s3"
    assert "s3://bucket/train.csv" in d.source
    assert d.schema and "x1" in d.schema
    assert d.profile and "num_rows" in d.profile
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"

    # the dataset is visible to search as well
    found = mlflow.search_runs(
        filter_string="dataset.name = 'train-data' AND dataset.context = 'training'",
        output_format="list",
    )
    assert [x.info.run_id for x in found] == [run.info.run_id]


def test_run_name_update_and_tag_delete(fluent, name):
    exp_id = fluent.create_experiment(name)
    run = fluent.create_run(exp_id, run_name="before", tags={"keep": "1", "drop": "2"})
    run_id = run.info.run_id
    fluent.update_run(run_id, name="after")
    fluent.delete_tag(run_id, "drop")
    r = fluent.get_run(run_id)
    assert r.info.run_name == "after"
    assert r.data.tags["mlflow.runName"] == "after"
    assert "drop" not in r.data.tags
    assert r.data.tags["keep"] == "1"
