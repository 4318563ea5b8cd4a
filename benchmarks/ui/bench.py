#!/usr/bin/env python3
"""Web UI benchmark: how long one server takes to answer for the UI's two heavy pages.

Usage: bench.py TRACKING_URI [--label NAME] [--out FILE.json] [--quick]

Seeds, through the stock MLflow client, an experiment of 10,000 runs (metric `acc`, two params, a
tag) and a run whose metric `loss` has 100,000 steps, then times, over loopback, what each
server's UI needs from the server to show:

- the experiment's runs, 100 of them sorted by `acc`:
  Cairn renders the whole HTML page (`GET /experiments/<id>?order=…`);
  MLflow's single-page UI asks `POST /ajax-api/2.0/mlflow/runs/search` (100 runs, same order) and
  draws the table in the browser.
- the run page with the 100,000-step chart:
  Cairn renders the whole HTML page with the downsampled SVG (`GET /runs/<id>`);
  MLflow's UI asks `GET /ajax-api/2.0/mlflow/metrics/get-history-bulk-interval` for 320 sampled
  points (its charts' default) and draws in the browser.

MLflow's figures are its server's part only (the browser's JavaScript work comes on top), so the
page rows favour MLflow. The `api` rows send the identical MLflow request to both servers. Every
answer is checked (row count and order, points returned, the chart drawn), so a fast wrong answer
fails instead of winning.
"""

from __future__ import annotations

import re
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import Result, Target, bench_main, check, latency_results, time_calls  # noqa: E402

RUNS_PAGE_TARGET = Target("value", "<=", 100)  # ms, Cairn's server time for the 10,000-run page
CHART_PAGE_TARGET = Target("value", "<=", 200)  # ms, for the 100,000-point chart
ORDER = "metrics.`acc` DESC"
UI_SAMPLED_POINTS = 320  # what MLflow's run charts request


@dataclass(frozen=True)
class Config:
    runs: int = 10_000
    curve_steps: int = 100_000
    seed_processes: int = 4
    seed_threads: int = 4
    # Stock MLflow takes seconds per sorted search over 10,000 runs; 10 timed calls keep its
    # side of the run to a few minutes.
    warmup_calls: int = 1
    calls: int = 10
    page_size: int = 100


QUICK = Config(runs=500, curve_steps=10_000, warmup_calls=1, calls=5)


def acc(index: int, runs: int) -> float:
    """A distinct accuracy per run (a permutation), so the sorted order is known."""
    return (index * 7919 % runs) / runs


def seed_runs(uri: str, experiment_id: str, indices: list[int], runs: int, threads: int) -> None:
    client = MlflowClient(tracking_uri=uri)

    def make(index: int) -> None:
        run = client.create_run(experiment_id, run_name=f"run-{index:05d}", tags={"team": ("nlp", "vision")[index % 2]})
        client.log_batch(run.info.run_id, metrics=[Metric("acc", acc(index, runs), 1_700_000_000_000, 0)],
                         params=[Param("lr", str(0.001 * (index % 10 + 1))), Param("depth", str(index % 7))])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(make, indices))


def seed(uri: str, cfg: Config, log) -> tuple[str, str]:
    client = MlflowClient(tracking_uri=uri)
    experiment_id = client.create_experiment(f"ui-bench-{uuid.uuid4().hex[:8]}")
    log(f"seeding {cfg.runs:,} runs")
    parts = [list(range(start, cfg.runs, cfg.seed_processes)) for start in range(cfg.seed_processes)]
    with ProcessPoolExecutor(max_workers=cfg.seed_processes) as pool:
        list(pool.map(seed_runs, [uri] * len(parts), [experiment_id] * len(parts), parts,
                      [cfg.runs] * len(parts), [cfg.seed_threads] * len(parts)))
    log(f"seeding a {cfg.curve_steps:,}-step metric")
    curve = client.create_run(experiment_id, run_name="long-curve").info.run_id
    for start in range(0, cfg.curve_steps, 1000):
        client.log_batch(curve, metrics=[Metric("loss", 1.0 / (step + 1), 1_700_000_000_000 + step, step)
                                         for step in range(start, start + 1000)])
    client.set_terminated(curve)
    return experiment_id, curve


def run(args, log):
    cfg = QUICK if args.quick else Config()
    uri = args.tracking_uri
    experiment_id, curve = seed(uri, cfg, log)
    http = requests.Session()
    best = f"{(cfg.runs - 1) / cfg.runs:g}"  # acc is a permutation, so its maximum is there
    search_body = {"experiment_ids": [experiment_id], "max_results": cfg.page_size, "order_by": [ORDER], "run_view_type": "ACTIVE_ONLY"}
    bulk_params = {"run_ids": curve, "metric_key": "loss", "max_results": UI_SAMPLED_POINTS}

    def api_search(_: int) -> None:
        response = http.post(f"{uri}/ajax-api/2.0/mlflow/runs/search", json=search_body)
        response.raise_for_status()
        runs = response.json()["runs"]
        check(len(runs) == cfg.page_size, f"runs/search returned {len(runs)} runs")
        values = [next(m["value"] for m in r["data"]["metrics"] if m["key"] == "acc") for r in runs]
        check(values == sorted(values, reverse=True) and f"{values[0]:g}" == best, "runs/search order")

    def api_bulk(_: int) -> None:
        response = http.get(f"{uri}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval", params=bulk_params)
        response.raise_for_status()
        points = response.json()["metrics"]
        check(len(points) == UI_SAMPLED_POINTS and points[-1]["step"] == cfg.curve_steps - 1, f"{len(points)} sampled points")

    def cairn_runs_page(_: int) -> None:
        response = http.get(f"{uri}/experiments/{experiment_id}", params={"order": ORDER})
        response.raise_for_status()
        rows = re.findall(r'<tr data-run-id="', response.text)
        check(len(rows) == cfg.page_size, f"runs page has {len(rows)} rows")
        first = re.search(r'<td class="num">([^<]*)</td>', response.text)
        check(first is not None and first.group(1) == best, "runs page order")

    def cairn_chart_page(_: int) -> None:
        response = http.get(f"{uri}/runs/{curve}")
        response.raise_for_status()
        check(f"loss ({cfg.curve_steps} points)" in response.text and "<polyline" in response.text, "run page chart")

    is_cairn = args.label == "cairn"
    measured = [
        ("runs_page", f"runs page: 100 of {cfg.runs:,} runs sorted by a metric", cairn_runs_page if is_cairn else api_search, RUNS_PAGE_TARGET),
        ("chart_page", f"run page: {cfg.curve_steps:,}-step metric chart", cairn_chart_page if is_cairn else api_bulk, CHART_PAGE_TARGET),
        ("api_runs_search", "api: runs/search, 100 sorted by a metric", api_search, None),
        ("api_bulk_interval", f"api: get-history-bulk-interval, {UI_SAMPLED_POINTS} points", api_bulk, None),
    ]
    results: list[Result] = []
    for key, label, call, target in measured:
        time_calls(call, cfg.warmup_calls)
        samples = time_calls(call, cfg.calls)
        results += latency_results(key, label, samples, target=target)
        log(f"{label}: p50 {sorted(samples)[len(samples) // 2]:.1f} ms")
    return cfg, results


if __name__ == "__main__":
    sys.exit(bench_main(__doc__, run))
