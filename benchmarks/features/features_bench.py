"""Online feature lookup: the same 10,000 entities × 50 float features, materialized into each
server's SQLite online store and then into a Redis of its own, read through Cairn's `/get-online-features` (in `cairn server`) and
Feast's Python feature server (`feast serve`), for 1 and for 100 entities per request at
concurrency 1 and 32, with wrk. Prints the table and the ratios.

Run through run.sh, which provides the venvs, wrk and the cairn binary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "serving"))
import bench as serving  # noqa: E402  (wrk runner and process helpers)
from feast_repo import write_feast_repository  # noqa: E402

FEATURES = [f"f{i}" for i in range(50)]


def write_data(work: Path, entities: int) -> pd.DataFrame:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(entities, len(FEATURES))).round(6), columns=FEATURES)
    frame.insert(0, "user_id", [f"u{i}" for i in range(entities)])
    frame.insert(1, "event_timestamp", [now - timedelta(minutes=int(m)) for m in rng.integers(1, 50, size=entities)])
    frame.to_csv(work / "stats.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    frame.to_parquet(work / "stats.parquet")
    return frame


def cairn_repository(work: Path) -> str:
    features = ", ".join(f"{{name: {name}, type: float64}}" for name in FEATURES)
    return textwrap.dedent(f"""
        project: bench
        entities: [{{name: user, join_keys: [user_id]}}]
        sources: [{{name: stats, path: stats.csv}}]
        feature_views:
          - {{name: stats, entities: [user], source: stats, ttl: 1d, features: [{features}]}}
    """)


def bodies(entities: int) -> dict[int, str]:
    features = [f"stats:{name}" for name in FEATURES]
    return {count: json.dumps({"features": features, "entities": {"user_id": [f"u{i * 37 % entities}" for i in range(count)]}}) for count in (1, 100)}


# One entity per request, a different one each time (7919 is prime to the entity count, so every
# entity comes round once per cycle): what a lookup costs when the entity was not read lately.
ROTATING_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local prefix, suffix = os.getenv("BENCH_PREFIX"), os.getenv("BENCH_SUFFIX")
local entities = tonumber(os.getenv("BENCH_ENTITIES"))
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. "u" .. ((counter * 7919) % entities) .. suffix)
end
""" + serving.WRK_REPORT


def measure_rotating(server: serving.Server, work: Path, entities: int, seconds: float) -> serving.Measurement:
    """Concurrency 1, one entity per request, each request another entity; rows = 0 marks it in the table."""
    script = work / "rotating.lua"
    script.write_text(ROTATING_SCRIPT)
    prefix, suffix = json.dumps({"features": [f"stats:{name}" for name in FEATURES], "entities": {"user_id": ["ENTITY"]}}).split('"ENTITY"')
    return serving.measure_with_script(server, script, 1, 0, seconds,
                                       {"BENCH_PREFIX": prefix + '"', "BENCH_SUFFIX": '"' + suffix, "BENCH_ENTITIES": str(entities)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--feast-bin", required=True, help="the feast CLI of Feast's venv")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--stores", default="sqlite,redis", help="online stores to compare on (sqlite, redis)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    frame = write_data(args.work, args.entities)
    expected = frame.set_index("user_id").loc["u0", FEATURES].tolist()
    measurements = []
    for store in args.stores.split(","):
        folder = args.work / store
        folder.mkdir()
        (folder / "stats.csv").symlink_to(args.work / "stats.csv")
        if store == "redis":
            with redis_server(folder) as (cairn_redis, feast_redis):
                measurements += compare(args, folder, expected, store, cairn_redis, feast_redis)
        else:
            measurements += compare(args, folder, expected, store, None, None)
    report(args, measurements)


@contextlib.contextmanager
def redis_server(folder: Path):
    """Two Redis servers (Debian's redis-server) on free ports: one for Cairn, one for Feast."""
    processes, ports = [], []
    try:
        for _ in range(2):
            port = serving.free_port()
            processes.append(subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                              stdout=(folder / f"redis-{port}.log").open("w"), stderr=subprocess.STDOUT))
            ports.append(port)
        for port in ports:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def compare(args, folder: Path, expected: list[float], store: str, cairn_redis: int | None, feast_redis: int | None) -> list:
    """Materializes the data into Cairn's and Feast's online stores of one kind and measures both."""
    end = (datetime.now(timezone.utc) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    start = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    cairn_port, feast_port = serving.free_port(), serving.free_port()
    cairn_command = [args.cairn, "server", "--port", str(cairn_port), "--backend-store-uri", f"sqlite:///{folder}/cairn.db",
                     "--artifacts-destination", str(folder / "artifacts")]
    if cairn_redis:
        cairn_command += ["--online-store", f"redis://127.0.0.1:{cairn_redis}"]
    cairn = serving.Server(f"cairn server ({store})", "feast-http", cairn_command,
                           f"http://127.0.0.1:{cairn_port}/health", f"http://127.0.0.1:{cairn_port}/get-online-features", bodies(args.entities))
    online_store = f"{{type: redis, connection_string: '127.0.0.1:{feast_redis}'}}" if feast_redis else None
    repo = write_feast_repository(folder, "bench", FEATURES, args.work / "stats.parquet", ttl_days=1, online_store=online_store)
    subprocess.run([args.feast_bin, "apply"], cwd=repo, check=True, capture_output=True)
    serving.log(f"feast materialize ({store}) …")
    subprocess.run([args.feast_bin, "materialize", start, end], cwd=repo, check=True, capture_output=True)
    # Two workers: one per core, as Cairn uses both cores.
    feast = serving.Server(f"feast serve ({store})", "feast-http", [args.feast_bin, "serve", "--host", "127.0.0.1", "--port", str(feast_port), "--workers", "2"],
                           f"http://127.0.0.1:{feast_port}/health", f"http://127.0.0.1:{feast_port}/get-online-features", bodies(args.entities), cwd=repo)
    measurements = []
    process = serving.start(cairn, folder / "cairn.log")
    try:
        applied = requests.post(f"http://127.0.0.1:{cairn_port}/api/v1/features/apply",
                                json={"yaml": cairn_repository(folder), "base_directory": str(folder)}, timeout=300)
        assert applied.status_code == 200, applied.text
        started = time.monotonic()
        materialized = requests.post(f"http://127.0.0.1:{cairn_port}/materialize", json={"start_ts": start, "end_ts": end}, timeout=600)
        assert materialized.status_code == 200, materialized.text
        serving.log(f"cairn materialize ({store}): {materialized.json()['materialized'][0]['rows']:,} rows in {time.monotonic() - started:.1f} s")
        check = requests.post(cairn.infer_url, data=cairn.bodies[1], headers={"Content-Type": "application/json"}, timeout=30).json()
        assert [r["values"][0] for r in check["results"][1:]] == expected, "cairn's values differ from the data"
        for concurrency in (1, 32):
            for count in (1, 100):
                measurements.append(serving.measure(cairn, folder, concurrency, count, args.seconds))
                serving.log(f"{measurements[-1]}")
        measurements.append(measure_rotating(cairn, folder, args.entities, args.seconds))
        serving.log(f"{measurements[-1]}")
    finally:
        serving.stop(process)
    process = serving.start(feast, folder / "feast.log")
    try:
        check = requests.post(feast.infer_url, data=feast.bodies[1], headers={"Content-Type": "application/json"}, timeout=30).json()
        names = check["metadata"]["feature_names"]
        assert [check["results"][names.index(n)]["values"][0] for n in FEATURES] == expected, "feast's values differ from the data"
        for concurrency in (1, 32):
            for count in (1, 100):
                measurements.append(serving.measure(feast, folder, concurrency, count, args.seconds))
                serving.log(f"{measurements[-1]}")
        measurements.append(measure_rotating(feast, folder, args.entities, args.seconds))
        serving.log(f"{measurements[-1]}")
    finally:
        serving.stop(process)
    return measurements


def report(args, measurements: list) -> None:
    lines = ["| server (online store) | concurrency | entities/request | requests/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|---:|"]
    for m in measurements:
        entities = m.rows or "1, another each request"
        lines.append(f"| {m.server} | {m.concurrency} | {entities} | {m.requests_per_second:,.0f} | {m.p50_ms:.3f} | {m.p99_ms:.3f} | {m.errors} |")
    notes = []
    for store in args.stores.split(","):
        for concurrency in (1, 32):
            for count in (1, 100):
                ours = next(m for m in measurements if m.server == f"cairn server ({store})" and m.concurrency == concurrency and m.rows == count)
                theirs = next(m for m in measurements if m.server == f"feast serve ({store})" and m.concurrency == concurrency and m.rows == count)
                notes.append(f"{store}, c={concurrency}, {count} entities × 50 features: Cairn p99 {ours.p99_ms:.3f} ms vs Feast {theirs.p99_ms:.3f} ms; "
                             f"throughput {ours.requests_per_second / theirs.requests_per_second:.1f}×")
        one = next(m for m in measurements if m.server == f"cairn server ({store})" and m.concurrency == 1 and m.rows == 1)
        notes.append(f"target ({store}): p99 under 0.5 ms for one entity at c=1: {one.p99_ms:.3f} ms {'✓' if one.p99_ms < 0.5 else '✗'}")
        ours = next(m for m in measurements if m.server == f"cairn server ({store})" and m.rows == 0)
        theirs = next(m for m in measurements if m.server == f"feast serve ({store})" and m.rows == 0)
        notes.append(f"{store}, c=1, another entity each request (none read in the last second): Cairn p50 {ours.p50_ms:.3f} / p99 {ours.p99_ms:.3f} ms "
                     f"vs Feast {theirs.p50_ms:.3f} / {theirs.p99_ms:.3f} ms")
    rendered = "\n".join(lines) + "\n\n" + "\n".join(f"- {note}" for note in notes)
    print(rendered)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"features-{stamp}.md").write_text(rendered + "\n")


if __name__ == "__main__":
    main()
