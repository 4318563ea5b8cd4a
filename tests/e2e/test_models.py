"""5. Log a real scikit-learn model and load it back through the server."""

from __future__ import annotations

from pathlib import Path

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression


@pytest.fixture
def trained():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] > 0).astype(int)
    model = LogisticRegression(max_iter=200).fit(X, y)
    return model, X, y


def test_sklearn_log_and_load(fluent, name, trained, tmp_path):
    model, X, _ = trained
    expected = model.predict(X)
    mlflow.set_experiment(name)
    with mlflow.start_run() as run:
        mlflow.log_param("C", model.C)
        mlflow.log_metric("train_acc", float((expected == trained[2]).mean()))
        info = mlflow.sklearn.log_model(model, name="model")
    run_id = run.info.run_id

    assert info.model_id and info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run_id

    # the logged model is a first-class entity linked to the run
    lm = fluent.get_logged_model(info.model_id)
    assert lm.name == "model"
    assert lm.source_run_id == run_id
    assert str(lm.status) in ("READY", "LoggedModelStatus.READY") or lm.status.name == "READY"
    assert lm.artifact_location.startswith("mlflow-artifacts:/")
    r = fluent.get_run(run_id)
    assert [o.model_id for o in r.outputs.model_outputs] == [info.model_id]

    by_run = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    np.testing.assert_array_equal(by_run.predict(X), expected)

    by_id = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
    np.testing.assert_array_equal(by_id.predict(X), expected)

    native = mlflow.sklearn.load_model(info.model_uri)
    np.testing.assert_array_equal(native.predict_proba(X), model.predict_proba(X))

    # the model files are downloadable like any artifact
    local = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(tmp_path))
    names = {p.name for p in Path(local).iterdir()}
    assert {"MLmodel", "requirements.txt"} <= names
    assert any(n.startswith("model.") for n in names), names  # model.skops / model.pkl


def test_search_logged_models(fluent, name, trained):
    model, X, _ = trained
    exp = mlflow.set_experiment(name)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="clf")
    found = fluent.search_logged_models(experiment_ids=[exp.experiment_id])
    assert [m.model_id for m in found] == [info.model_id]
    found = mlflow.search_logged_models(experiment_ids=[exp.experiment_id],
                                        filter_string="name = 'clf'", output_format="list")
    assert [m.model_id for m in found] == [info.model_id]
