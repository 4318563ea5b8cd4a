#!/usr/bin/env python3
"""Combine bench.py outputs into one comparison table (markdown) and one JSON file.

Usage: report.py --name NAME --out-dir DIR [--meta KEY=VALUE ...] [mlflow.json] [cairn.json]

Ratios are oriented so that > 1 means Cairn is better: baseline/cairn for
"lower is better" metrics (latencies), cairn/baseline for "higher is better"
ones (throughput). With only one input the ratio column is omitted. Rows that
carry a target get a target column: ✓ or ✗ says whether Cairn's figure (or its
ratio) meets it.
"""

from __future__ import annotations

import argparse
import json
import os
import time

BASELINE, CANDIDATE = "mlflow", "cairn"


def load(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def ratio(better: str, baseline: float, candidate: float) -> float | None:
    num, den = (baseline, candidate) if better == "lower" else (candidate, baseline)
    return round(num / den, 2) if den else None


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit in ("points/s", "MB/s"):
        return f"{value:,.0f}"
    if unit == "s":
        return f"{value:,.3f}"
    return f"{value:,.2f}"


def combine(runs: dict[str, dict]) -> list[dict]:
    """One row per metric key, in the order bench.py reported them."""
    rows: dict[str, dict] = {}
    for label, doc in runs.items():
        for r in doc["results"]:
            row = rows.setdefault(
                r["key"], {k: r.get(k) for k in ("key", "label", "unit", "better", "target")}
            )
            row[label] = r["value"]
    for row in rows.values():
        if BASELINE in row and CANDIDATE in row:
            row["ratio"] = ratio(row["better"], row[BASELINE], row[CANDIDATE])
    return list(rows.values())


def target_cell(row: dict) -> str:
    """e.g. "≥ 10× ✓", "≤ 1.00 s ✗"; no mark when the figure it needs is missing."""
    target = row.get("target")
    if not target:
        return ""
    op, bound = target["op"], target["bound"]
    if target["kind"] == "ratio":
        text, actual = f"{op.replace('>=', '≥').replace('<=', '≤')} {bound:g}×", row.get("ratio")
    else:
        text, actual = f"{op.replace('>=', '≥').replace('<=', '≤')} {bound:g} {row['unit']}", row.get(CANDIDATE)
    if actual is None:
        return text
    met = actual >= bound if op == ">=" else actual <= bound
    return f"{text} {'✓' if met else '✗'}"


def markdown(rows: list[dict], labels: list[str]) -> str:
    compare = labels == [BASELINE, CANDIDATE]
    targets = any(row.get("target") for row in rows)
    header = ["metric", *labels] + (["ratio (>1 = Cairn better)"] if compare else []) + (["target"] if targets else [])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"{row['label']} [{row['unit']}]"]
        cells += [fmt(row.get(label), row["unit"]) for label in labels]
        if compare:
            r = row.get("ratio")
            cells.append("—" if r is None else f"{r:.2f}×")
        if targets:
            cells.append(target_cell(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="benchmark name, the results files' prefix")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("inputs", nargs="+", help="bench.py JSON outputs")
    args = parser.parse_args()

    runs = {doc["label"]: doc for doc in map(load, args.inputs)}
    labels = [label for label in (BASELINE, CANDIDATE) if label in runs]
    rows = combine(runs)
    table = markdown(rows, labels)

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.makedirs(args.out_dir, exist_ok=True)
    base = os.path.join(args.out_dir, f"{args.name}-{stamp}")
    doc = {
        "created_utc": stamp,
        "meta": dict(kv.split("=", 1) for kv in args.meta),
        "servers": {label: {k: v for k, v in d.items() if k != "results"} for label, d in runs.items()},
        "rows": rows,
    }
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(base + ".md", "w") as f:
        f.write(table + "\n")

    print(table)
    print(f"\nresults: {base}.json  {base}.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
