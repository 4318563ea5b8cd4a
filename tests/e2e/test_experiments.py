"""3. Experiments CRUD and search; delete/restore of runs and experiments."""

from __future__ import annotations

import time

import mlflow
import pytest
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

from e2e_support import unique


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"
    assert exp.artifact_location.startswith("mlflow-artifacts:/")


def test_create_get_rename_and_tags(client, name):
    before = int(time.time() * 1000)
    exp_id = client.create_experiment(name, tags={"team": "vision", "priority": "high"})
    assert isinstance(exp_id, str) and exp_id

    exp = client.get_experiment(exp_id)
    assert exp.experiment_id == exp_id
    assert exp.name == name
    assert exp.lifecycle_stage == "active"
    assert exp.tags == {"team": "vision", "priority": "high"}
    assert exp.artifact_location.startswith("mlflow-artifacts:/")
    assert exp.creation_time >= before - 5000
    assert exp.last_update_time >= exp.creation_time

    assert client.get_experiment_by_name(name).experiment_id == exp_id
    assert client.get_experiment_by_name(unique("missing")) is None

    new_name = name + "-renamed"
    client.rename_experiment(exp_id, new_name)
    assert client.get_experiment(exp_id).name == new_name
    assert client.get_experiment_by_name(new_name).experiment_id == exp_id
    assert client.get_experiment_by_name(name) is None

    client.set_experiment_tag(exp_id, "priority", "low")       # overwrite
    client.set_experiment_tag(exp_id, "note", "ünïcode ✓")      # add
    client.delete_experiment_tag(exp_id, "team")                # delete
    assert client.get_experiment(exp_id).tags == {"priority": "low", "note": "ünïcode ✓"}


def test_set_experiment_creates_then_reuses(fluent, name):
    exp1 = mlflow.set_experiment(name)
    exp2 = mlflow.set_experiment(name)
    assert exp1.experiment_id == exp2.experiment_id
    exp3 = mlflow.set_experiment(experiment_id=exp1.experiment_id)
    assert exp3.name == name
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == exp1.experiment_id


def test_runs_without_experiment_go_to_default(client):
    run = client.create_run("0")
    assert run.info.experiment_id == "0"
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    client.delete_run(run.info.run_id)


def test_search_experiments_filters_order_and_pages(client):
    prefix = unique("srch")
    specs = [("a", "red"), ("b", "blue"), ("c", "red"), ("d", None), ("e", "RED")]
    ids = {}
    for suffix, color in specs:
        tags = {"color": color} if color else None
        ids[suffix] = client.create_experiment(f"{prefix}-{suffix}", tags=tags)

    def search(filter_string, order_by=None, view=ViewType.ACTIVE_ONLY, max_results=None):
        kwargs = {"max_results": max_results} if max_results else {}
        return [e.name.rsplit("-", 1)[1] for e in client.search_experiments(
            filter_string=filter_string, order_by=order_by, view_type=view, **kwargs)]

    assert sorted(search(f"name LIKE '{prefix}-%'")) == ["a", "b", "c", "d", "e"]
    assert search(f"name = '{prefix}-c'") == ["c"]
    assert search(f"name ILIKE '{prefix.upper()}-A'") == ["a"]
    assert sorted(search(f"name LIKE '{prefix}-%' AND name != '{prefix}-a'")) == ["b", "c", "d", "e"]
    assert sorted(search(f"name LIKE '{prefix}-%' AND tags.color = 'red'")) == ["a", "c"]
    assert sorted(search(f"name LIKE '{prefix}-%' AND tags.color ILIKE 'red'")) == ["a", "c", "e"]
    assert sorted(search(f"name LIKE '{prefix}-%' AND tags.color != 'red'")) == ["b", "e"]
    assert sorted(search(f"name LIKE '{prefix}-%' AND tags.`color` LIKE 'b%'")) == ["b"]

    assert search(f"name LIKE '{prefix}-%'", order_by=["name ASC"]) == ["a", "b", "c", "d", "e"]
    assert search(f"name LIKE '{prefix}-%'", order_by=["name DESC"]) == ["e", "d", "c", "b", "a"]
    # default order: newest first
    assert search(f"name LIKE '{prefix}-%'") == ["e", "d", "c", "b", "a"]
    assert search(f"name LIKE '{prefix}-%'", order_by=["creation_time ASC"]) == [
        "a", "b", "c", "d", "e"]

    # pagination with max_results + page_token
    collected, token, pages = [], None, 0
    while True:
        page = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=2,
                                          page_token=token, order_by=["name ASC"])
        pages += 1
        assert len(page) <= 2
        collected += [e.experiment_id for e in page]
        token = page.token
        if not token:
            break
        assert pages < 20
    assert collected == [ids[s] for s in "abcde"]

    # view types
    client.delete_experiment(ids["b"])
    assert sorted(search(f"name LIKE '{prefix}-%'")) == ["a", "c", "d", "e"]
    assert search(f"name LIKE '{prefix}-%'", view=ViewType.DELETED_ONLY) == ["b"]
    assert sorted(search(f"name LIKE '{prefix}-%'", view=ViewType.ALL)) == ["a", "b", "c", "d", "e"]


def test_delete_and_restore_run(client, name):
    exp_id = client.create_experiment(name)
    keep = client.create_run(exp_id).info.run_id
    gone = client.create_run(exp_id).info.run_id
    client.log_metric(gone, "m", 1.0)

    client.delete_run(gone)
    r = client.get_run(gone)  # still readable
    assert r.info.lifecycle_stage == "deleted"
    assert r.data.metrics == {"m": 1.0}
    assert [x.info.run_id for x in client.search_runs([exp_id])] == [keep]
    assert [x.info.run_id for x in client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)] == [gone]

    client.restore_run(gone)
    assert client.get_run(gone).info.lifecycle_stage == "active"
    assert {x.info.run_id for x in client.search_runs([exp_id])} == {keep, gone}
    client.log_metric(gone, "m", 2.0, step=1)  # writable again
    assert client.get_run(gone).data.metrics == {"m": 2.0}


def test_delete_and_restore_experiment(client, name):
    exp_id = client.create_experiment(name)
    runs = {client.create_run(exp_id).info.run_id for _ in range(3)}

    client.delete_experiment(exp_id)
    exp = client.get_experiment(exp_id)
    assert exp.lifecycle_stage == "deleted"
    # still found by name (lifecycle_stage tells it is deleted)
    assert client.get_experiment_by_name(name).lifecycle_stage == "deleted"
    # its runs are hidden from ACTIVE_ONLY searches and are marked deleted
    assert client.search_runs([exp_id]) == []
    assert {r.info.run_id for r in client.search_runs([exp_id], run_view_type=ViewType.ALL)} == runs
    for rid in runs:
        assert client.get_run(rid).info.lifecycle_stage == "deleted"
    # no new runs in a deleted experiment
    with pytest.raises(MlflowException) as e:
        client.create_run(exp_id)
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    # the name stays taken while the experiment is deleted
    with pytest.raises(MlflowException) as e:
        client.create_experiment(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert name not in {x.name for x in client.search_experiments()}
    assert name in {x.name for x in client.search_experiments(view_type=ViewType.DELETED_ONLY)}

    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    assert {r.info.run_id for r in client.search_runs([exp_id])} == runs
    for rid in runs:
        assert client.get_run(rid).info.lifecycle_stage == "active"
    client.create_run(exp_id)


def test_set_experiment_on_deleted_experiment_fails(fluent, name):
    exp_id = fluent.create_experiment(name)
    fluent.delete_experiment(exp_id)
    with pytest.raises(MlflowException, match="deleted"):
        mlflow.set_experiment(name)
