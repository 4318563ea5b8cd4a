"""2. search_runs: every comparator, quoted keys, ordering, pagination, view types, pandas output."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType

from e2e_support import unique

# name -> (start_time, status, metrics, params, tags); status None = still RUNNING.
# Deliberately: some runs lack "acc" / "lr" / "team" (missing values), one acc tie (beta/epsilon),
# mixed-case strings for LIKE vs ILIKE, keys that need quoting.
RUNS = {
    "alpha":   (1000, "FINISHED", {"acc": 0.5, "loss": 2.0, "val acc": 0.4},
                {"model": "LogReg", "lr": "0.1"}, {"team": "Vision", "stage": "dev"}),
    "beta":    (2000, "FINISHED", {"acc": 0.7, "loss": 1.0},
                {"model": "logreg-v2", "lr": "0.01"}, {"team": "vision-x", "stage": "prod"}),
    "gamma":   (3000, "FAILED", {"acc": 0.9},
                {"model": "Tree"}, {"team": "nlp", "my.tag": "dotted"}),
    "delta":   (4000, None, {"loss": 3.0},
                {"model": "TREE-big"}, {"stage": "dev"}),
    "epsilon": (5000, "FINISHED", {"acc": 0.7, "loss": 0.5, "val acc": 0.6},
                {"model": "svm", "lr": "0.1"}, {"team": "Vision"}),
    "zeta":    (6000, "KILLED", {"acc": -1.0},
                {"my param": "x y"}, {"my tag": "with space"}),
}
DELETED = ("eta", 7000, {"acc": 0.7}, {"model": "Tree"}, {"team": "Vision"})
ACTIVE = set(RUNS)


@pytest.fixture(scope="module")
def corpus(server):
    """One experiment holding the runs above plus a deleted run ("eta")."""
    client = MlflowClient(tracking_uri=server.url)
    exp_name = unique("search")
    exp_id = client.create_experiment(exp_name)
    ids = {}
    now = int(time.time() * 1000)

    def make(run_name, start, metrics, params, tags):
        run = client.create_run(exp_id, start_time=start, run_name=run_name)
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric(k, v, now, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        ids[run_name] = rid
        return rid

    for run_name, (start, status, metrics, params, tags) in RUNS.items():
        rid = make(run_name, start, metrics, params, tags)
        if status:
            client.set_terminated(rid, status=status, end_time=start + 500)
    eta_name, eta_start, eta_metrics, eta_params, eta_tags = DELETED
    client.delete_run(make(eta_name, eta_start, eta_metrics, eta_params, eta_tags))
    return SimpleNamespace(client=client, exp_id=exp_id, exp_name=exp_name, ids=ids,
                           names={v: k for k, v in ids.items()})


def names(corpus, filter_string="", view=ViewType.ACTIVE_ONLY, order_by=None):
    runs = corpus.client.search_runs([corpus.exp_id], filter_string=filter_string,
                                     run_view_type=view, order_by=order_by)
    return [corpus.names[r.info.run_id] for r in runs]


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.acc = 0.7", {"beta", "epsilon"}),
        ("metrics.acc != 0.7", {"alpha", "gamma", "zeta"}),
        ("metrics.acc < 0.7", {"alpha", "zeta"}),
        ("metrics.acc <= 0.7", {"alpha", "beta", "epsilon", "zeta"}),
        ("metrics.acc > 0.7", {"gamma"}),
        ("metrics.acc >= 0.7", {"beta", "gamma", "epsilon"}),
        ("metrics.acc > -5", {"alpha", "beta", "gamma", "epsilon", "zeta"}),
        ("metrics.loss <= 1", {"beta", "epsilon"}),
        ("metric.loss >= 2.0", {"alpha", "delta"}),
        ("metrics.acc >= 7e-1", {"beta", "gamma", "epsilon"}),
    ],
)
def test_metric_comparators(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("params.model = 'Tree'", {"gamma"}),
        ("params.model = \"Tree\"", {"gamma"}),
        ("params.model != 'Tree'", {"alpha", "beta", "delta", "epsilon"}),
        ("params.model LIKE 'Log%'", {"alpha"}),
        ("params.model LIKE '%ree%'", {"gamma"}),
        ("params.model LIKE 'T_ee'", {"gamma"}),
        ("params.model ILIKE 'log%'", {"alpha", "beta"}),
        ("params.model ILIKE '%TREE%'", {"gamma", "delta"}),
        ("params.lr = '0.1'", {"alpha", "epsilon"}),
        ("param.lr != '0.1'", {"beta"}),
        ("params.model like 'Log%'", {"alpha"}),
        ("params.model ilike 'LOG%'", {"alpha", "beta"}),
    ],
)
def test_param_comparators(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("tags.team = 'Vision'", {"alpha", "epsilon"}),
        ("tags.team != 'Vision'", {"beta", "gamma"}),
        ("tags.team LIKE 'vision%'", {"beta"}),
        ("tags.team LIKE 'V%'", {"alpha", "epsilon"}),
        ("tags.team ILIKE 'vision%'", {"alpha", "beta", "epsilon"}),
        ("tag.stage = 'dev'", {"alpha", "delta"}),
        ("tags.mlflow.runName = 'gamma'", {"gamma"}),
    ],
)
def test_tag_comparators(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("attributes.status = 'FAILED'", {"gamma"}),
        ("attributes.status != 'FINISHED'", {"gamma", "delta", "zeta"}),
        ("status = 'RUNNING'", {"delta"}),
        ("attributes.run_name = 'beta'", {"beta"}),
        ("attributes.run_name LIKE 'e%'", {"epsilon"}),
        ("attributes.run_name ILIKE 'E%'", {"epsilon"}),
        ("attributes.run_name != 'beta'", ACTIVE - {"beta"}),
        ("attributes.start_time > 3000", {"delta", "epsilon", "zeta"}),
        ("attributes.start_time >= 3000", {"gamma", "delta", "epsilon", "zeta"}),
        ("attributes.start_time < 2000", {"alpha"}),
        ("attributes.start_time <= 2000", {"alpha", "beta"}),
        ("attributes.start_time = 4000", {"delta"}),
        ("attributes.start_time != 4000", ACTIVE - {"delta"}),
        ("attributes.end_time > 4000", {"epsilon", "zeta"}),
    ],
)
def test_attribute_comparators(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


def test_run_id_in_and_not_in(corpus):
    a, b = corpus.ids["alpha"], corpus.ids["beta"]
    assert set(names(corpus, f"attributes.run_id IN ('{a}', '{b}')")) == {"alpha", "beta"}
    assert set(names(corpus, f"attributes.run_id NOT IN ('{a}', '{b}')")) == ACTIVE - {"alpha", "beta"}
    assert set(names(corpus, f"attributes.run_id = '{a}'")) == {"alpha"}
    # the deleted run stays hidden even when named explicitly
    eta = corpus.ids["eta"]
    assert names(corpus, f"attributes.run_id IN ('{eta}')") == []


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.acc > 0.4 AND params.lr = '0.1' AND tags.team = 'Vision'", {"alpha", "epsilon"}),
        ("metrics.acc > 0.4 and params.lr = '0.1' and attributes.start_time > 1000", {"epsilon"}),
        ("params.model ILIKE '%tree%' AND attributes.status = 'FAILED'", {"gamma"}),
        ("tags.stage = 'dev' AND metrics.loss > 2.5", {"delta"}),
        ("metrics.acc >= 0.7 AND metrics.acc <= 0.7", {"beta", "epsilon"}),
        ("tags.team = 'Vision' AND tags.team = 'nlp'", set()),
    ],
)
def test_and_combinations(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.`val acc` > 0.5", {"epsilon"}),
        ("metrics.\"val acc\" < 0.5", {"alpha"}),
        ("params.`my param` = 'x y'", {"zeta"}),
        ("params.\"my param\" = 'x y'", {"zeta"}),
        ("tags.`my tag` = 'with space'", {"zeta"}),
        ("tags.`my.tag` = 'dotted'", {"gamma"}),
        ("tags.\"my.tag\" = 'dotted'", {"gamma"}),
        ("tags.`mlflow.runName` = 'alpha'", {"alpha"}),
        ("attributes.`run_name` = 'alpha'", {"alpha"}),
    ],
)
def test_quoted_keys(corpus, filter_string, expected):
    assert set(names(corpus, filter_string)) == expected


def test_filter_on_missing_key_matches_nothing(corpus):
    assert names(corpus, "metrics.nonexistent > 0") == []
    assert names(corpus, "params.nonexistent = 'x'") == []
    assert names(corpus, "tags.nonexistent != 'x'") == []


def test_default_order_is_start_time_desc(corpus):
    assert names(corpus) == ["zeta", "epsilon", "delta", "gamma", "beta", "alpha"]


def test_order_by_metric_missing_values_last(corpus):
    # ties (beta/epsilon at 0.7) are broken by start_time DESC
    assert names(corpus, order_by=["metrics.acc DESC"]) == [
        "gamma", "epsilon", "beta", "alpha", "zeta", "delta"]
    assert names(corpus, order_by=["metrics.acc ASC"]) == [
        "zeta", "alpha", "epsilon", "beta", "gamma", "delta"]
    assert names(corpus, order_by=["metrics.acc"]) == names(corpus, order_by=["metrics.acc ASC"])
    # loss: gamma and zeta lack it
    got = names(corpus, order_by=["metrics.loss DESC"])
    assert got[:4] == ["delta", "alpha", "beta", "epsilon"]
    assert set(got[4:]) == {"gamma", "zeta"}


def test_order_by_param_and_tag(corpus):
    got = names(corpus, order_by=["params.lr ASC"])
    assert got[:3] == ["beta", "epsilon", "alpha"]
    assert set(got[3:]) == {"gamma", "delta", "zeta"}
    got = names(corpus, order_by=["params.lr DESC"])
    assert got[:3] == ["epsilon", "alpha", "beta"]
    assert set(got[3:]) == {"gamma", "delta", "zeta"}
    got = names(corpus, order_by=["tags.stage ASC"])
    assert got[:3] == ["delta", "alpha", "beta"]
    assert set(got[3:]) == {"gamma", "epsilon", "zeta"}


def test_order_by_attributes(corpus):
    chronological = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    assert names(corpus, order_by=["attributes.start_time ASC"]) == chronological
    assert names(corpus, order_by=["attributes.start_time DESC"]) == chronological[::-1]
    assert names(corpus, order_by=["start_time"]) == chronological
    assert names(corpus, order_by=["attributes.run_name ASC"]) == sorted(chronological)
    assert names(corpus, order_by=["attributes.run_name DESC"]) == sorted(chronological)[::-1]
    # order + filter
    assert names(corpus, "metrics.acc >= 0.7", order_by=["attributes.start_time ASC"]) == [
        "beta", "gamma", "epsilon"]
    # multiple order keys
    assert names(corpus, order_by=["metrics.acc DESC", "attributes.start_time ASC"])[:3] == [
        "gamma", "beta", "epsilon"]


@pytest.mark.parametrize("order_by", [None, ["metrics.acc DESC"], ["params.model ASC"],
                                      ["attributes.start_time ASC"]])
@pytest.mark.parametrize("page_size", [1, 2, 4])
def test_pagination_collects_every_run_once(corpus, order_by, page_size):
    expected = names(corpus, order_by=order_by)
    collected, token, pages = [], None, 0
    while True:
        page = corpus.client.search_runs([corpus.exp_id], max_results=page_size,
                                         page_token=token, order_by=order_by)
        pages += 1
        assert len(page) <= page_size
        collected += [corpus.names[r.info.run_id] for r in page]
        token = page.token
        if not token:
            break
        assert pages < 50, "pagination does not terminate"
    assert collected == expected
    assert len(set(collected)) == len(collected) == len(RUNS)
    assert pages == math.ceil(len(RUNS) / page_size) or (
        # a server may return one extra empty page when the count divides evenly
        pages == len(RUNS) // page_size + 1 and len(RUNS) % page_size == 0
    )


def test_pagination_with_filter(corpus):
    collected, token = [], None
    while True:
        page = corpus.client.search_runs([corpus.exp_id], "params.model ILIKE '%e%'",
                                         max_results=1, page_token=token)
        collected += [corpus.names[r.info.run_id] for r in page]
        token = page.token
        if not token:
            break
    assert sorted(collected) == sorted({"alpha", "beta", "gamma", "delta"})


def test_run_view_types(corpus):
    assert set(names(corpus, view=ViewType.ACTIVE_ONLY)) == ACTIVE
    assert names(corpus, view=ViewType.DELETED_ONLY) == ["eta"]
    assert set(names(corpus, view=ViewType.ALL)) == ACTIVE | {"eta"}
    assert set(names(corpus, "metrics.acc = 0.7", view=ViewType.ALL)) == {"beta", "epsilon", "eta"}
    assert names(corpus, "metrics.acc = 0.7", view=ViewType.DELETED_ONLY) == ["eta"]


def test_search_returns_full_run_data(corpus):
    [run] = corpus.client.search_runs([corpus.exp_id], "attributes.run_name = 'alpha'")
    assert run.info.run_id == corpus.ids["alpha"]
    assert run.info.experiment_id == corpus.exp_id
    assert run.info.status == "FINISHED"
    assert run.info.start_time == 1000 and run.info.end_time == 1500
    assert run.data.metrics == {"acc": 0.5, "loss": 2.0, "val acc": 0.4}
    assert run.data.params == {"model": "LogReg", "lr": "0.1"}
    assert run.data.tags["team"] == "Vision"
    assert run.data.tags["mlflow.runName"] == "alpha"


def test_search_across_experiments(server):
    client = MlflowClient(tracking_uri=server.url)
    e1, e2, e3 = (client.create_experiment(unique("multi")) for _ in range(3))
    r1 = client.create_run(e1).info.run_id
    r2 = client.create_run(e2).info.run_id
    client.create_run(e3)
    got = {r.info.run_id for r in client.search_runs([e1, e2])}
    assert got == {r1, r2}


def test_pandas_search_runs(corpus, server):
    mlflow.set_tracking_uri(server.url)
    df = mlflow.search_runs(
        experiment_ids=[corpus.exp_id],
        filter_string="metrics.acc >= 0.7",
        order_by=["metrics.acc DESC", "attributes.start_time ASC"],
    )
    assert list(df["run_id"]) == [corpus.ids[n] for n in ("gamma", "beta", "epsilon")]
    assert list(df["metrics.acc"]) == [0.9, 0.7, 0.7]
    assert list(df["params.model"]) == ["Tree", "logreg-v2", "svm"]
    assert list(df["tags.team"]) == ["nlp", "vision-x", "Vision"]
    assert list(df["status"]) == ["FAILED", "FINISHED", "FINISHED"]
    assert list(df["experiment_id"]) == [corpus.exp_id] * 3
    for col in ("start_time", "end_time", "artifact_uri", "tags.mlflow.runName"):
        assert col in df.columns

    by_name = mlflow.search_runs(experiment_names=[corpus.exp_name])
    assert set(by_name["run_id"]) == {corpus.ids[n] for n in RUNS}
    deleted = mlflow.search_runs(experiment_ids=[corpus.exp_id], run_view_type=ViewType.DELETED_ONLY)
    assert list(deleted["run_id"]) == [corpus.ids["eta"]]
    empty = mlflow.search_runs(experiment_ids=[corpus.exp_id], filter_string="params.model = 'none'")
    assert len(empty) == 0
