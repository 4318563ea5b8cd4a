"""The pipeline example on a real Ray cluster: a local Ray head (Ray from pip) started here, and a
`cairn server --ray-address` that submits every step through Ray's Jobs REST API."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from e2e_support import BACKEND_KIND, free_port, unique
from test_pipelines import EXAMPLE, Pipelines, steps

pytestmark = [
    pytest.mark.mlflow_differs(reason="pipelines are Cairn's own API"),
    # The executor does not touch the metadata store; one backend is enough.
    pytest.mark.skipif(BACKEND_KIND == "postgres", reason="the Ray executor is the same on every store; run on sqlite"),
]


@pytest.fixture(scope="module")
def ray_dashboard(tmp_path_factory):
    ray = Path(sys.executable).parent / "ray"
    if not ray.exists():
        pytest.fail("ray is not installed in the test venv (tests/e2e/requirements.txt)", pytrace=False)
    dashboard_port = free_port()
    # Ray keeps Unix sockets in its temp dir: pytest's tmp paths are longer than a socket path may be.
    temp = tempfile.mkdtemp(prefix="cairn-ray-", dir="/tmp")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1"}
    subprocess.run([str(ray), "start", "--head", f"--port={free_port()}", "--dashboard-host=127.0.0.1",
                    f"--dashboard-port={dashboard_port}", "--include-dashboard=true", "--num-cpus=2", "--num-gpus=0",
                    "--disable-usage-stats", f"--temp-dir={temp}"],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180)
    url = f"http://127.0.0.1:{dashboard_port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                if requests.get(f"{url}/api/version", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert time.time() < deadline, "Ray's dashboard did not come up"
            time.sleep(0.5)
        yield url
    finally:
        subprocess.run([str(ray), "stop", "--force"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


def test_example_pipeline_runs_every_step_as_a_ray_job(server_factory, ray_dashboard):
    from mlflow import MlflowClient

    server = server_factory("ray-executor", extra_args=["--ray-address", ray_dashboard])
    pipelines = Pipelines(server.url)
    model_name = unique("churn-ray")
    run = pipelines.submit((EXAMPLE / "pipeline.yaml").read_text(), code=str(EXAMPLE), model_name=model_name, samples=3000)
    run = pipelines.wait(run["run_id"], timeout=600)
    assert run["status"] == "succeeded", steps(run)
    assert MlflowClient(tracking_uri=server.url).get_model_version_by_alias(model_name, "champion").version == "1"

    jobs = requests.get(f"{ray_dashboard}/api/jobs/", timeout=30).json()
    ours = {job["submission_id"]: job for job in jobs if job["submission_id"].startswith(f"cairn-{run['run_id']}-")}
    assert len(ours) == 6, sorted(ours)  # prepare, train ×3, evaluate, register
    assert all(job["status"] == "SUCCEEDED" for job in ours.values())
    assert {job["metadata"]["cairn_step"] for job in ours.values()} == set(steps(run))
