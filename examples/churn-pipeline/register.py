"""Registers the best variant and makes it the champion."""

import argparse
import json
from pathlib import Path

import mlflow
from mlflow import MlflowClient

parser = argparse.ArgumentParser()
parser.add_argument("--best", required=True)
parser.add_argument("--model-name", required=True)
args = parser.parse_args()

best = json.loads((Path(args.best) / "best.json").read_text())
version = mlflow.register_model(f"runs:/{best['run_id']}/model", args.model_name)
MlflowClient().set_registered_model_alias(args.model_name, "champion", version.version)
with mlflow.start_run():
    mlflow.log_params({"registered_version": version.version, "C": best["C"]})
    mlflow.log_metric("test_auc", best["test_auc"])
print(f"registered {args.model_name} version {version.version} (C={best['C']}, test AUC {best['test_auc']:.4f}) as @champion")
