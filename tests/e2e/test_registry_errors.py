"""9. Model registry errors: what the stock client sees (MlflowException.error_code), bad input over
raw HTTP (4xx + JSON error), and that nothing changed."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from mlflow.exceptions import MlflowException

from e2e_support import assert_json_error, unique

M = "/api/2.0/mlflow"


@contextmanager
def raises(code: str):
    with pytest.raises(MlflowException) as info:
        yield info
    assert info.value.error_code == code, f"expected {code}, got {info.value.error_code}: {info.value}"


@pytest.fixture
def rm(client):
    """A registered model with versions 1 and 2 (cheap: sources are runs:/ URIs of an empty run)."""
    name = unique("rme")
    client.create_registered_model(name, tags={"t": "1"}, description="orig")
    run_id = client.create_run(client.create_experiment(unique("rme"))).info.run_id
    for _ in range(2):
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    return name


def snapshot(client, name):
    """Everything a user can see of a registered model and its versions."""
    m = client.get_registered_model(name)
    vs = sorted(((v.version, v.current_stage, v.description, tuple(sorted(v.tags.items())),
                  v.last_updated_timestamp) for v in client.search_model_versions(f"name = '{name}'")))
    return (m.name, m.description, m.tags, m.aliases, m.last_updated_timestamp, vs)


def count_models(client):
    return len(client.search_registered_models(max_results=1000))


# ---------------------------------------------------------------------------------------------
# through the client
# ---------------------------------------------------------------------------------------------


def test_duplicate_registered_model(client, rm):
    before = snapshot(client, rm)
    with raises("RESOURCE_ALREADY_EXISTS") as e:
        client.create_registered_model(rm, tags={"t": "2"}, description="other")
    assert rm in str(e.value)
    assert snapshot(client, rm) == before


def test_rename_to_an_existing_name_is_refused(client, rm):
    other = unique("rme-other")
    client.create_registered_model(other)
    before = snapshot(client, rm)
    with raises("RESOURCE_ALREADY_EXISTS"):
        client.rename_registered_model(rm, other)
    assert snapshot(client, rm) == before
    assert client.search_model_versions(f"name = '{other}'") == []


def test_unknown_registered_model(client):
    name = unique("missing")
    before = count_models(client)
    calls = [
        lambda: client.get_registered_model(name),
        lambda: client.update_registered_model(name, description="x"),
        lambda: client.rename_registered_model(name, name + "-new"),
        lambda: client.delete_registered_model(name),
        lambda: client.set_registered_model_tag(name, "k", "v"),
        lambda: client.set_registered_model_alias(name, "champion", "1"),
        lambda: client.get_model_version_by_alias(name, "champion"),
        lambda: client.get_latest_versions(name),
        lambda: client.create_model_version(name, "runs:/" + "f" * 32 + "/model", run_id="f" * 32),
    ]
    for call in calls:
        with raises("RESOURCE_DOES_NOT_EXIST") as e:
            call()
        assert name in str(e.value)
    assert count_models(client) == before
    assert client.search_registered_models(f"name LIKE '{name}%'") == []


def test_unknown_model_version(client, rm):
    before = snapshot(client, rm)
    calls = [
        lambda: client.get_model_version(rm, "3"),
        lambda: client.update_model_version(rm, "3", description="x"),
        lambda: client.delete_model_version(rm, "3"),
        lambda: client.transition_model_version_stage(rm, "3", "Staging"),
        lambda: client.set_model_version_tag(rm, "3", "k", "v"),
        lambda: client.get_model_version_download_uri(rm, "3"),
        lambda: client.set_registered_model_alias(rm, "champion", "3"),  # alias on a missing version
    ]
    for call in calls:
        with raises("RESOURCE_DOES_NOT_EXIST"):
            call()
    assert snapshot(client, rm) == before


@pytest.mark.parametrize("alias", ["latest", "LATEST", "v1", "V12", "with space", "a.b", "x/y"])
def test_invalid_alias_names_are_refused(client, rm, alias):
    with raises("INVALID_PARAMETER_VALUE"):
        client.set_registered_model_alias(rm, alias, "1")
    assert client.get_registered_model(rm).aliases == {}
    assert client.get_model_version(rm, "1").aliases == []


def test_missing_alias(client, rm):
    client.set_registered_model_alias(rm, "champion", "1")
    with raises("INVALID_PARAMETER_VALUE") as e:  # MLflow answers 400, not 404
        client.get_model_version_by_alias(rm, "challenger")
    assert "challenger" in str(e.value)
    # deleting an alias or a tag that is not there is a silent no-op in MLflow's registry
    client.delete_registered_model_alias(rm, "challenger")
    client.delete_registered_model_tag(rm, "never-set")
    client.delete_model_version_tag(rm, "1", "never-set")
    assert client.get_registered_model(rm).aliases == {"champion": "1"}
    assert client.get_registered_model(rm).tags == {"t": "1"}


def test_invalid_stage(client, rm):
    before = snapshot(client, rm)
    for stage in ("Bogus", "Deleted_Internal", "prod"):
        with raises("INVALID_PARAMETER_VALUE") as e:
            client.transition_model_version_stage(rm, "1", stage)
        assert stage in str(e.value)
    with raises("INVALID_PARAMETER_VALUE"):
        client.get_latest_versions(rm, stages=["bogus"])
    assert snapshot(client, rm) == before


@pytest.mark.mlflow_differs(reason="Cairn keeps at most one Production version")
def test_second_production_version_without_archiving_is_refused(client, rm):
    client.transition_model_version_stage(rm, "1", "Production")
    before = snapshot(client, rm)
    with raises("RESOURCE_CONFLICT") as e:
        client.transition_model_version_stage(rm, "2", "Production", archive_existing_versions=False)
    assert e.value.get_http_status_code() == 409
    assert snapshot(client, rm) == before
    assert [v.version for v in client.get_latest_versions(rm, ["Production"])] == ["1"]
    # archiving the current one is the way to promote
    client.transition_model_version_stage(rm, "2", "Production", archive_existing_versions=True)
    stages = {v.version: v.current_stage for v in client.search_model_versions(f"name = '{rm}'")}
    assert stages == {"1": "Archived", "2": "Production"}


@pytest.mark.parametrize("bad_filter", ["name >> 'x'", "foo = 'x'", "name = 'a' OR name = 'b'",
                                        "tags.k > 'x'", "name = 'unterminated", "tags.k = 1"])
def test_search_bad_filter(client, bad_filter):
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(bad_filter)
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_model_versions(bad_filter)


def test_search_bad_order_by_and_paging(client):
    for order in (["foo"], ["name SIDEWAYS"], ["creation_timestamp"]):
        with raises("INVALID_PARAMETER_VALUE"):
            client.search_registered_models(order_by=order)
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_model_versions(order_by=["foo DESC"])
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(max_results=1001)
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_registered_models(page_token="garbage!!")
    with raises("INVALID_PARAMETER_VALUE"):
        client.search_model_versions(page_token="garbage!!")


# ---------------------------------------------------------------------------------------------
# raw HTTP
# ---------------------------------------------------------------------------------------------


def test_create_registered_model_bad_names(api, client):
    before = count_models(client)
    p = unique("bad")
    cases = [({"name": ""}, "name"), ({}, "name"), ({"name": 123}, "name"),
             ({"name": f"{p}/x"}, "/"), ({"name": f"{p}:x"}, ":"),
             ({"name": f"{p}-tags", "tags": [{"key": "bad$key", "value": "v"}]}, "bad$key")]
    for payload, mentioned in cases:
        r = api.post(f"{M}/registered-models/create", json=payload)
        body = assert_json_error(r, 400)
        assert mentioned in body["message"], (payload, body)
    assert count_models(client) == before
    assert client.search_registered_models(f"name LIKE '{p}%'") == []
    r = api.get(f"{M}/registered-models/get", params={"name": f"{p}/x"})
    assert_json_error(r, (400, 404), ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"))


def test_model_version_bad_version_numbers(api, client, rm):
    before = snapshot(client, rm)
    for version in ("abc", "1.5", "one"):
        for path in ("/model-versions/get", "/model-versions/get-download-uri"):
            r = api.get(M + path, params={"name": rm, "version": version})
            body = assert_json_error(r, 400)
            assert "version" in body["message"], body
        r = api.post(f"{M}/model-versions/transition-stage",
                     json={"name": rm, "version": version, "stage": "Staging",
                           "archive_existing_versions": False})
        assert "version" in assert_json_error(r, 400)["message"]
        r = api.post(f"{M}/registered-models/alias", json={"name": rm, "alias": "a", "version": version})
        assert "version" in assert_json_error(r, 400)["message"]
    r = api.get(f"{M}/model-versions/get", params={"name": rm})
    assert "version" in assert_json_error(r, 400)["message"]
    r = api.get(f"{M}/model-versions/get", params={"name": rm, "version": "99"})
    assert_json_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    assert snapshot(client, rm) == before


def test_transition_unknown_stage_raw(api, client, rm):
    before = snapshot(client, rm)
    for stage in ("Bogus", "", None):
        payload = {"name": rm, "version": "1", "archive_existing_versions": False}
        if stage is not None:
            payload["stage"] = stage
        r = api.post(f"{M}/model-versions/transition-stage", json=payload)
        assert "stage" in assert_json_error(r, 400)["message"].lower()
    r = api.post(f"{M}/registered-models/get-latest-versions", json={"name": rm, "stages": ["bogus"]})
    assert_json_error(r, 400)
    assert snapshot(client, rm) == before


def test_model_version_source_must_belong_to_the_run(api, client, rm):
    other_run = client.create_run(client.create_experiment(unique("rme"))).info.run_id
    my_run = client.get_model_version(rm, "1").run_id
    before = snapshot(client, rm)
    for payload in ({"name": rm, "source": f"runs:/{other_run}/model", "run_id": my_run},
                    {"name": rm, "source": "/etc"}):
        r = api.post(f"{M}/model-versions/create", json=payload)
        assert "source" in assert_json_error(r, 400)["message"]
    assert snapshot(client, rm) == before
