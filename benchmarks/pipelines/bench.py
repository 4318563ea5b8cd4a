#!/usr/bin/env python3
"""Pipeline orchestration overhead: what Cairn adds on top of running the step processes.

Usage: bench.py URI [--label NAME] [--out FILE.json] [--quick] [--parallelism N]

1. Raw: spawns the DAG's 500 no-op commands (`/bin/sh -c true`) from a pool of N threads, as fast
   as the machine allows; that is the floor any orchestrator pays.
2. Cairn: submits a 500-step DAG of the same commands (50 levels of 10 steps, each step needing
   one step of the level before, caching off) and waits for it to succeed. Every step is a real
   process with its own folder, log files, MLflow nested run and persisted state changes.
   Overhead per step = (Cairn wall time − raw wall time) / 500.
3. Trigger to first step: from just before the submit request to the moment the first step's
   process writes its timestamp, over repeated one-step pipelines.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import Result, Target, bench_main, check  # noqa: E402

OVERHEAD_TARGET = Target("value", "<=", 20)  # ms per step
FIRST_STEP_TARGET = Target("value", "<=", 100)  # ms


@dataclass(frozen=True)
class Config:
    levels: int = 50
    width: int = 10
    parallelism: int = 2
    passes: int = 3
    first_step_samples: int = 15


QUICK = Config(levels=10, width=5, passes=1, first_step_samples=3)


def dag_spec(cfg: Config) -> str:
    lines = [f"name: bench-dag-{uuid.uuid4().hex[:8]}", "steps:"]
    for level in range(cfg.levels):
        for column in range(cfg.width):
            lines.append(f"  s{level}_{column}:")
            lines.append("    command: 'true'")
            lines.append("    cache: false")
            lines.append("    resources: {cpu: 1, memory: 1Mi}")
            if level:
                lines.append(f"    needs: [s{level - 1}_{column}]")
    return "\n".join(lines) + "\n"


def raw_seconds(cfg: Config) -> float:
    """Wall time to spawn the same processes with the same parallelism, level by level."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=cfg.parallelism) as pool:
        for _ in range(cfg.levels):
            list(pool.map(lambda _: subprocess.run(["/bin/sh", "-c", "true"], check=True), range(cfg.width)))
    return time.perf_counter() - started


def submit(uri: str, spec: str) -> str:
    response = requests.post(f"{uri}/api/v1/pipeline-runs", json={"spec_yaml": spec}, timeout=60)
    response.raise_for_status()
    return response.json()["pipeline_run"]["run_id"]


def wait(uri: str, run_id: str, timeout: float = 600) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = requests.get(f"{uri}/api/v1/pipeline-runs/{run_id}", timeout=60).json()["pipeline_run"]
        if run["status"] != "running":
            return run
        time.sleep(0.02)
    raise TimeoutError(run_id)


def run(args, log):
    cfg = QUICK if args.quick else Config()
    if args.parallelism:
        cfg = Config(**{**cfg.__dict__, "parallelism": args.parallelism})
    uri = args.tracking_uri
    steps = cfg.levels * cfg.width
    raw, cairn = [], []
    for attempt in range(cfg.passes):
        raw.append(raw_seconds(cfg))
        started = time.perf_counter()
        finished = wait(uri, submit(uri, dag_spec(cfg)))
        cairn.append(time.perf_counter() - started)
        check(finished["status"] == "succeeded" and len(finished["steps"]) == steps
              and all(step["status"] == "succeeded" for step in finished["steps"]), f"DAG run {finished['status']}")
        log(f"pass {attempt + 1}: raw {raw[-1]:.2f} s, cairn {cairn[-1]:.2f} s for {steps} steps")
    raw_s, cairn_s = statistics.median(raw), statistics.median(cairn)

    latencies = []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(cfg.first_step_samples):
            marker = Path(scratch) / f"first-{index}"
            spec = (f"name: bench-first-{uuid.uuid4().hex[:8]}\nsteps:\n  first:\n"
                    f"    command: date +%s%N > {marker}\n    cache: false\n    resources: {{cpu: 0.1, memory: 1Mi}}\n")
            sent = time.time_ns()
            run_id = submit(uri, spec)
            wait(uri, run_id)
            latencies.append((int(marker.read_text()) - sent) / 1e6)
    log(f"trigger to first step: p50 {statistics.median(latencies):.1f} ms")
    results = [
        Result("raw_seconds", f"raw spawn of {steps} no-op processes, {cfg.parallelism} at a time (median of {cfg.passes})", round(raw_s, 3), "s", "lower"),
        Result("dag_seconds", f"{steps}-step DAG on cairn, {cfg.parallelism} steps at a time (median of {cfg.passes})", round(cairn_s, 3), "s", "lower"),
        Result("overhead_ms_per_step", "orchestration overhead per step", round((cairn_s - raw_s) * 1000 / steps, 2), "ms", "lower", OVERHEAD_TARGET),
        Result("first_step_p50_ms", f"trigger to first step p50 ({cfg.first_step_samples} runs)", round(statistics.median(latencies), 1), "ms", "lower", FIRST_STEP_TARGET),
        Result("first_step_max_ms", "trigger to first step max", round(max(latencies), 1), "ms", "lower"),
    ]
    return cfg, results


def add_arguments(parser):
    parser.add_argument("--parallelism", type=int, default=None, help="steps at a time (the server's --pipeline-cpus)")


if __name__ == "__main__":
    sys.exit(bench_main(__doc__, run, add_arguments))
