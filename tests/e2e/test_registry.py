"""8. Model registry through the stock client: register real scikit-learn models, registered models,
versions, aliases, stages, search and loading `models:/` URIs. Bad input: test_registry_errors.py."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression

from e2e_support import IS_MLFLOW, unique


@contextmanager
def raises(code: str):
    with pytest.raises(MlflowException) as info:
        yield info
    assert info.value.error_code == code, f"expected {code}, got {info.value.error_code}: {info.value}"


@pytest.fixture(scope="module")
def models(server):
    """Two tiny scikit-learn models with opposite predictions, each logged as "model" in its own run
    (logged once per module and worker; `pip_requirements` skips the slow requirement inference)."""
    mlflow.set_tracking_uri(server.url)
    client = MlflowClient(tracking_uri=server.url)
    exp_id = client.create_experiment(unique("registry"))
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    out = []
    for labels in (y, 1 - y):
        est = LogisticRegression().fit(X, labels)
        with mlflow.start_run(experiment_id=exp_id) as run:
            info = mlflow.sklearn.log_model(est, name="model", pip_requirements=["scikit-learn"])
        lm = client.get_logged_model(info.model_id)
        out.append(SimpleNamespace(run_id=run.info.run_id, model_id=info.model_id,
                                   uri=info.model_uri, artifact_location=lm.artifact_location,
                                   expected=est.predict(X)))
    assert not np.array_equal(out[0].expected, out[1].expected)
    return SimpleNamespace(a=out[0], b=out[1], X=X)


@pytest.fixture
def rm(client):
    """A fresh registered model name (created)."""
    name = unique("rm")
    client.create_registered_model(name)
    return name


def add_version(client, name, logged, **kw):
    return client.create_model_version(name, logged.uri, run_id=logged.run_id,
                                       model_id=logged.model_id, **kw)


def versions(client, name):
    return sorted(int(v.version) for v in client.search_model_versions(f"name = '{name}'"))


# ---------------------------------------------------------------------------------------------
# registering
# ---------------------------------------------------------------------------------------------


def test_register_model_from_run_and_from_logged_model(fluent, models):
    a = models.a
    name = unique("reg")
    v1 = mlflow.register_model(f"runs:/{a.run_id}/model", name)
    v2 = mlflow.register_model(a.uri, name)  # models:/<model_id>
    v3 = mlflow.register_model(f"runs:/{models.b.run_id}/model", name)
    assert [v1.version, v2.version, v3.version] == ["1", "2", "3"]
    for v, src in ((v1, a), (v2, a), (v3, models.b)):
        assert v.name == name
        assert v.run_id == src.run_id
        # the run has no MLmodel at runs:/<id>/model (MLflow 3 stores the files under the logged
        # model), so the client itself registers the run's logged model "model" instead
        assert v.source == src.uri
        assert v.status == "READY"
        assert v.current_stage == "None"
        assert isinstance(v.creation_timestamp, int) and v.creation_timestamp > 0

    got = fluent.get_model_version(name, "2")
    assert (got.name, got.version, got.source, got.run_id, got.status, got.current_stage) == (
        name, "2", a.uri, a.run_id, "READY", "None")
    rm = fluent.get_registered_model(name)
    assert [(v.version, v.current_stage) for v in rm.latest_versions] == [("3", "None")]
    assert versions(fluent, name) == [1, 2, 3]
    assert_download_uri(fluent.get_model_version_download_uri(name, "3"), models.b)


def test_create_model_version_with_tags_and_description(client, rm, models):
    v = add_version(client, rm, models.a, tags={"stage": "qa", "owner": "me"}, description="first")
    assert v.version == "1" and v.description == "first"
    got = client.get_model_version(rm, "1")
    assert got.tags == {"stage": "qa", "owner": "me"}
    assert got.description == "first"
    assert got.run_id == models.a.run_id and got.source == models.a.uri


# ---------------------------------------------------------------------------------------------
# registered models
# ---------------------------------------------------------------------------------------------


def test_registered_model_create_get_update_tags(client):
    name = unique("crud")
    created = client.create_registered_model(name, tags={"team": "ml", "k": "v"}, description="hello")
    assert created.name == name and created.description == "hello"
    assert created.tags == {"team": "ml", "k": "v"}
    got = client.get_registered_model(name)
    assert (got.name, got.description, got.tags) == (name, "hello", {"team": "ml", "k": "v"})
    assert got.latest_versions == [] and got.aliases == {}
    assert got.creation_timestamp > 0 and got.last_updated_timestamp >= got.creation_timestamp

    updated = client.update_registered_model(name, description="new words")
    assert updated.description == "new words"
    client.set_registered_model_tag(name, "k", "v2")
    client.set_registered_model_tag(name, "extra", "x")
    client.delete_registered_model_tag(name, "team")
    got = client.get_registered_model(name)
    assert got.description == "new words"
    assert got.tags == {"k": "v2", "extra": "x"}


def test_rename_registered_model_moves_versions_and_aliases(fluent, models):
    old, new = unique("old"), unique("new")
    fluent.create_registered_model(old, tags={"t": "1"}, description="d")
    add_version(fluent, old, models.a)
    add_version(fluent, old, models.b)
    fluent.set_registered_model_alias(old, "champion", "2")

    fluent.rename_registered_model(old, new)  # MlflowClient returns None here
    with raises("RESOURCE_DOES_NOT_EXIST"):
        fluent.get_registered_model(old)
    assert fluent.search_model_versions(f"name = '{old}'") == []
    got = fluent.get_registered_model(new)
    assert (got.tags, got.description, got.aliases) == ({"t": "1"}, "d", {"champion": "2"})
    assert versions(fluent, new) == [1, 2]
    assert fluent.get_model_version(new, "1").name == new
    assert fluent.get_model_version_by_alias(new, "champion").version == "2"

    loaded = mlflow.pyfunc.load_model(f"models:/{new}/1")
    np.testing.assert_array_equal(loaded.predict(models.X), models.a.expected)
    assert add_version(fluent, new, models.a).version == "3"


def test_delete_registered_model_deletes_its_versions(client, rm, models):
    add_version(client, rm, models.a)
    add_version(client, rm, models.b)
    client.set_registered_model_alias(rm, "champion", "1")
    client.delete_registered_model(rm)
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(rm)
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(rm, "1")
    assert client.search_model_versions(f"name = '{rm}'") == []
    assert client.search_registered_models(f"name = '{rm}'") == []
    # the name is free again, and the new model starts from version 1 without the old alias
    client.create_registered_model(rm)
    assert add_version(client, rm, models.b).version == "1"
    assert client.get_registered_model(rm).aliases == {}


# ---------------------------------------------------------------------------------------------
# model versions
def assert_download_uri(uri: str, logged) -> None:
    """The URI the client downloads a version from. MLflow hands out the logged model's own (mutable)
    artifact location; Cairn hands out the version's frozen snapshot, which the client reads the
    same way through the artifact proxy."""
    if IS_MLFLOW:
        assert uri == logged.artifact_location
    else:
        assert uri.startswith("mlflow-artifacts:/_cairn_snapshots/models/"), uri
        assert uri != logged.artifact_location


# ---------------------------------------------------------------------------------------------


def test_model_version_update_tags_and_download_uri(client, rm, models):
    add_version(client, rm, models.a, description="orig")
    v = client.update_model_version(rm, "1", description="better")
    assert v.description == "better" and v.version == "1"
    client.set_model_version_tag(rm, "1", "validated", "yes")
    client.set_model_version_tag(rm, "1", "other", "x")
    client.delete_model_version_tag(rm, "1", "other")
    got = client.get_model_version(rm, "1")
    assert got.description == "better" and got.tags == {"validated": "yes"}
    assert got.current_stage == "None" and got.status == "READY"
    assert_download_uri(client.get_model_version_download_uri(rm, "1"), models.a)


def test_delete_model_version_keeps_others_and_never_reuses_numbers(client, rm, models):
    for _ in range(3):
        add_version(client, rm, models.a)
    client.set_registered_model_alias(rm, "doomed", "2")
    client.delete_model_version(rm, "2")
    with raises("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(rm, "2")
    assert versions(client, rm) == [1, 3]
    assert client.get_model_version(rm, "3").source == models.a.uri
    assert client.get_registered_model(rm).aliases == {}  # the alias went with its version
    assert add_version(client, rm, models.b).version == "4"
    assert versions(client, rm) == [1, 3, 4]
    assert [v.version for v in client.get_registered_model(rm).latest_versions] == ["4"]


# ---------------------------------------------------------------------------------------------
# aliases
# ---------------------------------------------------------------------------------------------


def test_aliases(client, rm, models):
    for _ in range(3):
        add_version(client, rm, models.a)
    client.set_registered_model_alias(rm, "champion", "1")
    client.set_registered_model_alias(rm, "challenger", "3")
    client.set_registered_model_alias(rm, "also-first_1", "1")
    by_alias = client.get_model_version_by_alias(rm, "champion")
    assert (by_alias.name, by_alias.version) == (rm, "1")
    assert sorted(by_alias.aliases) == ["also-first_1", "champion"]
    assert client.get_registered_model(rm).aliases == {
        "champion": "1", "challenger": "3", "also-first_1": "1"}
    assert client.get_model_version(rm, "3").aliases == ["challenger"]
    assert client.get_model_version(rm, "2").aliases == []

    client.set_registered_model_alias(rm, "champion", "2")  # reassign
    assert client.get_model_version_by_alias(rm, "champion").version == "2"
    assert client.get_model_version(rm, "1").aliases == ["also-first_1"]
    assert client.get_model_version(rm, "2").aliases == ["champion"]

    client.delete_registered_model_alias(rm, "champion")
    assert client.get_registered_model(rm).aliases == {"challenger": "3", "also-first_1": "1"}
    assert client.get_model_version(rm, "2").aliases == []
    with raises("INVALID_PARAMETER_VALUE") as e:  # MLflow: 400, not 404
        client.get_model_version_by_alias(rm, "champion")
    assert "champion" in str(e.value)


# ---------------------------------------------------------------------------------------------
# stages
# ---------------------------------------------------------------------------------------------


def test_stage_transitions_and_latest_versions(client, rm, models):
    for _ in range(4):
        add_version(client, rm, models.a)
    assert client.transition_model_version_stage(rm, "1", "staging").current_stage == "Staging"
    assert client.transition_model_version_stage(rm, "2", "Production").current_stage == "Production"
    assert client.transition_model_version_stage(rm, "3", "ARCHIVED").current_stage == "Archived"
    assert client.get_model_version(rm, "1").current_stage == "Staging"

    def latest(stages=None):
        return sorted((v.current_stage, v.version) for v in client.get_latest_versions(rm, stages))

    assert latest() == [("Archived", "3"), ("None", "4"), ("Production", "2"), ("Staging", "1")]
    assert latest(["Production"]) == [("Production", "2")]
    assert latest(["staging", "None"]) == [("None", "4"), ("Staging", "1")]
    # a second Staging version is fine; the newest one is "latest" for the stage
    client.transition_model_version_stage(rm, "4", "Staging")
    assert latest(["Staging"]) == [("Staging", "4")]
    assert client.get_model_version(rm, "1").current_stage == "Staging"
    assert sorted((v.current_stage, v.version) for v in client.get_registered_model(rm).latest_versions) == [
        ("Archived", "3"), ("Production", "2"), ("Staging", "4")]

    # back to None
    assert client.transition_model_version_stage(rm, "3", "None").current_stage == "None"


def test_archive_existing_versions(client, rm, models):
    for _ in range(3):
        add_version(client, rm, models.a)
    client.transition_model_version_stage(rm, "1", "Production")
    client.transition_model_version_stage(rm, "2", "Staging")
    promoted = client.transition_model_version_stage(rm, "3", "Production",
                                                     archive_existing_versions=True)
    assert promoted.current_stage == "Production"
    stages = {v.version: v.current_stage for v in client.search_model_versions(f"name = '{rm}'")}
    assert stages == {"1": "Archived", "2": "Staging", "3": "Production"}
    assert [v.version for v in client.get_latest_versions(rm, ["Production"])] == ["3"]


# ---------------------------------------------------------------------------------------------
# search
# ---------------------------------------------------------------------------------------------


def names(models_):
    return [m.name for m in models_]


def test_search_registered_models_filters_and_order(client):
    p = unique("srm")
    for i, (suffix, tag) in enumerate([("a1", "x"), ("a2", "y"), ("b1", "x"), ("B2", "z")]):
        client.create_registered_model(f"{p}-{suffix}", tags={"kind": tag})
        time.sleep(0.01)
    assert names(client.search_registered_models(f"name = '{p}-a2'")) == [f"{p}-a2"]
    assert names(client.search_registered_models(f"name LIKE '{p}-a%'")) == [f"{p}-a1", f"{p}-a2"]
    assert names(client.search_registered_models(f"name LIKE '{p}-b%'")) == [f"{p}-b1"]  # case-sensitive
    assert set(names(client.search_registered_models(f"name ILIKE '{p}-b%'"))) == {f"{p}-B2", f"{p}-b1"}
    assert names(client.search_registered_models(f"name LIKE '{p}%' AND tags.kind = 'x'")) == [
        f"{p}-a1", f"{p}-b1"]
    assert set(names(client.search_registered_models(f"name LIKE '{p}%' AND tags.kind != 'x'"))) == {
        f"{p}-B2", f"{p}-a2"}
    assert names(client.search_registered_models(f"name = '{p}-nope'")) == []
    # (mixed case is left out of name ordering: it depends on the database collation)
    assert names(client.search_registered_models(f"name LIKE '{p}%' AND tags.kind != 'z'",
                                                 order_by=["name DESC"])) == [
        f"{p}-b1", f"{p}-a2", f"{p}-a1"]

    client.update_registered_model(f"{p}-a1", description="touched last")
    by_time = names(client.search_registered_models(f"name LIKE '{p}%'",
                                                    order_by=["last_updated_timestamp DESC"]))
    assert by_time == [f"{p}-a1", f"{p}-B2", f"{p}-b1", f"{p}-a2"]
    by_time = names(client.search_registered_models(f"name LIKE '{p}%'",
                                                    order_by=["last_updated_timestamp"]))
    assert by_time == [f"{p}-a2", f"{p}-b1", f"{p}-B2", f"{p}-a1"]


def test_search_registered_models_paging(client):
    p = unique("page")
    expected = [f"{p}-{i:02d}" for i in range(25)]
    for n in expected:
        client.create_registered_model(n)
    seen, token, sizes = [], None, []
    while True:
        page = client.search_registered_models(f"name LIKE '{p}-%'", max_results=10, page_token=token)
        sizes.append(len(page))
        seen += names(page)
        token = page.token
        if not token:
            break
    assert sizes == [10, 10, 5]
    assert seen == expected  # default order: name ASC; every model exactly once


def test_search_model_versions(client, models):
    p = unique("smv")
    a, b = models.a, models.b
    for n in (f"{p}-one", f"{p}-two"):
        client.create_registered_model(n)
    add_version(client, f"{p}-one", a, tags={"k": "v"})
    add_version(client, f"{p}-one", b, tags={"k": "w"})
    add_version(client, f"{p}-one", a, tags={"k": "v"})
    add_version(client, f"{p}-two", b)

    def found(flt, **kw):
        return [(v.name[len(p) + 1:], v.version) for v in client.search_model_versions(flt, **kw)]

    assert sorted(found(f"name = '{p}-one'")) == [("one", "1"), ("one", "2"), ("one", "3")]
    assert sorted(found(f"name LIKE '{p}%' AND run_id = '{b.run_id}'")) == [("one", "2"), ("two", "1")]
    in_filter = f"run_id IN ('{a.run_id}', '{b.run_id}') AND name LIKE '{p}%'"
    assert len(found(in_filter)) == 4
    assert sorted(found(f"name = '{p}-one' AND tags.k = 'v'")) == [("one", "1"), ("one", "3")]
    assert sorted(found(f"name = '{p}-one' AND version_number > 1")) == [("one", "2"), ("one", "3")]
    assert found(f"name = '{p}-one'", order_by=["version_number DESC"]) == [
        ("one", "3"), ("one", "2"), ("one", "1")]
    assert found(f"name LIKE '{p}%'", order_by=["name DESC", "version_number ASC"]) == [
        ("two", "1"), ("one", "1"), ("one", "2"), ("one", "3")]
    assert found(f"name = '{p}-nope'") == []

    page1 = client.search_model_versions(f"name LIKE '{p}%'", max_results=3,
                                         order_by=["name", "version_number"])
    assert len(page1) == 3 and page1.token
    page2 = client.search_model_versions(f"name LIKE '{p}%'", max_results=3,
                                         order_by=["name", "version_number"], page_token=page1.token)
    assert [(v.name, v.version) for v in page2] == [(f"{p}-two", "1")]
    assert not page2.token


# ---------------------------------------------------------------------------------------------
# loading registered models
# ---------------------------------------------------------------------------------------------


def test_load_registered_model_by_version_alias_stage_and_latest(fluent, models, tmp_path):
    name = unique("load")
    mlflow.register_model(f"runs:/{models.a.run_id}/model", name)  # v1 = model A
    mlflow.register_model(models.b.uri, name)                       # v2 = model B
    fluent.set_registered_model_alias(name, "champion", "1")
    fluent.transition_model_version_stage(name, "1", "Production")

    def predict(uri):
        return mlflow.pyfunc.load_model(uri).predict(models.X)

    np.testing.assert_array_equal(predict(f"models:/{name}/1"), models.a.expected)
    np.testing.assert_array_equal(predict(f"models:/{name}/2"), models.b.expected)
    np.testing.assert_array_equal(predict(f"models:/{name}@champion"), models.a.expected)
    np.testing.assert_array_equal(predict(f"models:/{name}/Production"), models.a.expected)
    np.testing.assert_array_equal(predict(f"models:/{name}/latest"), models.b.expected)
    native = mlflow.sklearn.load_model(f"models:/{name}/2")
    np.testing.assert_array_equal(native.predict(models.X), models.b.expected)

    local = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(tmp_path)))
    assert local.is_dir()
    files = {p.name for p in local.iterdir()}
    assert "MLmodel" in files and any(f.startswith("model.") for f in files), files
    assert "sklearn" in (local / "MLmodel").read_text()
