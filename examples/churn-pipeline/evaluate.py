"""Scores every trained variant on the test split, picks the best, and compares it with the
registry's current champion (the `champion` alias), logging both AUCs for the register step's
condition."""

import argparse
import json
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.metrics import roc_auc_score

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--models", required=True)
parser.add_argument("--model-name", required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()

test = pd.read_csv(Path(args.data) / "test.csv")
features, labels = test.drop(columns="churned"), test["churned"]


def auc_of(model_uri: str) -> float:
    model = mlflow.sklearn.load_model(model_uri)
    return float(roc_auc_score(labels, model.predict_proba(features)[:, 1]))


scores = []
for variant_file in sorted(Path(args.models).glob("*/variant.json")):  # one folder per train item (fan-in)
    variant = json.loads(variant_file.read_text())
    scores.append((auc_of(f"runs:/{variant['run_id']}/model"), variant))
best_auc, best = max(scores, key=lambda pair: pair[0])

try:
    champion = MlflowClient().get_model_version_by_alias(args.model_name, "champion")
    champion_auc = auc_of(f"models:/{args.model_name}@champion")
    print(f"current champion: version {champion.version}, test AUC {champion_auc:.4f}")
except MlflowException:
    champion_auc = 0.0
    print("no champion yet")

with mlflow.start_run():
    for auc, variant in scores:
        mlflow.log_metric(f"auc_C_{variant['C']}", auc)
    mlflow.log_metrics({"auc": best_auc, "champion_auc": champion_auc})
    mlflow.log_param("best_C", best["C"])
(Path(args.out) / "best.json").write_text(json.dumps({**best, "test_auc": best_auc}))
print(f"best: C={best['C']} with test AUC {best_auc:.4f} (champion {champion_auc:.4f})")
