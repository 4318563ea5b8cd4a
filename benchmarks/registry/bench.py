#!/usr/bin/env python3
"""Model-registry benchmark: drives one tracking server's registry through the stock MLflow client.

Usage: bench.py TRACKING_URI [--label NAME] [--out FILE.json] [--quick] [--scratch-dir DIR]

The same workload is run unchanged against `mlflow server` and `cairn server`
(see run.sh); only the URI differs. Every measurement also checks the answer it
got back (names and order of search results, version counts, the SHA-256 of
downloaded model files), so a fast but wrong server fails instead of winning.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlparse

import mlflow
import requests
from mlflow import MlflowClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
from benchlib import Result, Target, bench_main, check, latency_results, time_calls  # noqa: E402

SEARCH_TARGET = Target("ratio", ">=", 10)  # ≥ 10× stock MLflow on every search
UPLOAD_TARGET = Target("value", ">=", 500)  # MB/s
DOWNLOAD_TARGET = Target("value", "<=", 1.0)  # seconds for 1 GiB over plain HTTP

PREFIX = "bench-"  # seeded registered models; nothing else the benchmark creates starts with it
NAME_FILTER = f"name LIKE '{PREFIX}1%'"
TAG_FILTER = "tags.tier = 'gold'"
ORDER_BY = ["last_updated_timestamp DESC"]
TEAMS = ("vision", "nlp", "speech", "tabular")
MLMODEL = "artifact_path: model\nflavors: {}\n"  # enough for a `runs:/<id>/model` source
PAYLOAD = "weights.bin"
MB = 1_000_000  # MB/s figures are decimal megabytes


@dataclass(frozen=True)
class Config:
    warmup_calls: int = 5
    versions: int = 200  # create_model_version calls, all on one registered model
    version_runs: int = 4  # the versions' sources alternate between this many runs
    models: int = 10_000  # registered models seeded for search_registered_models
    seed_threads: int = 16
    search_calls: int = 20
    search_max_results: int = 100
    page_size: int = 1000  # MLflow's maximum for registered-model search
    page_passes: int = 3
    transfer_mib: int = 1024
    http_transfer_passes: int = 3


QUICK = Config(
    warmup_calls=2,
    versions=20,
    models=1000,
    search_calls=3,
    page_passes=1,
    transfer_mib=64,
    http_transfer_passes=1,
)


# ---------------------------------------------------------------- helpers


def unique(name: str) -> str:
    return f"{name}-{time.time_ns()}"


def seeded_name(i: int) -> str:
    return f"{PREFIX}{i}"


def seeded_tags(i: int) -> dict[str, str]:
    """Every model has a team and its index; every 10th is also tier=gold (the tag filter's match)."""
    tags = {"team": TEAMS[i % len(TEAMS)], "seq": str(i)}
    if i % 10 == 0:
        tags["tier"] = "gold"
    return tags


def log_model_run(client: MlflowClient, experiment_id: str) -> str:
    """A run whose artifacts hold `model/MLmodel`, i.e. a valid `runs:/<id>/model` source."""
    run_id = client.create_run(experiment_id).info.run_id
    client.log_text(run_id, MLMODEL, "model/MLmodel")
    return run_id


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_payload(scratch: str, mib: int) -> tuple[str, str]:
    """A file of `mib` MiB of random bytes and its SHA-256, written once and reused by every run
    that is given the same scratch dir (so both servers move identical bytes)."""
    path = os.path.join(scratch, f"payload-{mib}MiB", PAYLOAD)
    sidecar = path + ".sha256"
    if os.path.exists(sidecar) and os.path.getsize(path) == mib << 20:
        return path, Path(sidecar).read_text().strip()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for done in range(0, mib, 16):
            chunk = os.urandom(min(16, mib - done) << 20)
            digest.update(chunk)
            f.write(chunk)
    Path(sidecar).write_text(digest.hexdigest() + "\n")
    return path, digest.hexdigest()


class RawHttp:
    """The requests the client sends, as plain HTTP: the server's own cost, without the client's
    conversion of JSON into entity objects (which caps the ratio any server can reach through it)."""

    def __init__(self, tracking_uri: str):
        self.root = tracking_uri.rstrip("/")
        self.base = self.root + "/api/2.0/mlflow"
        self.session = requests.Session()

    def get(self, path: str, params: dict) -> dict:
        response = self.session.get(self.base + path, params=params, timeout=300)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict) -> dict:
        response = self.session.post(self.base + path, json=body, timeout=300)
        response.raise_for_status()
        return response.json()

    def search_models(self, **params) -> dict:
        return self.get("/registered-models/search", params)

    def search_versions(self, **params) -> dict:
        return self.get("/model-versions/search", params)

    def artifact_url(self, uri: str) -> str:
        """The proxy URL of an artifact URI as a download URI names it: `mlflow-artifacts:/<path>`
        (Cairn: the version's frozen snapshot) or `runs:/<run_id>/<path>` (stock MLflow)."""
        if uri.startswith("runs:/"):
            run_id, _, relative = uri[len("runs:/"):].partition("/")
            root = self.get("/runs/get", {"run_id": run_id})["run"]["info"]["artifact_uri"]
            uri = root.rstrip("/") + "/" + relative
        check(uri.startswith("mlflow-artifacts:"), f"download URI {uri!r} is not served by the artifact proxy")
        path = urlparse(uri).path.strip("/")
        return f"{self.root}/api/2.0/mlflow-artifacts/artifacts/{quote(path)}"


def page_models(page: Callable[[str | None], tuple[list, str | None]]) -> list:
    """Follow page tokens to the end; page(token) -> (items, next_token)."""
    names, token = [], None
    while True:
        got, token = page(token)
        names += got
        if not token:
            return names


def client_page(client: MlflowClient, token: str | None, size: int) -> tuple[list, str | None]:
    page = client.search_registered_models(max_results=size, page_token=token)
    return list(page), page.token


# ---------------------------------------------------------------- workload


def warm_up(client: MlflowClient, http: RawHttp, cfg: Config, experiment_id: str) -> None:
    """Touch every endpoint the measurements use, so none pays first-call costs."""
    name = unique("warmup")
    client.create_registered_model(name, tags={"team": "x"})
    run_id = log_model_run(client, experiment_id)
    for _ in range(cfg.warmup_calls):
        client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
        client.search_registered_models(NAME_FILTER, max_results=10)
        client.search_registered_models(order_by=ORDER_BY, max_results=10)
        client.search_model_versions(f"name = '{name}'")
        http.get("/model-versions/get-download-uri", {"name": name, "version": "1"})
    with tempfile.TemporaryDirectory() as tmp:
        mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=tmp, tracking_uri=http.root)


@dataclass(frozen=True)
class VersionsSetup:
    name: str
    runs: list[str]


def bench_create_version(client: MlflowClient, http: RawHttp, cfg: Config,
                         experiment_id: str) -> tuple[list[Result], VersionsSetup]:
    runs = [log_model_run(client, experiment_id) for _ in range(cfg.version_runs)]

    def source(i: int) -> tuple[str, str]:
        run_id = runs[i % len(runs)]
        return f"runs:/{run_id}/model", run_id

    name = unique("versions")
    client.create_registered_model(name)
    samples = time_calls(lambda i: client.create_model_version(name, *source(i)), cfg.versions)
    last = client.get_model_version(name, str(cfg.versions))
    check(last.run_id == source(cfg.versions - 1)[1], f"version {cfg.versions} has run {last.run_id}")

    http_name = unique("versions-http")
    client.create_registered_model(http_name)

    def create_http(i: int) -> None:
        uri, run_id = source(i)
        http.post("/model-versions/create", {"name": http_name, "source": uri, "run_id": run_id})

    http_samples = time_calls(create_http, cfg.versions)
    label = f"create_model_version ({cfg.versions} versions of one model, runs:/ source)"
    results = latency_results("create_version", label, samples) + \
        latency_results("http_create_version", "[HTTP] " + label, http_samples)
    return results, VersionsSetup(name, runs)


def bench_search_versions(client: MlflowClient, http: RawHttp, cfg: Config, setup: VersionsSetup) -> list[Result]:
    # Versions whose source is the first run, on both models bench_create_version filled.
    per_run = 2 * len(range(0, cfg.versions, len(setup.runs)))
    cases = [
        (f"name = '{setup.name}'", cfg.versions, f"name = '…' ({cfg.versions} versions)", "by_name"),
        (f"run_id = '{setup.runs[0]}'", per_run, f"run_id = '…' ({per_run} versions)", "by_run"),
    ]
    results: list[Result] = []
    for filter_string, expected, what, key in cases:
        def search(_: int) -> None:
            n = len(client.search_model_versions(filter_string))
            check(n == expected, f"search_model_versions {filter_string} returned {n}, expected {expected}")

        def search_http(_: int) -> None:
            n = len(http.search_versions(filter=filter_string, max_results=10_000).get("model_versions", []))
            check(n == expected, f"model-versions/search {filter_string} returned {n}, expected {expected}")

        label = f"search_model_versions {what} ({cfg.search_calls} calls)"
        results += latency_results(f"search_versions_{key}", label, time_calls(search, cfg.search_calls),
                                   pcts=(50,), target=SEARCH_TARGET)
        results += latency_results(f"http_search_versions_{key}", "[HTTP] " + label,
                                   time_calls(search_http, cfg.search_calls), pcts=(50,), target=SEARCH_TARGET)
    return results


def seed_models(client: MlflowClient, cfg: Config) -> None:
    """Create cfg.models registered models with tags (untimed, on cfg.seed_threads client threads)."""
    def seed(i: int) -> None:
        client.create_registered_model(seeded_name(i), tags=seeded_tags(i))

    with ThreadPoolExecutor(cfg.seed_threads) as pool:
        list(pool.map(seed, range(cfg.models)))


def bench_search_models(client: MlflowClient, http: RawHttp, cfg: Config) -> list[Result]:
    # Everything the registry holds, with timestamps: the reference answers for the checks below.
    everything = page_models(lambda t: client_page(client, t, cfg.page_size))
    names = [m.name for m in everything]
    check(len(names) == len(set(names)), "paging returned a model twice")
    seeded = {seeded_name(i) for i in range(cfg.models)}
    check(seeded <= set(names), f"paging missed {len(seeded - set(names))} seeded models")
    newest = sorted((m.last_updated_timestamp for m in everything), reverse=True)[: cfg.search_max_results]

    limit = cfg.search_max_results
    by_name = sorted(n for n in seeded if n.startswith(f"{PREFIX}1"))[:limit]
    gold = sorted(seeded_name(i) for i in range(cfg.models) if "tier" in seeded_tags(i))[:limit]

    # (key, what, filter, order_by, the field compared, its expected values in order)
    cases = [
        ("name", f"filter {NAME_FILTER}", NAME_FILTER, None, "name", by_name),
        ("tag", f"filter {TAG_FILTER}", TAG_FILTER, None, "name", gold),
        ("ordered", f"order_by {ORDER_BY[0]}", None, ORDER_BY, "last_updated_timestamp", newest),
    ]
    total = len(names)
    results: list[Result] = []
    for key, what, filter_string, order_by, field, expected in cases:
        def search(_: int) -> None:
            found = client.search_registered_models(filter_string, max_results=limit, order_by=order_by)
            check([getattr(m, field) for m in found] == expected, f"search_registered_models {what} was wrong")

        def search_http(_: int) -> None:
            params = {"filter": filter_string, "order_by": order_by, "max_results": limit}
            found = http.search_models(**{k: v for k, v in params.items() if v}).get("registered_models", [])
            got = [m[field] if field == "name" else int(m[field]) for m in found]  # int64s may come as strings
            check(got == expected, f"registered-models/search {what} was wrong")

        label = f"search_registered_models {what}, max_results={limit}, over {total:,} models ({cfg.search_calls} calls)"
        results += latency_results(f"search_models_{key}", label, time_calls(search, cfg.search_calls),
                                   pcts=(50,), target=SEARCH_TARGET)
        results += latency_results(f"http_search_models_{key}", "[HTTP] " + label,
                                   time_calls(search_http, cfg.search_calls), pcts=(50,), target=SEARCH_TARGET)

    def one_pass(_: int) -> None:
        got = [m.name for m in page_models(lambda t: client_page(client, t, cfg.page_size))]
        check(sorted(got) == sorted(names), f"paging saw {len(got)} models, expected {total}")

    def one_pass_http(_: int) -> None:
        def page(token: str | None) -> tuple[list[str], str | None]:
            body = http.search_models(max_results=cfg.page_size, **({"page_token": token} if token else {}))
            return [m["name"] for m in body.get("registered_models", [])], body.get("next_page_token")
        got = page_models(page)
        check(sorted(got) == sorted(names), f"registered-models/search paging saw {len(got)} models, expected {total}")

    label = (f"page through all {total:,} models, max_results={cfg.page_size} "
             f"(total; p50 of {cfg.page_passes} passes)")
    results += [
        Result("page_models_total_ms", label, round(statistics.median(time_calls(one_pass, cfg.page_passes)), 2),
               "ms", "lower", SEARCH_TARGET),
        Result("http_page_models_total_ms", "[HTTP] " + label,
               round(statistics.median(time_calls(one_pass_http, cfg.page_passes)), 2), "ms", "lower", SEARCH_TARGET),
    ]
    return results


def bench_transfer(client: MlflowClient, http: RawHttp, cfg: Config, experiment_id: str, scratch: str,
                   log: Callable[[str], None]) -> list[Result]:
    """Upload a model file through the client, register it, download the version through the client,
    then the same file over plain HTTP both ways."""
    payload, digest = ensure_payload(scratch, cfg.transfer_mib)
    size = os.path.getsize(payload)
    what = f"{cfg.transfer_mib} MiB" if cfg.transfer_mib < 1024 else f"{cfg.transfer_mib / 1024:g} GiB"
    full_size = cfg.transfer_mib >= 1024  # the download target is for 1 GiB

    log(f"transfer: upload {what} through the client")
    run_id = log_model_run(client, experiment_id)
    start = time.perf_counter()
    client.log_artifact(run_id, payload, "model")  # what mlflow.log_artifact does inside a run
    upload_s = time.perf_counter() - start

    name = unique("transfer")
    client.create_registered_model(name)
    start = time.perf_counter()
    version = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id).version
    register_ms = (time.perf_counter() - start) * 1000

    log(f"transfer: download models:/{name}/{version} through the client")
    dst = tempfile.mkdtemp(prefix="download-", dir=scratch)
    try:
        start = time.perf_counter()
        local = mlflow.artifacts.download_artifacts(f"models:/{name}/{version}", dst_path=dst, tracking_uri=http.root)
        download_s = time.perf_counter() - start
        check(sha256_of(os.path.join(local, PAYLOAD)) == digest, "the downloaded model file's SHA-256 differs")
    finally:
        shutil.rmtree(dst, ignore_errors=True)

    results = [
        Result("client_upload_mb_s", f"log_artifact {what} into a run's model/ (client)", round(size / MB / upload_s, 1),
               "MB/s", "higher", UPLOAD_TARGET),
        Result("register_big_version_ms", f"create_model_version of the {what} model", round(register_ms, 2),
               "ms", "lower"),
        Result("client_download_s", f"download_artifacts models:/… {what} (client, to disk)", round(download_s, 3),
               "s", "lower"),
        Result("client_download_mb_s", f"download_artifacts models:/… {what} (client, to disk)",
               round(size / MB / download_s, 1), "MB/s", "higher"),
    ]

    log(f"transfer: {what} over plain HTTP ({cfg.http_transfer_passes} passes each way)")

    # curl when available: `requests` spends ~3 s of CPU streaming 1 GiB, which would cap the row.
    uploader = "curl -T" if shutil.which("curl") else "requests, streamed"

    def put(_: int) -> None:
        url = f"{http.root}/api/2.0/mlflow-artifacts/artifacts/bench-http/{uuid.uuid4().hex}/{PAYLOAD}"
        if shutil.which("curl"):
            status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", payload, url],
                                    check=True, capture_output=True, text=True).stdout
            check(status == "200", f"artifact PUT answered {status}")
            return
        with open(payload, "rb") as f:
            response = requests.put(url, data=f, timeout=600)  # streamed from the open file
        check(response.ok, f"artifact PUT answered {response.status_code}")

    upload_samples = time_calls(put, cfg.http_transfer_passes)
    results.append(Result("http_upload_mb_s", f"[HTTP] PUT {what} to mlflow-artifacts ({uploader}; "
                                              f"p50 of {cfg.http_transfer_passes})",
                          round(size / MB / (statistics.median(upload_samples) / 1000), 1), "MB/s", "higher",
                          UPLOAD_TARGET))

    uri = http.get("/model-versions/get-download-uri", {"name": name, "version": version})["artifact_uri"]
    url = http.artifact_url(uri).rstrip("/") + "/" + PAYLOAD
    got = hashlib.sha256()
    with http.session.get(url, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(8 << 20):
            got.update(chunk)
    check(got.hexdigest() == digest, "the version file served over HTTP has a different SHA-256")

    tool, fetch = ("curl", _curl_get) if shutil.which("curl") else ("requests", _requests_get)
    seconds = [fetch(url, size) for _ in range(cfg.http_transfer_passes)]
    download_s = statistics.median(seconds)
    label = f"[HTTP] GET the {what} version file via get-download-uri ({tool} → /dev/null; p50 of {len(seconds)})"
    results += [
        Result("http_download_s", label, round(download_s, 3), "s", "lower", DOWNLOAD_TARGET if full_size else None),
        Result("http_download_mb_s", label, round(size / MB / download_s, 1), "MB/s", "higher"),
    ]
    return results


def _curl_get(url: str, size: int) -> float:
    out = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    check(int(out[1]) == size, f"curl downloaded {out[1]} bytes, expected {size}")
    return float(out[0])


def _requests_get(url: str, size: int) -> float:
    start, n = time.perf_counter(), 0
    with requests.get(url, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(8 << 20):
            n += len(chunk)
    check(n == size, f"downloaded {n} bytes, expected {size}")
    return time.perf_counter() - start


def run_all(client: MlflowClient, http: RawHttp, cfg: Config, scratch: str,
            log: Callable[[str], None]) -> list[Result]:
    experiment_id = client.create_experiment(unique("bench-registry"))
    log("warm-up")
    warm_up(client, http, cfg, experiment_id)
    log(f"create_model_version ({cfg.versions} client + {cfg.versions} HTTP)")
    results, versions = bench_create_version(client, http, cfg, experiment_id)
    log("search_model_versions")
    results += bench_search_versions(client, http, cfg, versions)
    log(f"seeding {cfg.models:,} registered models on {cfg.seed_threads} threads (untimed)")
    start = time.perf_counter()
    seed_models(client, cfg)
    log(f"seeded in {time.perf_counter() - start:.1f}s")
    log("search_registered_models")
    results += bench_search_models(client, http, cfg)
    results += bench_transfer(client, http, cfg, experiment_id, scratch, log)
    return results


# ---------------------------------------------------------------- entry point


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scratch-dir", help="where the transfer payload is written (and reused if present); "
                                              "default: a temp dir removed at exit unless BENCH_KEEP_TMP=1")


def run(args: argparse.Namespace, log: Callable[[str], None]) -> tuple[Config, list[Result]]:
    # The client logs one "Waiting up to 300 seconds…" line per create_model_version.
    logging.getLogger("mlflow.store.model_registry.abstract_store").setLevel(logging.WARNING)
    mlflow.set_tracking_uri(args.tracking_uri)  # models:/ URIs resolve against it
    cfg = QUICK if args.quick else Config()
    scratch = args.scratch_dir or tempfile.mkdtemp(prefix="cairn-bench-registry-")
    os.makedirs(scratch, exist_ok=True)
    try:
        return cfg, run_all(MlflowClient(tracking_uri=args.tracking_uri), RawHttp(args.tracking_uri), cfg, scratch, log)
    finally:
        if not args.scratch_dir and os.environ.get("BENCH_KEEP_TMP") != "1":
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(bench_main(__doc__, run, add_arguments))
