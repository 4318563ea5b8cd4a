"""6. Errors as the stock client sees them (MlflowException.error_code), and that nothing changed."""

from __future__ import annotations

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

from e2e_support import unique

MISSING_RUN = "f" * 32


def raises(code: str):
    """Context manager: expect MlflowException with this error_code."""

    class _Ctx:
        def __enter__(self):
            self._cm = pytest.raises(MlflowException)
            self.info = self._cm.__enter__()
            return self.info

        def __exit__(self, *exc):
            suppressed = self._cm.__exit__(*exc)
            assert self.info.value.error_code == code, (
                f"expected {code}, got {self.info.value.error_code}: {self.info.value}"
            )
            return suppressed

    return _Ctx()


def test_get_missing_run(client):
    with raises("RESOURCE_DOES_NOT_EXIST") as e:
        client.get_run(MISSING_RUN)
    assert MISSING_RUN in str(e.value)


def test_missing_experiment(client):
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.get_experiment("987654321")
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.create_run("987654321")
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.delete_experiment("987654321")
    assert client.get_experiment_by_name(unique("nope")) is None


def test_duplicate_experiment(client, name):
    exp_id = client.create_experiment(name)
    with raises("RESOURCE_ALREADY_EXISTS") as e:
        client.create_experiment(name)
    assert name in str(e.value)
    assert [x.experiment_id for x in client.search_experiments(filter_string=f"name = '{name}'")] == [exp_id]


def test_rename_to_existing_name_is_refused(client, name):
    a = client.create_experiment(name)
    b = client.create_experiment(name + "-b")
    # MLflow answers BAD_REQUEST with the raw SQL IntegrityError text; RESOURCE_ALREADY_EXISTS
    # would be the sensible code. Assert only that it is refused with a 400-class code.
    with pytest.raises(MlflowException) as e:
        client.rename_experiment(b, name)
    assert e.value.error_code in ("RESOURCE_ALREADY_EXISTS", "BAD_REQUEST", "INVALID_PARAMETER_VALUE")
    assert client.get_experiment(b).name == name + "-b"
    assert client.get_experiment(a).name == name


def test_changing_a_param_is_refused(client, name):
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "lr", "0.1")  # same value again is fine
    with raises("INVALID_PARAMETER_VALUE") as e:
        client.log_param(run_id, "lr", "0.2")
    assert "lr" in str(e.value)
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


def test_log_batch_with_conflicting_param_is_all_or_nothing(client, name):
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    client.log_param(run_id, "p", "old")
    with raises("INVALID_PARAMETER_VALUE") as e:
        client.log_batch(run_id, metrics=[Metric("m", 1.0, 1, 0)],
                         params=[Param("q", "new"), Param("p", "changed")],
                         tags=[RunTag("t", "v")])
    assert "p" in str(e.value)
    r = client.get_run(run_id)
    assert r.data.params == {"p": "old"}
    assert r.data.metrics == {}
    assert "t" not in r.data.tags
    assert client.get_metric_history(run_id, "m") == []


@pytest.mark.parametrize(
    "bad_filter",
    [
        "metrics.acc >> 1",
        "params.model = 1",            # unquoted string value
        "metrics.acc = 'high'",         # string for a metric
        "params.model > 'a'",           # ordering comparator on a param
        "foo.bar = 'x'",                # unknown entity type
        "attributes.nonexistent = 'x'",
        "metrics.acc > 0.5 OR metrics.acc < 0.1",
        "params.model = 'unterminated",
    ],
)
def test_search_runs_bad_filter(client, bad_filter):
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_runs(["0"], filter_string=bad_filter)


@pytest.mark.parametrize("bad_order", ["metrics.acc SIDEWAYS", "foo.bar ASC"])
def test_search_runs_bad_order_by(client, bad_order):
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_runs(["0"], order_by=[bad_order])


def test_search_experiments_bad_filter(client):
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_experiments(filter_string="name >> 'x'")
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_experiments(filter_string="nonexistent = 'x'")


def test_invalid_metric_key(client, name):
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    with raises("INVALID_PARAMETER_VALUE") as e:
        client.log_metric(run_id, "bad$key", 1.0)
    assert "bad$key" in str(e.value)
    assert client.get_run(run_id).data.metrics == {}


def test_writes_to_a_deleted_run_are_refused(client, name):
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    client.log_metric(run_id, "m", 1.0)
    client.delete_run(run_id)
    attempts = [
        lambda: client.log_metric(run_id, "m", 2.0, step=1),
        lambda: client.log_param(run_id, "p", "v"),
        lambda: client.set_tag(run_id, "t", "v"),
        lambda: client.log_batch(run_id, metrics=[Metric("m", 3.0, 1, 2)]),
        lambda: client.set_terminated(run_id, "FINISHED"),
    ]
    for attempt in attempts:
        with raises("INVALID_PARAMETER_VALUE") as e:
            attempt()
        assert run_id in str(e.value)
    r = client.get_run(run_id)
    assert r.data.metrics == {"m": 1.0}
    assert r.data.params == {}
    assert "t" not in r.data.tags
    assert r.info.status == "RUNNING"
    assert [m.value for m in client.get_metric_history(run_id, "m")] == [1.0]


def test_delete_missing_tag(client, name):
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.delete_tag(run_id, "never-set")


def test_over_long_values_are_truncated_like_mlflow(client, name):
    """MLflow's server truncates param values to 6000 and tag values to 8000 characters
    (MLFLOW_TRUNCATE_LONG_VALUES defaults to true) instead of failing the user's run."""
    run_id = client.create_run(client.create_experiment(name)).info.run_id
    client.log_param(run_id, "long", "x" * 7000)
    client.set_tag(run_id, "long", "y" * 9000)
    r = client.get_run(run_id)
    assert r.data.params["long"] == "x" * 6000
    assert r.data.tags["long"] == "y" * 8000
