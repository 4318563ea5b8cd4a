"""Gateway benchmark: a registered ONNX model deployed on `cairn server` with one replica, loaded by
wrk directly at the replica and through the server's gateway, alternately (so drift on this shared
machine hits both alike), at concurrency 1 and 32 with single-row V2 requests. Prints the latency
the gateway adds at p50 and p99 and writes JSON and Markdown results.

Run through run.sh, which provides the venv, wrk and the cairn binary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "serving"))
import bench as serving  # noqa: E402  (the serving benchmark's model, wrk runner and process helpers)


def register(server_url: str, work: Path) -> str:
    """Registers the serving benchmark's ONNX model as version 1 of `gateway-bench`."""
    import mlflow
    from mlflow import MlflowClient

    folder = work / "registered"
    folder.mkdir()
    (folder / "model.onnx").write_bytes((work / "model.onnx").read_bytes())
    (folder / "MLmodel").write_text("artifact_path: model\nflavors:\n  onnx: {data: model.onnx}\n")
    client = MlflowClient(tracking_uri=server_url)
    run_id = client.create_run("0").info.run_id
    client.log_artifacts(run_id, str(folder), "model")
    mlflow.set_tracking_uri(server_url)
    return mlflow.register_model(f"runs:/{run_id}/model", "gateway-bench").name


def handoff_percentiles(metrics: str) -> dict[str, float]:
    """p50 and p99 (the upper edge of their histogram bucket, in µs) of the time each request spent
    handing its record to the prediction log, and how many requests were measured."""
    buckets = []
    for line in metrics.splitlines():
        if line.startswith("cairn_prediction_log_handoff_seconds_bucket"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if bound == "+Inf" else float(bound) * 1e6, float(line.rsplit(" ", 1)[1])))
    total = buckets[-1][1]
    return {"count": total, **{name: next(bound for bound, count in buckets if count >= fraction * total)
                               for name, fraction in (("p50_us", 0.5), ("p99_us", 0.99))}}


# Closed-loop wrk at concurrency 1 and 32 (each connection sends its next request as soon as the
# answer is in, so at 32 the machine is saturated), and 32 connections each pausing 0–20 ms
# (10 ms on average) between requests: 32 concurrent clients at about a third of the replica's
# capacity, where the gateway's latency is seen without its CPU turning into queueing.
LOADS = ("c=1", "c=32", "c=32 paced")

PACED_SCRIPT = serving.WRK_SCRIPT + """
function delay()
  return math.random(0, 20)
end
"""


def measure(path: serving.Server, work: Path, load: str, seconds: float) -> serving.Measurement:
    if load != "c=32 paced":
        return serving.measure(path, work, int(load.removeprefix("c=")), 1, seconds)
    body = work / "body-1.json"
    body.write_text(path.bodies[1])
    script = work / "paced.lua"
    script.write_text(PACED_SCRIPT)
    return serving.measure_with_script(path, script, 32, 1, seconds, {"BENCH_BODY": str(body)})


def settled_log_records(url: str) -> dict[str, float]:
    """The prediction log's record counts (written, dropped, failed, queued) once its queue has
    drained, as `/metrics` reports them."""
    for _ in range(100):
        time.sleep(0.5)
        records = {line.split('state="', 1)[1].split('"', 1)[0]: float(line.rsplit(" ", 1)[1])
                   for line in requests.get(f"{url}/metrics", timeout=30).text.splitlines() if line.startswith("cairn_prediction_log_records{")}
        if records and records.get("queued", 0) == 0:
            return records
    return records


def pin_replica(replica_url: str) -> None:
    """Moves the replica serving `replica_url` (every thread) onto BENCH_REPLICA_CPUS, when set: a
    replica started by a pinned server would otherwise share the server's CPUs."""
    cpus = os.environ.get("BENCH_REPLICA_CPUS")
    if not cpus:
        return
    port = replica_url.rsplit(":", 1)[1]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"replica" in arguments and b"--port" in arguments and arguments[arguments.index(b"--port") + 1] == port.encode():
            subprocess.run(["taskset", "-a", "-p", "-c", cpus, cmdline.parent.name], check=True, stdout=subprocess.DEVNULL)
            serving.log(f"replica on port {port} (pid {cmdline.parent.name}) pinned to CPUs {cpus}")
            return
    raise RuntimeError(f"no replica process listens on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rows, expected = serving.build_models(args.work)
    port = serving.free_port()
    url = f"http://127.0.0.1:{port}"
    server = serving.Server("cairn server", "V2", [args.cairn, "server", "--port", str(port), "--backend-store-uri",
                                                   f"sqlite:///{args.work}/cairn.db", "--artifacts-destination", str(args.work / "artifacts")],
                            f"{url}/health", "", {})
    process = serving.start(server, args.work / "server.log")
    try:
        model = register(url, args.work)
        created = requests.post(f"{url}/api/v1/deployments", json={"name": "churn", "model_name": model, "model_version": 1}, timeout=300)
        assert created.status_code == 200, created.text
        replica = created.json()["deployment"]["revisions"][0]["replicas"][0]["url"]
        # The same model deployed again with prediction logging off: the gateway's routing alone.
        unlogged = requests.post(f"{url}/api/v1/deployments", json={"name": "churn-unlogged", "model_name": model, "model_version": 1,
                                                                    "log_sample_percent": 0}, timeout=300)
        assert unlogged.status_code == 200, unlogged.text
        for deployed in (created, unlogged):
            pin_replica(deployed.json()["deployment"]["revisions"][0]["replicas"][0]["url"])
        body = serving.v2_body(rows[:1], "X", "FP32")
        paths = {"direct": serving.Server("replica, direct", "V2", [], "", f"{replica}/v2/models/churn/infer", {1: body}),
                 "gateway": serving.Server("through the gateway", "V2", [], "", f"{url}/v2/models/churn/infer", {1: body}),
                 "unlogged": serving.Server("through the gateway, prediction log off", "V2", [], "", f"{url}/v2/models/churn-unlogged/infer",
                                            {1: body})}
        for path in paths.values():
            answer = requests.post(path.infer_url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
            assert answer.status_code == 200 and serving.labels_from(answer.json()) == expected[:1].tolist(), answer.text
        results: dict[tuple[str, str], list[serving.Measurement]] = {}
        for load in LOADS:
            for _ in range(args.repeats):
                for key, path in paths.items():
                    run = measure(path, args.work, load, args.seconds)
                    serving.log(f"{path.name} {load}: {run.requests_per_second:,.0f} req/s, p50 {run.p50_ms:.3f} ms, p99 {run.p99_ms:.3f} ms")
                    results.setdefault((key, load), []).append(run)
        handoff = handoff_percentiles(requests.get(f"{url}/metrics", timeout=30).text)
        log_records = settled_log_records(url)
    finally:
        serving.stop(process)

    def median(key: str, load: str, field: str) -> float:
        return statistics.median(getattr(run, field) for run in results[(key, load)])

    lines = ["| load | path | requests/s | p50 ms | p99 ms | errors |", "|---|---|---:|---:|---:|---:|"]
    notes = []
    for load in LOADS:
        for key in ("direct", "gateway", "unlogged"):
            runs = results[(key, load)]
            lines.append(f"| {load} | {paths[key].name} | {median(key, load, 'requests_per_second'):,.0f} | "
                         f"{median(key, load, 'p50_ms'):.3f} | {median(key, load, 'p99_ms'):.3f} | {sum(r.errors for r in runs)} |")
        for key, label in (("gateway", "with 100 % prediction logging"), ("unlogged", "with prediction logging off")):
            added_p50 = median(key, load, "p50_ms") - median("direct", load, "p50_ms")
            added_p99 = median(key, load, "p99_ms") - median("direct", load, "p99_ms")
            notes.append(f"{load}, {label}: the gateway adds {added_p50:.3f} ms at p50 and {added_p99:.3f} ms at p99 "
                         f"(target < 0.5 ms at p99; KServe's queue-proxy adds 2–3 ms) {'✓' if added_p99 < 0.5 else '✗'}")
    notes.append("prediction log records after the runs: " + ", ".join(f"{count:,.0f} {state}" for state, count in log_records.items()))
    notes.append(f"prediction logging (100 % sampled) on the request path: p50 ≤ {handoff['p50_us']:g} µs, p99 ≤ {handoff['p99_us']:g} µs "
                 f"over {handoff['count']:,.0f} requests (target < 50 µs at p99) {'✓' if handoff['p99_us'] <= 50 else '✗'}")
    rendered = "\n".join(lines)
    print(rendered)
    print()
    print("\n".join(f"- {note}" for note in notes))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"gateway-{stamp}.json").write_text(json.dumps({f"{k} {load}": [asdict(r) for r in v] for (k, load), v in results.items()}, indent=2))
    (args.results / f"gateway-{stamp}.md").write_text(rendered + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n")
    serving.log(f"results in {args.results}/gateway-{stamp}.json and .md")


if __name__ == "__main__":
    np.random.seed(0)
    main()
