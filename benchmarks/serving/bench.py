"""Serving benchmark: one scikit-learn model (scaler + logistic regression, 20 features) served by
`cairn replica` (converted to ONNX), `mlflow models serve` (the pickled model) and MLServer
(mlserver-sklearn, the joblib file), each alone on loopback under the same closed-loop load from
wrk: concurrency 1 and 32, single-row and 100-row requests. Every server's answer is checked
against scikit-learn's before it is timed. Prints one table and writes JSON and Markdown results.

Run through run.sh, which provides the venvs, wrk and the cairn binary.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import requests

FEATURES = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Server:
    """One server under test: how to start it, where it answers, and its request bodies."""

    name: str
    protocol: str
    command: list[str]
    ready_url: str
    infer_url: str
    bodies: dict[int, str]  # rows per request -> JSON body
    cwd: Path | None = None
    env: dict[str, str] | None = None


@dataclass
class Measurement:
    server: str
    protocol: str
    concurrency: int
    rows: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def build_models(work: Path) -> tuple[np.ndarray, np.ndarray]:
    """Trains the model and writes it three ways: ONNX for Cairn, an MLflow sklearn model
    (cloudpickle) for mlflow, a joblib file plus model-settings.json for MLServer."""
    import joblib
    import mlflow
    import pandas as pd
    from skl2onnx import to_onnx
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features, labels = make_classification(n_samples=2000, n_features=FEATURES, n_informative=10, random_state=42)
    features = features.astype(np.float32)
    frame = pd.DataFrame(features.astype(np.float64), columns=[f"f{i}" for i in range(FEATURES)])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(frame.values, labels)
    (work / "model.onnx").write_bytes(to_onnx(model, features[:1], options={"zipmap": False}).SerializeToString())
    mlflow.sklearn.save_model(model, str(work / "mlflow-model"), serialization_format="cloudpickle", input_example=frame.values[:2])
    mlserver = work / "mlserver" / "churn"
    mlserver.mkdir(parents=True)
    joblib.dump(model, mlserver / "model.joblib")
    (mlserver / "model-settings.json").write_text(json.dumps({
        "name": "churn", "implementation": "mlserver_sklearn.SKLearnModel", "parameters": {"uri": "./model.joblib"}}))
    return features[:100], model.predict(frame.values[:100])


def v2_body(rows: np.ndarray, name: str, datatype: str) -> str:
    return json.dumps({"inputs": [{"name": name, "shape": list(rows.shape), "datatype": datatype, "data": rows.flatten().tolist()}]})


def servers(args, work: Path, rows: np.ndarray) -> list[Server]:
    cairn_port, mlflow_port, mlserver_port = free_port(), free_port(), free_port()
    cairn_v2 = {n: v2_body(rows[:n], "X", "FP32") for n in (1, 100)}
    invocations = {n: json.dumps({"inputs": rows[:n].astype(np.float64).tolist()}) for n in (1, 100)}
    mlserver_settings = work / "mlserver" / "settings.json"
    mlserver_settings.write_text(json.dumps({
        "http_port": mlserver_port, "grpc_port": free_port(), "metrics_port": free_port(), "host": "127.0.0.1",
        "parallel_workers": args.mlserver_workers}))
    cairn = [args.cairn, "replica", "--model", str(work / "model.onnx"), "--name", "churn", "--port", str(cairn_port)]
    return [
        Server("cairn replica (ONNX)", "V2", cairn, f"http://127.0.0.1:{cairn_port}/v2/health/ready",
               f"http://127.0.0.1:{cairn_port}/v2/models/churn/infer", cairn_v2),
        Server("cairn replica (ONNX)", "/invocations", cairn, f"http://127.0.0.1:{cairn_port}/v2/health/ready",
               f"http://127.0.0.1:{cairn_port}/invocations", invocations),
        Server("mlflow models serve", "/invocations",
               [args.mlflow, "models", "serve", "-m", str(work / "mlflow-model"), "--env-manager", "local", "--host", "127.0.0.1",
                "--port", str(mlflow_port), "--workers", str(args.peer_workers)],
               f"http://127.0.0.1:{mlflow_port}/ping", f"http://127.0.0.1:{mlflow_port}/invocations", invocations),
        Server("MLServer (mlserver-sklearn)", "V2", [args.mlserver, "start", str(work / "mlserver")],
               f"http://127.0.0.1:{mlserver_port}/v2/models/churn/ready", f"http://127.0.0.1:{mlserver_port}/v2/models/churn/infer",
               {n: v2_body(rows[:n].astype(np.float64), "input-0", "FP64") for n in (1, 100)}),
    ]


def labels_from(answer: dict) -> list[int]:
    if "predictions" in answer:  # MLflow: values, or one record per row when the model has several outputs
        return [int(value["label"] if isinstance(value, dict) else value) for value in answer["predictions"]]
    outputs = {output["name"]: output for output in answer["outputs"]}
    output = outputs.get("label") or next(iter(outputs.values()))
    return [int(value) for value in output["data"]]


def pinned(command: list[str], cpus_variable: str) -> list[str]:
    """The command under `taskset -c <cpus>` when the environment variable names CPUs."""
    cpus = os.environ.get(cpus_variable)
    return ["taskset", "-c", cpus, *command] if cpus else command


def start(server: Server, log_path: Path) -> subprocess.Popen:
    command = pinned(server.command, "BENCH_SERVER_CPUS")
    log(f"starting {server.name}: {' '.join(command)}")
    process = subprocess.Popen(command, stdout=log_path.open("w"), stderr=subprocess.STDOUT, cwd=server.cwd,
                               start_new_session=True, env={**os.environ, **(server.env or {})})
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{server.name} exited; see {log_path}:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(server.ready_url, timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{server.name} never became ready; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# Prints the run's figures as one JSON line, for `measure_with_script`.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "socket_errors": %d, "non2xx": %d, "p50_us": %.1f, "p99_us": %.1f}\\n',
    summary.requests, summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
"""

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open(os.getenv("BENCH_BODY"), "r")
wrk.body = file:read("*a")
file:close()
""" + WRK_REPORT


def measure(server: Server, work: Path, concurrency: int, rows: int, seconds: float) -> Measurement:
    body = work / f"body-{rows}.json"
    body.write_text(server.bodies[rows])
    script = work / "post.lua"
    script.write_text(WRK_SCRIPT)
    return measure_with_script(server, script, concurrency, rows, seconds, {"BENCH_BODY": str(body)})


def measure_with_script(server: Server, script: Path, concurrency: int, rows: int, seconds: float, env: dict[str, str]) -> Measurement:
    """wrk with a Lua script ending in WRK_REPORT against the server's inference URL."""
    threads = 1 if concurrency == 1 else 2
    # A short warm-up at the same concurrency (connections, JITs, worker pools), then the timed run.
    for duration in (max(1, round(seconds / 5)), max(1, round(seconds))):
        result = subprocess.run(pinned(["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s", "--timeout", "10s",
                                        "-s", str(script), server.infer_url], "BENCH_CLIENT_CPUS"), capture_output=True, text=True, env={**os.environ, **env})
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result for {server.name}:\n{result.stdout}\n{result.stderr}")
    stats = json.loads(line[len("BENCH "):])
    return Measurement(server.name, server.protocol, concurrency, rows, stats["requests"] / (stats["duration_us"] / 1e6),
                       stats["p50_us"] / 1000, stats["p99_us"] / 1000, stats["socket_errors"] + stats["non2xx"])


def table(measurements: list[Measurement]) -> str:
    cairn = {(m.concurrency, m.rows): m for m in measurements if m.server.startswith("cairn") and m.protocol == "V2"}
    lines = ["| server | protocol | concurrency | rows/request | requests/s | p50 ms | p99 ms | errors | cairn V2 throughput ÷ this |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for m in sorted(measurements, key=lambda m: (m.concurrency, m.rows, not m.server.startswith("cairn"), m.server, m.protocol)):
        reference = cairn.get((m.concurrency, m.rows))
        ratio = f"{reference.requests_per_second / m.requests_per_second:.1f}×" if reference and m is not reference else ""
        lines.append(f"| {m.server} | {m.protocol} | {m.concurrency} | {m.rows} | {m.requests_per_second:,.0f} | {m.p50_ms:.3f} | "
                     f"{m.p99_ms:.3f} | {m.errors} | {ratio} |")
    return "\n".join(lines)


def targets(measurements: list[Measurement]) -> list[str]:
    def find(server: str, protocol: str | None, concurrency: int, rows: int) -> Measurement | None:
        return next((m for m in measurements if m.server.startswith(server) and (protocol is None or m.protocol == protocol)
                     and m.concurrency == concurrency and m.rows == rows), None)

    notes = []
    single = find("cairn", "V2", 1, 1)
    if single:
        notes.append(f"single-row p99 at concurrency 1: {single.p99_ms:.3f} ms (target < 1 ms) {'✓' if single.p99_ms < 1 else '✗'}")
    for peer, bound in (("mlflow", 10), ("MLServer", 5)):
        for concurrency in (1, 32):
            for rows in (1, 100):
                ours, theirs = find("cairn", "V2", concurrency, rows), find(peer, None, concurrency, rows)
                if ours and theirs:
                    ratio = ours.requests_per_second / theirs.requests_per_second
                    notes.append(f"throughput vs {peer}, concurrency {concurrency}, {rows} row(s): {ratio:.1f}× (target ≥ {bound}×) "
                                 f"{'✓' if ratio >= bound else '✗'}")
    return notes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--mlflow", required=True)
    parser.add_argument("--mlserver", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median (by throughput) is reported")
    parser.add_argument("--peer-workers", type=int, default=os.cpu_count() or 1, help="mlflow models serve --workers")
    parser.add_argument("--mlserver-workers", type=int, default=0,
                        help="MLServer parallel_workers (0: inference in the server process, its fastest setting here)")
    parser.add_argument("--only", choices=["cairn", "mlflow", "mlserver"])
    args = parser.parse_args()

    rows, expected = build_models(args.work)
    measurements: list[Measurement] = []
    # One process per command (Cairn is measured over two protocols), alone on the machine while timed.
    groups: dict[tuple[str, ...], list[Server]] = {}
    for server in servers(args, args.work, rows):
        if not args.only or server.name.lower().startswith(args.only):
            groups.setdefault(tuple(server.command), []).append(server)
    for entries in groups.values():
        process = start(entries[0], args.work / f"{entries[0].name.split()[0]}.log")
        try:
            for server in entries:
                answer = requests.post(server.infer_url, data=server.bodies[100], headers={"Content-Type": "application/json"}, timeout=30)
                assert answer.status_code == 200, (server.name, answer.text[:500])
                assert labels_from(answer.json()) == expected.tolist(), f"{server.name} does not answer as scikit-learn does"
                for concurrency in (1, 32):
                    for count in (1, 100):
                        # The median of a few runs: this shared machine has bursts of noise.
                        runs = sorted((measure(server, args.work, concurrency, count, args.seconds) for _ in range(args.repeats)),
                                      key=lambda run: run.requests_per_second)
                        result = runs[len(runs) // 2]
                        log(f"{server.name} {server.protocol} c={concurrency} rows={count}: {result.requests_per_second:,.0f} req/s, "
                            f"p50 {result.p50_ms:.3f} ms, p99 {result.p99_ms:.3f} ms, errors {result.errors}")
                        measurements.append(result)
        finally:
            stop(process)

    rendered = table(measurements)
    notes = targets(measurements)
    print(rendered)
    print()
    print("\n".join(f"- {note}" for note in notes))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"serving-{stamp}.json").write_text(json.dumps([asdict(m) for m in measurements], indent=2))
    (args.results / f"serving-{stamp}.md").write_text(rendered + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n")
    log(f"results in {args.results}/serving-{stamp}.json and .md")


if __name__ == "__main__":
    main()
