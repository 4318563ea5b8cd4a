"""Drift benchmark: 20 features (15 numerical, 5 categorical), reference and current of the same
size, four features shifted in the current data. `cairn drift` reads the two CSV files and tests
every column (its time includes parsing the CSV; the median of three runs); Evidently's DataDriftPreset (legacy Report API,
the same default tests) runs on the same data already in pandas (reading excluded). Prints both
times, the ratio, and each column's verdict from both.

Run through run.sh, which provides Evidently's venv and the cairn binary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

NUMERICAL = [f"num_{i}" for i in range(15)]
CATEGORICAL = [f"cat_{i}" for i in range(5)]
SHIFTED = {"num_0", "num_7", "num_12", "cat_3"}


def frames(rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)

    def make(shift: bool) -> pd.DataFrame:
        data = {}
        for index, name in enumerate(NUMERICAL):
            values = rng.normal(loc=index % 3, scale=1 + index % 4, size=rows)
            data[name] = values + (0.5 * (1 + index % 4) if shift and name in SHIFTED else 0)
        for index, name in enumerate(CATEGORICAL):
            categories = [f"c{k}" for k in range(3 + index)]
            weights = np.linspace(1, 2, len(categories))
            if shift and name in SHIFTED:
                weights = weights[::-1] ** 2
            data[name] = rng.choice(categories, size=rows, p=weights / weights.sum())
        return pd.DataFrame(data)

    return make(False), make(True)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def evidently_verdicts(reference: pd.DataFrame, current: pd.DataFrame) -> tuple[dict, float]:
    from evidently.legacy.metric_preset import DataDriftPreset
    from evidently.legacy.pipeline.column_mapping import ColumnMapping
    from evidently.legacy.report import Report

    report = Report(metrics=[DataDriftPreset()])
    started = time.perf_counter()
    report.run(reference_data=reference, current_data=current,
               column_mapping=ColumnMapping(numerical_features=NUMERICAL, categorical_features=CATEGORICAL, target=None, prediction=None))
    result = report.as_dict()
    seconds = time.perf_counter() - started
    table = next(metric["result"] for metric in result["metrics"] if "drift_by_columns" in metric["result"])
    return {name: (column["stattest_name"], column["drift_score"], column["drift_detected"]) for name, column in table["drift_by_columns"].items()}, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args()

    reference, current = frames(args.rows)
    reference.to_csv(args.work / "reference.csv", index=False)
    current.to_csv(args.work / "current.csv", index=False)
    # Both tools are timed after the files are on disk: the kernel writing 600 MB back would
    # otherwise take CPU from whichever runs first.
    os.sync()
    log(f"{args.rows:,} rows × {len(reference.columns)} columns written")

    # Cairn runs three times and the median counts (Evidently, at over a minute, runs once).
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        answer = subprocess.run([args.cairn, "drift", "--reference", str(args.work / "reference.csv"), "--current", str(args.work / "current.csv"), "--json"],
                                capture_output=True, text=True, check=True)
        runs.append(time.perf_counter() - started)
    cairn_seconds = sorted(runs)[1]
    cairn = {column["column"]: (column["test"], column["score"], column["drift_detected"]) for column in json.loads(answer.stdout)["columns"]}
    log(f"cairn drift: {cairn_seconds:.2f} s, the median of {', '.join(f'{run:.2f}' for run in runs)} (whole process, CSV parsing included)")

    evidently, evidently_seconds = evidently_verdicts(reference, current)
    log(f"Evidently DataDriftPreset: {evidently_seconds:.2f} s (report run, data already in pandas)")

    lines = ["| column | Cairn test | Cairn score | Cairn drift | Evidently test | Evidently score | Evidently drift |", "|---|---|---:|---|---|---:|---|"]
    agree = True
    for name in NUMERICAL + CATEGORICAL:
        ours, theirs = cairn[name], evidently[name]
        agree &= ours[2] == theirs[2]
        lines.append(f"| {name} | {ours[0]} | {ours[1]:.6g} | {ours[2]} | {theirs[0]} | {theirs[1]:.6g} | {theirs[2]} |")
    summary = (f"- {args.rows:,} rows × 20 columns: cairn drift {cairn_seconds:.2f} s (median of 3 runs), Evidently {evidently_seconds:.2f} s: "
               f"{evidently_seconds / cairn_seconds:.1f}× (target ≥ 50×) {'✓' if evidently_seconds / cairn_seconds >= 50 else '✗'}\n"
               f"- every column's verdict agrees: {'yes ✓' if agree else 'no ✗'}; drifted: {sorted(n for n, v in cairn.items() if v[2])} "
               f"(shifted: {sorted(SHIFTED)})")
    rendered = "\n".join(lines) + "\n\n" + summary
    print(rendered)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"drift-{stamp}.md").write_text(rendered + "\n")


if __name__ == "__main__":
    main()
