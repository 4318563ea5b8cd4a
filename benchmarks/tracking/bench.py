#!/usr/bin/env python3
"""Tracking-API benchmark: drives one tracking server through the stock MLflow client.

Usage: bench.py TRACKING_URI [--label NAME] [--out FILE.json] [--quick]

The same workload is run unchanged against `mlflow server` and `cairn server`
(see run.sh); only the URI differs. Every measurement also checks the answer it
got back, so a fast but wrong server fails the benchmark instead of winning it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import Result, bench_main, check, latency_results, now_ms, time_calls  # noqa: E402

SEARCH_FILTER = "metrics.acc > 0.5 and params.model = 'rf'"
SEARCH_ORDER_BY = ["metrics.acc DESC"]
MODELS = ("rf", "lr", "xgb")
TEAMS = ("vision", "nlp")


@dataclass(frozen=True)
class Config:
    warmup_calls: int = 10
    create_runs: int = 200
    log_metric_calls: int = 1000
    batch_calls: int = 20
    batch_size: int = 1000  # MLflow's per-request maximum for metrics
    batch_keys: int = 10
    history_points: int = 5000
    history_calls: int = 20
    search_runs: int = 1000
    search_calls: int = 20
    search_max_results: int = 100
    page_size: int = 100
    page_passes: int = 3
    seed_workers: int = 4
    seed: int = 42


QUICK = Config(
    warmup_calls=3,
    create_runs=20,
    log_metric_calls=50,
    batch_calls=3,
    history_points=2000,
    history_calls=3,
    search_runs=150,
    search_calls=3,
    page_passes=1,
)


# ---------------------------------------------------------------- helpers


def new_experiment(client: MlflowClient, name: str) -> str:
    return client.create_experiment(f"bench-{name}-{time.time_ns()}")


def new_run(client: MlflowClient, experiment_id: str) -> str:
    return client.create_run(experiment_id).info.run_id


def metric_points(key_count: int, first_step: int, count: int) -> list[Metric]:
    """`count` points spread round-robin over `key_count` keys, steps from first_step."""
    ts = now_ms()
    return [
        Metric(f"m{i % key_count}", float(i), ts, first_step + i // key_count)
        for i in range(count)
    ]


def log_points(client: MlflowClient, run_id: str, key: str, total: int, batch_size: int) -> None:
    """Log `total` points of one metric (steps 0..total-1) in maximal batches."""
    ts = now_ms()
    for first in range(0, total, batch_size):
        steps = range(first, min(first + batch_size, total))
        client.log_batch(run_id, metrics=[Metric(key, s * 0.001, ts, s) for s in steps])


def page_all(client: MlflowClient, experiment_id: str, page_size: int) -> int:
    """Follow page tokens through every run in the experiment; return the run count."""
    seen, token = 0, None
    while True:
        page = client.search_runs([experiment_id], max_results=page_size, page_token=token)
        seen += len(page)
        token = page.token
        if not token:
            return seen


class RawHttp:
    """The same requests the client sends, as plain HTTP: what the server itself costs, without the
    client's conversion of JSON into entity objects (about 100 ms for a 5,000-point history,
    whichever server answered), which caps the ratio any server can reach through the client."""

    def __init__(self, tracking_uri: str):
        self.base = tracking_uri.rstrip("/") + "/api/2.0/mlflow"
        self.session = requests.Session()

    def get(self, path: str, params: dict) -> dict:
        response = self.session.get(self.base + path, params=params, timeout=120)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = self.session.post(self.base + path, json=body, timeout=120)
        response.raise_for_status()
        return response.json()

    def search(self, experiment_id: str, **fields) -> dict:
        return self.post("/runs/search", {"experiment_ids": [experiment_id], "run_view_type": "ACTIVE_ONLY", **fields})


# ---------------------------------------------------------------- workload


def warm_up(client: MlflowClient, cfg: Config) -> None:
    """Touch every endpoint the measurements use, so none pays first-call costs."""
    exp = new_experiment(client, "warmup")
    run_id = new_run(client, exp)
    for i in range(cfg.warmup_calls):
        new_run(client, exp)
        client.log_metric(run_id, "w", float(i), step=i)
        client.log_batch(run_id, metrics=metric_points(2, i * 10, 20), params=[Param(f"p{i}", "v")])
        client.get_metric_history(run_id, "w")
        client.search_runs([exp], SEARCH_FILTER, order_by=SEARCH_ORDER_BY, max_results=10)


def bench_create_run(client: MlflowClient, cfg: Config) -> list[Result]:
    exp = new_experiment(client, "create-run")
    samples = time_calls(lambda _: new_run(client, exp), cfg.create_runs)
    return latency_results("create_run", f"create_run ({cfg.create_runs} runs)", samples)


def bench_log_metric(client: MlflowClient, cfg: Config) -> list[Result]:
    run_id = new_run(client, new_experiment(client, "log-metric"))
    samples = time_calls(
        lambda i: client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i), cfg.log_metric_calls
    )
    history = client.get_metric_history(run_id, "loss")
    check(len(history) == cfg.log_metric_calls, f"log_metric kept {len(history)} points")
    return latency_results("log_metric", f"log_metric ({cfg.log_metric_calls} calls)", samples)


def bench_log_metric_http(http: RawHttp, client: MlflowClient, cfg: Config) -> list[Result]:
    run_id = new_run(client, new_experiment(client, "log-metric-http"))
    samples = time_calls(
        lambda i: http.post("/runs/log-metric", {"run_id": run_id, "key": "loss", "value": 1.0 / (i + 1),
                                                 "timestamp": now_ms(), "step": i}),
        cfg.log_metric_calls,
    )
    check(len(client.get_metric_history(run_id, "loss")) == cfg.log_metric_calls, "log-metric lost points")
    return latency_results("http_log_metric", f"[HTTP] log-metric ({cfg.log_metric_calls} calls)", samples)


def bench_http_floor(http: RawHttp, cfg: Config) -> list[Result]:
    """A POST that the server answers at once (an unknown route, 404): the cost of the HTTP client
    and the loopback alone, which no server can go below."""
    def post(_: int) -> None:
        response = http.session.post(http.base + "/no-such-endpoint", json={"run_id": "x"}, timeout=30)
        check(response.status_code == 404, f"unknown route answered {response.status_code}")

    return latency_results("http_floor", f"[HTTP] floor: POST answered at once ({cfg.log_metric_calls} calls)",
                           time_calls(post, cfg.log_metric_calls))


def bench_log_batch(client: MlflowClient, cfg: Config) -> list[Result]:
    run_id = new_run(client, new_experiment(client, "log-batch"))
    steps_per_call = cfg.batch_size // cfg.batch_keys
    batches = [
        metric_points(cfg.batch_keys, i * steps_per_call, cfg.batch_size)
        for i in range(cfg.batch_calls)
    ]  # built up front so client-side object construction is not timed
    samples = time_calls(lambda i: client.log_batch(run_id, metrics=batches[i]), cfg.batch_calls)
    points = cfg.batch_calls * cfg.batch_size
    history = client.get_metric_history(run_id, "m0")
    check(len(history) == points // cfg.batch_keys, f"log_batch kept {len(history)} points of m0")
    rate = points / (sum(samples) / 1000.0)
    label = f"log_batch {cfg.batch_size} metrics/call ({cfg.batch_calls} calls)"
    return [Result("log_batch_points_per_s", label, round(rate, 2), "points/s", "higher")]


def bench_log_batch_http(http: RawHttp, client: MlflowClient, cfg: Config) -> list[Result]:
    run_id = new_run(client, new_experiment(client, "log-batch-http"))
    steps_per_call = cfg.batch_size // cfg.batch_keys
    bodies = [
        {"run_id": run_id, "metrics": [
            {"key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step}
            for m in metric_points(cfg.batch_keys, i * steps_per_call, cfg.batch_size)
        ]}
        for i in range(cfg.batch_calls)
    ]
    samples = time_calls(lambda i: http.post("/runs/log-batch", bodies[i]), cfg.batch_calls)
    points = cfg.batch_calls * cfg.batch_size
    history = client.get_metric_history(run_id, "m0")
    check(len(history) == points // cfg.batch_keys, f"log-batch kept {len(history)} points of m0")
    rate = points / (sum(samples) / 1000.0)
    label = f"[HTTP] log-batch {cfg.batch_size} metrics/call ({cfg.batch_calls} calls)"
    return [Result("http_log_batch_points_per_s", label, round(rate, 2), "points/s", "higher")]


def bench_metric_history(client: MlflowClient, http: RawHttp, cfg: Config) -> list[Result]:
    run_id = new_run(client, new_experiment(client, "history"))
    log_points(client, run_id, "curve", cfg.history_points, cfg.batch_size)

    def fetch(_: int) -> None:
        n = len(client.get_metric_history(run_id, "curve"))
        check(n == cfg.history_points, f"get_metric_history returned {n} points")

    def fetch_http(_: int) -> None:
        body = http.get("/metrics/get-history", {"run_id": run_id, "metric_key": "curve", "max_results": 25000})
        check(len(body.get("metrics", [])) == cfg.history_points, "get-history returned a wrong number of points")

    label = f"get_metric_history {cfg.history_points} points ({cfg.history_calls} calls)"
    return latency_results("metric_history", label, time_calls(fetch, cfg.history_calls), pcts=(50,)) + \
        latency_results("http_metric_history", "[HTTP] " + label, time_calls(fetch_http, cfg.history_calls), pcts=(50,))


@dataclass(frozen=True)
class SeededRun:
    model: str
    acc: float


def seed_runs(client: MlflowClient, cfg: Config) -> tuple[str, list[SeededRun]]:
    """Create cfg.search_runs runs, each with 2 params, 2 metrics and 2 tags.

    Seeding is not timed; it runs on a few threads so it stays short on slow servers.
    """
    exp = new_experiment(client, "search")
    rng = random.Random(cfg.seed)
    runs = [SeededRun(rng.choice(MODELS), round(rng.random(), 6)) for _ in range(cfg.search_runs)]

    def seed(i: int) -> None:
        run = runs[i]
        run_id = client.create_run(
            exp, tags={"team": TEAMS[i % len(TEAMS)], "seq": str(i)}
        ).info.run_id
        ts = now_ms()
        client.log_batch(
            run_id,
            metrics=[Metric("acc", run.acc, ts, 0), Metric("loss", 1.0 - run.acc, ts, 0)],
            params=[Param("model", run.model), Param("lr", str(0.001 * (1 + i % 10)))],
        )

    with ThreadPoolExecutor(cfg.seed_workers) as pool:
        list(pool.map(seed, range(cfg.search_runs)))
    return exp, runs


def bench_search(client: MlflowClient, http: RawHttp, cfg: Config, exp: str, runs: list[SeededRun]) -> list[Result]:
    matching = sorted((r.acc for r in runs if r.acc > 0.5 and r.model == "rf"), reverse=True)
    expected = matching[: cfg.search_max_results]

    def search(_: int) -> None:
        found = client.search_runs(
            [exp], SEARCH_FILTER, order_by=SEARCH_ORDER_BY, max_results=cfg.search_max_results
        )
        got = [r.data.metrics["acc"] for r in found]
        check(got == expected, f"filtered search returned {len(got)} runs, expected {len(expected)} in order")

    def search_http(_: int) -> None:
        body = http.search(exp, filter=SEARCH_FILTER, order_by=SEARCH_ORDER_BY, max_results=cfg.search_max_results)
        got = [next(m["value"] for m in r["data"]["metrics"] if m["key"] == "acc") for r in body.get("runs", [])]
        check(got == expected, f"filtered runs/search returned {len(got)} runs, expected {len(expected)} in order")

    label = (
        f"search_runs filter+order_by over {cfg.search_runs} runs, "
        f"max_results={cfg.search_max_results} ({cfg.search_calls} calls)"
    )
    return latency_results("search_filtered", label, time_calls(search, cfg.search_calls), pcts=(50,)) + \
        latency_results("http_search_filtered", "[HTTP] " + label, time_calls(search_http, cfg.search_calls), pcts=(50,))


def bench_paging(client: MlflowClient, http: RawHttp, cfg: Config, exp: str) -> list[Result]:
    def one_pass(_: int) -> None:
        n = page_all(client, exp, cfg.page_size)
        check(n == cfg.search_runs, f"paging saw {n} runs, expected {cfg.search_runs}")

    def one_pass_http(_: int) -> None:
        seen, token = set(), None
        while True:
            body = http.search(exp, max_results=cfg.page_size, **({"page_token": token} if token else {}))
            seen.update(r["info"]["run_id"] for r in body.get("runs", []))
            token = body.get("next_page_token")
            if not token:
                break
        check(len(seen) == cfg.search_runs, f"runs/search paging saw {len(seen)} runs, expected {cfg.search_runs}")

    label = (
        f"page through {cfg.search_runs} runs, max_results={cfg.page_size} "
        f"(total; p50 of {cfg.page_passes} passes)"
    )
    return [
        Result("paging_total_ms", label, round(statistics.median(time_calls(one_pass, cfg.page_passes)), 2), "ms", "lower"),
        Result("http_paging_total_ms", "[HTTP] " + label,
               round(statistics.median(time_calls(one_pass_http, cfg.page_passes)), 2), "ms", "lower"),
    ]


def run_all(client: MlflowClient, http: RawHttp, cfg: Config, log: Callable[[str], None]) -> list[Result]:
    steps: list[tuple[str, Callable[[], list[Result]]]] = [
        ("create_run", lambda: bench_create_run(client, cfg)),
        ("log_metric", lambda: bench_log_metric(client, cfg)),
        ("log_metric over HTTP", lambda: bench_log_metric_http(http, client, cfg)),
        ("HTTP floor", lambda: bench_http_floor(http, cfg)),
        ("log_batch", lambda: bench_log_batch(client, cfg)),
        ("log_batch over HTTP", lambda: bench_log_batch_http(http, client, cfg)),
        ("get_metric_history", lambda: bench_metric_history(client, http, cfg)),
    ]
    results: list[Result] = []
    log("warm-up")
    warm_up(client, cfg)
    for name, step in steps:
        log(name)
        results += step()
    log(f"seeding {cfg.search_runs} runs (untimed)")
    exp, runs = seed_runs(client, cfg)
    log("search_runs (filtered)")
    results += bench_search(client, http, cfg, exp, runs)
    log("search_runs (paging)")
    results += bench_paging(client, http, cfg, exp)
    return results


# ---------------------------------------------------------------- entry point


def run(args: argparse.Namespace, log: Callable[[str], None]) -> tuple[Config, list[Result]]:
    cfg = QUICK if args.quick else Config()
    return cfg, run_all(MlflowClient(tracking_uri=args.tracking_uri), RawHttp(args.tracking_uri), cfg, log)


if __name__ == "__main__":
    sys.exit(bench_main(__doc__, run))
