"""Helpers shared by the benchmarks' bench.py scripts: timing, percentiles, result records, and the
command-line entry point that runs a workload against one server and writes its JSON.

Import from a bench.py next to it with:

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import mlflow


@dataclass(frozen=True)
class Target:
    """A goal for Cairn's figure: `value` compares the figure itself, `ratio` the ratio to stock MLflow
    (oriented so that > 1 means Cairn is better)."""

    kind: str  # "value" or "ratio"
    op: str  # ">=" or "<="
    bound: float


@dataclass(frozen=True)
class Result:
    key: str
    label: str
    value: float
    unit: str
    better: str  # "lower" or "higher"
    target: Target | None = None


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def time_calls(fn: Callable[[int], object], n: int) -> list[float]:
    """Call fn(i) for i in range(n); return each call's latency in ms."""
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append(ms_since(start))
    return samples


def percentile(samples: list[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method)."""
    ordered = sorted(samples)
    pos = (len(ordered) - 1) * pct / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_results(key: str, label: str, samples: list[float], pcts=(50, 95),
                    target: Target | None = None) -> list[Result]:
    return [
        Result(f"{key}_p{p}_ms", f"{label} p{p}", round(percentile(samples, p), 2), "ms", "lower", target)
        for p in pcts
    ]


def now_ms() -> int:
    return int(time.time() * 1000)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(f"server returned a wrong answer: {message}")


def bench_main(doc: str, run: Callable[[argparse.Namespace, Callable[[str], None]], tuple[Any, list[Result]]],
               add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
               argv: list[str] | None = None) -> int:
    """Entry point of a bench.py: parses `URI [--label] [--out] [--quick]` (plus add_arguments' own),
    calls run(args, log) -> (config, results) and writes the results JSON to --out or stdout."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("tracking_uri", help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--label", default="server", help="name used in progress output and JSON")
    parser.add_argument("--out", help="write results JSON here (default: stdout)")
    parser.add_argument("--quick", action="store_true", help="tiny workload, for smoke-testing only")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(f"[{args.label}] {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    cfg, results = run(args, log)
    elapsed = time.perf_counter() - started
    log(f"done in {elapsed:.1f}s")

    out = {
        "label": args.label,
        "tracking_uri": args.tracking_uri,
        "mlflow_client_version": mlflow.__version__,
        "quick": args.quick,
        "config": dataclasses.asdict(cfg),
        "wall_seconds": round(elapsed, 2),
        "results": [dataclasses.asdict(r) for r in results],
    }
    text = json.dumps(out, indent=2)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0
