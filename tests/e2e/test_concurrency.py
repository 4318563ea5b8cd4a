"""9. Many clients logging at once: nothing fails, nothing is lost."""

from __future__ import annotations

import threading
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param

from e2e_support import unique

THREADS = 32
POINTS = 200          # metric points per thread
SINGLE = 50           # of which logged one by one with log_metric; the rest via log_batch
BATCH = 50


def test_32_clients_log_concurrently(server):
    exp_id = MlflowClient(tracking_uri=server.url).create_experiment(unique("concurrency"))
    barrier = threading.Barrier(THREADS)
    run_ids: dict[int, str] = {}
    errors: list[tuple[int, BaseException]] = []

    def worker(n: int):
        try:
            client = MlflowClient(tracking_uri=server.url)
            barrier.wait(timeout=60)
            run_id = client.create_run(exp_id, run_name=f"worker-{n}").info.run_id
            run_ids[n] = run_id
            client.log_param(run_id, "worker", str(n))
            ts = int(time.time() * 1000)
            for step in range(SINGLE):
                client.log_metric(run_id, "x", value(n, step), timestamp=ts + step, step=step)
            for start in range(SINGLE, POINTS, BATCH):
                client.log_batch(run_id, metrics=[
                    Metric("x", value(n, s), ts + s, s) for s in range(start, min(start + BATCH, POINTS))
                ] + [Metric(f"b{start}", float(n), ts, 0)], params=[Param(f"batch{start}", "ok")])
            client.set_terminated(run_id, "FINISHED")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append((n, e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not [t for t in threads if t.is_alive()], "some workers did not finish in time"
    assert not errors, f"{len(errors)} workers failed, first: {errors[0]!r}"
    assert len(run_ids) == THREADS

    client = MlflowClient(tracking_uri=server.url)
    runs = client.search_runs([exp_id], max_results=1000)
    assert {r.info.run_id for r in runs} == set(run_ids.values())
    by_id = {r.info.run_id: r for r in runs}
    for n, run_id in run_ids.items():
        history = client.get_metric_history(run_id, "x")
        got = sorted((m.step, m.value) for m in history)
        assert got == [(s, value(n, s)) for s in range(POINTS)], f"worker {n}: points lost or mixed"
        r = by_id[run_id]
        assert r.info.status == "FINISHED"
        assert r.data.params["worker"] == str(n)
        assert r.data.metrics["x"] == value(n, POINTS - 1)
        assert len([k for k in r.data.params if k.startswith("batch")]) == len(range(SINGLE, POINTS, BATCH))
        assert all(r.data.metrics[f"b{s}"] == float(n) for s in range(SINGLE, POINTS, BATCH))


def value(n: int, step: int) -> float:
    return n * 1000.0 + step / 8.0
