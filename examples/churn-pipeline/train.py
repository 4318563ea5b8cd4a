"""Trains one variant (regularisation strength C) on the training split and logs it to MLflow."""

import argparse
import json
from pathlib import Path

import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--c", type=float, required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()

train = pd.read_csv(Path(args.data) / "train.csv")
features, labels = train.drop(columns="churned"), train["churned"]
model = make_pipeline(StandardScaler(), LogisticRegression(C=args.c, max_iter=2000))
cv_auc = float(cross_val_score(model, features, labels, cv=5, scoring="roc_auc").mean())
model.fit(features, labels)

with mlflow.start_run() as run:
    mlflow.log_param("C", args.c)
    mlflow.log_metrics({"cv_auc": cv_auc, "train_auc": float(roc_auc_score(labels, model.predict_proba(features)[:, 1]))})
    mlflow.sklearn.log_model(model, name="model", input_example=features.head(3), pip_requirements=["scikit-learn", "pandas"])
# What the evaluate step needs: which MLflow run holds this variant, and how it scored.
(Path(args.out) / "variant.json").write_text(json.dumps({"run_id": run.info.run_id, "C": args.c, "cv_auc": cv_auc}))
print(f"C={args.c}: cross-validated AUC {cv_auc:.4f}")
