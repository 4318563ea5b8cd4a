"""Generates a churn-like binary classification dataset and splits it into train and test CSVs."""

import argparse
from pathlib import Path

import mlflow
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--samples", type=int, required=True)
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--out", required=True)
args = parser.parse_args()

features, labels = make_classification(n_samples=args.samples, n_features=20, n_informative=8, n_redundant=4,
                                       weights=[0.8, 0.2], flip_y=0.03, random_state=args.seed)
frame = pd.DataFrame(features, columns=[f"f{i:02d}" for i in range(features.shape[1])])
frame["churned"] = labels
train, test = train_test_split(frame, test_size=0.25, random_state=args.seed, stratify=frame["churned"])
out = Path(args.out)
train.to_csv(out / "train.csv", index=False)
test.to_csv(out / "test.csv", index=False)

# MLFLOW_TRACKING_URI and MLFLOW_RUN_ID come from Cairn: this lands in the step's own run.
with mlflow.start_run():
    mlflow.log_params({"samples": args.samples, "seed": args.seed})
    mlflow.log_metrics({"train_rows": len(train), "test_rows": len(test), "churn_rate": float(frame["churned"].mean())})
print(f"wrote {len(train)} training and {len(test)} test rows to {out}")
