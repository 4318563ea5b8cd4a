"""Training pipelines on a real `cairn server`: the scikit-learn example end to end, retries with
backoff, timeouts and cancel that leave no process behind, retry from failure, crash recovery
with no step executed twice, resource admission, and invalid specs refused with nothing created.

Steps are real processes; marker files they append to count how often each one ran.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from e2e_support import unique

pytestmark = pytest.mark.mlflow_differs(reason="pipelines are Cairn's own API")

# Steps run `python` through the server's PATH: make it this venv's, which has sklearn and mlflow.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-pipeline"


class Pipelines:
    """The `/api/v1` pipeline API of one server."""

    def __init__(self, url: str):
        self.url = url + "/api/v1"

    def submit(self, spec: str, **params) -> dict:
        response = requests.post(f"{self.url}/pipeline-runs", json={"spec_yaml": spec, "params": params}, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()["pipeline_run"]

    def get(self, run_id: str) -> dict:
        response = requests.get(f"{self.url}/pipeline-runs/{run_id}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["pipeline_run"]

    def wait(self, run_id: str, timeout: float = 180, until=lambda run: run["status"] != "running") -> dict:
        deadline = time.time() + timeout
        while True:
            run = self.get(run_id)
            if until(run):
                return run
            assert time.time() < deadline, f"pipeline run still {run['status']}: {steps(run)}"
            time.sleep(0.2)

    def post(self, path: str) -> requests.Response:
        return requests.post(f"{self.url}{path}", json={}, timeout=30)

    def attempts(self, run_id: str, step: str) -> list[dict]:
        return requests.get(f"{self.url}/pipeline-runs/{run_id}/steps/{step}/attempts", timeout=30).json()["attempts"]


def steps(run: dict) -> dict[str, dict]:
    return {step["step_key"]: step for step in run["steps"]}


def marker_lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def process_gone(pid: int) -> bool:
    """True when the process has exited (a zombie left for init to reap counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.fixture
def pipelines(server):
    return Pipelines(server.url)


def test_example_pipeline_registers_only_when_it_beats_the_champion_and_caches_reruns(pipelines, server):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=server.url)
    model_name = unique("churn")
    spec = (EXAMPLE / "pipeline.yaml").read_text()

    started = time.time()
    first = pipelines.submit(spec, code=str(EXAMPLE), model_name=model_name, samples=4000)
    first = pipelines.wait(first["run_id"], timeout=300)
    first_seconds = time.time() - started
    assert first["status"] == "succeeded", steps(first)
    states = {key: step["status"] for key, step in steps(first).items()}
    assert states == {"prepare": "succeeded", "train[0]": "succeeded", "train[1]": "succeeded", "train[2]": "succeeded",
                      "evaluate": "succeeded", "register": "succeeded"}
    champion = client.get_model_version_by_alias(model_name, "champion")
    assert champion.version == "1"
    # Tracking is built in: the pipeline run is a parent run, each step a nested run holding what the step logged.
    evaluate_run = client.get_run(steps(first)["evaluate"]["mlflow_run_id"])
    assert evaluate_run.data.tags["mlflow.parentRunId"] == first["mlflow_run_id"]
    assert evaluate_run.data.metrics["auc"] > 0.8 and evaluate_run.data.metrics["champion_auc"] == 0.0
    train_run = client.get_run(steps(first)["train[1]"]["mlflow_run_id"])
    assert train_run.data.params["C"] == "1.0" and "cv_auc" in train_run.data.metrics

    started = time.time()
    second = pipelines.wait(pipelines.submit(spec, code=str(EXAMPLE), model_name=model_name, samples=4000)["run_id"], timeout=300)
    second_seconds = time.time() - started
    assert second["status"] == "succeeded", steps(second)
    states = {key: step["status"] for key, step in steps(second).items()}
    assert states["prepare"] == "cached" and all(states[f"train[{i}]"] == "cached" for i in range(3))
    assert states["evaluate"] == "succeeded"  # cache: false, it compares with the live champion
    assert states["register"] == "skipped" and "condition is false" in steps(second)["register"]["message"]
    assert [v.version for v in client.search_model_versions(f"name = '{model_name}'")] == ["1"]
    assert second_seconds < first_seconds * 0.6, (first_seconds, second_seconds)

    # A threshold the model cannot reach: the condition is false, nothing registered.
    third = pipelines.wait(pipelines.submit(spec, code=str(EXAMPLE), model_name=unique("churn"), samples=4000, min_auc=0.999)["run_id"], timeout=300)
    assert steps(third)["register"]["status"] == "skipped"


def test_flaky_step_is_retried_with_exponential_backoff(pipelines, tmp_path):
    counter = tmp_path / "tries"
    spec = textwrap.dedent(f"""
        name: {unique("flaky")}
        steps:
          flaky:
            command: echo try >> {counter}; test $(wc -l < {counter}) -ge 3
            retry: {{attempts: 3, initial_delay: 1s, multiplier: 2, max_delay: 10s}}
            cache: false
    """)
    run = pipelines.wait(pipelines.submit(spec)["run_id"])
    assert run["status"] == "succeeded"
    assert steps(run)["flaky"]["attempt"] == 3 and len(marker_lines(counter)) == 3
    attempts = pipelines.attempts(run["run_id"], "flaky")
    assert [a["exit_code"] for a in attempts] == [1, 1, 0]
    first_gap = (attempts[1]["started_at"] - attempts[0]["ended_at"]) / 1000
    second_gap = (attempts[2]["started_at"] - attempts[1]["ended_at"]) / 1000
    assert 1.0 <= first_gap < 1.9 and 2.0 <= second_gap < 2.9, (first_gap, second_gap)


def test_timeout_kills_the_whole_process_tree(pipelines, tmp_path):
    pids = tmp_path / "pids"
    spec = textwrap.dedent(f"""
        name: {unique("slow")}
        steps:
          slow:
            command: (sleep 300 & echo $! >> {pids}; wait) & echo $! >> {pids}; sleep 300
            timeout: 2s
            cache: false
          after:
            needs: [slow]
            command: echo never
    """)
    started = time.time()
    run = pipelines.wait(pipelines.submit(spec)["run_id"], timeout=60)
    assert time.time() - started < 30
    assert run["status"] == "failed"
    assert "killed after its timeout" in steps(run)["slow"]["message"]
    assert steps(run)["after"]["status"] == "skipped"
    started_pids = [int(pid) for pid in marker_lines(pids)]
    assert len(started_pids) == 2
    deadline = time.time() + 15
    while not all(process_gone(pid) for pid in started_pids):
        assert time.time() < deadline, f"still running: {[pid for pid in started_pids if not process_gone(pid)]}"
        time.sleep(0.2)


def test_cancel_stops_running_steps_and_leaves_nothing_running(pipelines, tmp_path):
    pids = tmp_path / "pids"
    spec = textwrap.dedent(f"""
        name: {unique("cancel")}
        steps:
          long:
            foreach: [1, 2]
            command: sleep 300 & echo $! >> {pids}; wait
            resources: {{cpu: 0.1}}
            cache: false
          later:
            needs: [long]
            command: echo never
    """)
    run_id = pipelines.submit(spec)["run_id"]
    pipelines.wait(run_id, timeout=30, until=lambda run: len(marker_lines(pids)) == 2)
    response = pipelines.post(f"/pipeline-runs/{run_id}/cancel")
    assert response.status_code == 200, response.text
    run = pipelines.wait(run_id, timeout=30)
    assert run["status"] == "cancelled"
    assert {key: step["status"] for key, step in steps(run).items()} == {"long[0]": "cancelled", "long[1]": "cancelled", "later": "cancelled"}
    deadline = time.time() + 15
    while not all(process_gone(int(pid)) for pid in marker_lines(pids)):
        assert time.time() < deadline, "a cancelled step's process is still running"
        time.sleep(0.2)
    again = pipelines.post(f"/pipeline-runs/{run_id}/cancel")
    assert again.status_code == 409 and again.json()["error_code"] == "INVALID_STATE"


def test_retry_from_failure_reruns_only_the_failed_part(pipelines, tmp_path):
    marks, flag = tmp_path / "marks", tmp_path / "ready"
    spec = textwrap.dedent(f"""
        name: {unique("resume")}
        steps:
          first:
            command: echo first >> {marks}; echo data > {{{{outputs.data}}}}/d.txt
            outputs: [data]
          second:
            inputs: {{data: steps.first.outputs.data}}
            command: echo second >> {marks}; test -e {flag}
          third:
            needs: [second]
            command: echo third >> {marks}
    """)
    run = pipelines.wait(pipelines.submit(spec)["run_id"])
    assert run["status"] == "failed" and steps(run)["second"]["status"] == "failed"
    assert steps(run)["third"]["status"] == "skipped"
    flag.touch()
    response = pipelines.post(f"/pipeline-runs/{run['run_id']}/retry")
    assert response.status_code == 200, response.text
    run = pipelines.wait(run["run_id"])
    assert run["status"] == "succeeded", steps(run)
    assert marker_lines(marks) == ["first", "second", "second", "third"]  # first was not run again
    assert steps(run)["first"]["attempt"] == 1 and steps(run)["second"]["attempt"] == 2


def test_crash_recovery_runs_no_successful_step_twice(server_factory, tmp_path):
    server = server_factory("pipeline-crash")
    pipelines = Pipelines(server.url)
    marks = tmp_path / "marks"
    chain = "\n".join(
        f"""
          s{i}:
            {"needs: [s" + str(i - 1) + "]" if i > 1 else ""}
            command: sleep {1 if i % 2 else 2}; echo s{i} >> {marks}
            cache: false"""
        for i in range(1, 7))
    spec = f"name: {unique('crash')}\nsteps:{chain}\n"
    run_id = pipelines.submit(spec)["run_id"]
    # Kill the server while a step is running, twice, at different points.
    for wanted in (2, 4):
        pipelines.wait(run_id, timeout=60, until=lambda run: steps(run)[f"s{wanted}"]["status"] == "running")
        server.kill()
        time.sleep(0.5)
        server.start()
        pipelines = Pipelines(server.url)
    run = pipelines.wait(run_id, timeout=120)
    assert run["status"] == "succeeded", steps(run)
    assert marker_lines(marks) == [f"s{i}" for i in range(1, 7)]  # each exactly once, in order


def test_resource_admission_queues_what_does_not_fit_and_runs_what_fits_in_parallel(server_factory, tmp_path):
    server = server_factory("pipeline-capacity", extra_args=["--pipeline-cpus", "2", "--pipeline-gpus", "1"])
    pipelines = Pipelines(server.url)
    spec = textwrap.dedent(f"""
        name: {unique("capacity")}
        steps:
          big:
            command: echo never
            resources: {{gpu: 2}}
          left:
            command: sleep 1.5
            resources: {{cpu: 1}}
            cache: false
          right:
            command: sleep 1.5
            resources: {{cpu: 1}}
            cache: false
          gpu_a:
            needs: [left, right]
            command: sleep 1
            resources: {{cpu: 0.5, gpu: 1}}
            cache: false
          gpu_b:
            needs: [left, right]
            command: sleep 1
            resources: {{cpu: 0.5, gpu: 1}}
            cache: false
    """)
    run_id = pipelines.submit(spec)["run_id"]
    run = pipelines.wait(run_id, timeout=60, until=lambda run: all(
        steps(run)[name]["status"] == "succeeded" for name in ("left", "right", "gpu_a", "gpu_b")))
    by_name = steps(run)
    assert by_name["big"]["status"] == "queued"
    assert "more than the capacity" in by_name["big"]["message"]

    def overlap(a: dict, b: dict) -> bool:
        return a["started_at"] < b["ended_at"] and b["started_at"] < a["ended_at"]

    assert overlap(by_name["left"], by_name["right"])  # 1 + 1 cpu fit in 2
    assert not overlap(by_name["gpu_a"], by_name["gpu_b"])  # 1 + 1 gpu do not fit in 1
    assert pipelines.post(f"/pipeline-runs/{run_id}/cancel").status_code == 200
    assert pipelines.wait(run_id, timeout=30)["status"] == "cancelled"


@pytest.mark.parametrize("body, location, fragment", [
    ("steps:\n  a: {command: x, needs: [b]}\n  b: {command: y, needs: [a]}", "steps.", "dependency cycle: "),
    ("steps:\n  a: {command: x}\n  b:\n    command: y\n    inputs: {d: steps.a.outputs.data}", "steps.b.inputs.d",
     "step 'a' has no output 'data'"),
    ("steps:\n  a: {command: x}\n  b:\n    command: y\n    inputs: {d: steps.nope.outputs.data}", "steps.b.inputs.d", "unknown step 'nope'"),
    ("steps:\n  a: {command: x, outputs: [m]}\n  b: {command: y, needs: [a], when: 'steps.a.metrics.auc >>= 1'}", "steps.b.when",
     "invalid condition"),
    ("steps:\n  a: {command: x}\n  b: {command: y, when: 'steps.a.metrics.auc > 1'}", "steps.b.when", "does not wait for"),
    ("steps:\n  a:\n    command: x\n    retry: {atempts: 3}", "steps.a.retry.atempts", "unknown field 'atempts'"),
    ("steps:\n  a: {command: x, colour: blue}", "steps.a.colour", "unknown field 'colour'"),
    ("steps:\n  a: {command: 'echo {{inputs.missing}}'}", "steps.a.command", "unknown placeholder '{{inputs.missing}}'"),
    ("steps:\n  a: {command: x, timeout: soon}", "steps.a.timeout", "expected a duration"),
    ("schedule: '61 * * * *'\nsteps:\n  a: {command: x}", "schedule", "invalid minute field"),
    ("steps:\n  a: {command: x, timeout: .inf}", "steps.a.timeout", "at most 30 days"),
    ("steps:\n  a:\n    command: x\n    retry: {initial_delay: 1e308h}", "steps.a.retry.initial_delay", "at most 30 days"),
    ("steps:\n  a: {command: x, resources: {memory: 1e30Gi}}", "steps.a.resources.memory", "expected a size"),
    ("params: {n: {type: int}}\nschedule: '0 * * * *'\nsteps:\n  a: {command: x}", "params.n", "needs a default"),
])
def test_invalid_specs_are_refused_naming_step_and_field_and_create_nothing(pipelines, body, location, fragment):
    name = unique("invalid")
    response = requests.post(f"{pipelines.url}/pipelines", json={"spec_yaml": f"name: {name}\n{body}\n"}, timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error_code"] == "INVALID_PARAMETER_VALUE"
    assert location in error["message"] and fragment in error["message"], error["message"]
    assert requests.get(f"{pipelines.url}/pipelines/{name}", timeout=30).status_code == 404
    runs = requests.post(f"{pipelines.url}/pipeline-runs", json={"spec_yaml": f"name: {name}\n{body}\n"}, timeout=30)
    assert runs.status_code == 400


def test_bad_submissions_are_refused(pipelines):
    spec = f"name: {unique('params')}\nparams:\n  n: {{type: int}}\nsteps:\n  a: {{command: 'echo {{{{params.n}}}}'}}\n"
    missing = requests.post(f"{pipelines.url}/pipeline-runs", json={"spec_yaml": spec}, timeout=30)
    assert missing.status_code == 400 and "Parameter 'n' is required" in missing.json()["message"]
    wrong = requests.post(f"{pipelines.url}/pipeline-runs", json={"spec_yaml": spec, "params": {"n": "many"}}, timeout=30)
    assert wrong.status_code == 400 and "expected an integer" in wrong.json()["message"]
    unknown = requests.post(f"{pipelines.url}/pipeline-runs", json={"spec_yaml": spec, "params": {"n": 1, "m": 2}}, timeout=30)
    assert unknown.status_code == 400 and "Unknown parameter 'm'" in unknown.json()["message"]
    assert requests.get(f"{pipelines.url}/pipeline-runs/nope", timeout=30).status_code == 404
    assert pipelines.post("/pipeline-runs/nope/cancel").status_code == 404


def test_event_trigger_starts_a_run_for_each_new_model_version(pipelines, server, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=server.url)
    seen = tmp_path / "seen"
    name = unique("on-new-version")
    spec = textwrap.dedent(f"""
        name: {name}
        params:
          model_name: {{type: string, default: none}}
          model_version: {{type: string, default: none}}
        triggers:
          - event: model_version.created
        steps:
          validate:
            command: echo {{{{params.model_name}}}}/{{{{params.model_version}}}} >> {seen}
            cache: false
    """)
    assert requests.post(f"{pipelines.url}/pipelines", json={"spec_yaml": spec}, timeout=30).status_code == 200
    model = unique("triggered")
    client.create_registered_model(model)
    run_id = client.create_run("0").info.run_id
    client.log_text(run_id, "artifact_path: model\nflavors: {}\n", "model/MLmodel")
    client.create_model_version(model, f"runs:/{run_id}/model", run_id=run_id)
    deadline = time.time() + 30
    while len(marker_lines(seen)) < 1:
        assert time.time() < deadline, "no pipeline run was triggered by model_version.created"
        time.sleep(0.3)
    runs = requests.get(f"{pipelines.url}/pipeline-runs", params={"pipeline": name}, timeout=30).json()["pipeline_runs"]
    assert len(runs) == 1 and runs[0]["triggered_by"].startswith("event model_version.created #")
    assert runs[0]["params"] == {"model_name": model, "model_version": "1"}
    pipelines.wait(runs[0]["run_id"])
    assert marker_lines(seen) == [f"{model}/1"]


def test_cron_schedule_starts_runs(pipelines, tmp_path):
    name = unique("every-minute")
    spec = f"name: {name}\nschedule: '* * * * *'\nsteps:\n  tick:\n    command: 'true'\n    cache: false\n"
    assert requests.post(f"{pipelines.url}/pipelines", json={"spec_yaml": spec}, timeout=30).status_code == 200
    deadline = time.time() + 75
    while True:
        runs = requests.get(f"{pipelines.url}/pipeline-runs", params={"pipeline": name}, timeout=30).json()["pipeline_runs"]
        if runs:
            break
        assert time.time() < deadline, "the every-minute schedule started nothing"
        time.sleep(1)
    assert runs[0]["triggered_by"] == "schedule"
    assert pipelines.wait(runs[0]["run_id"])["status"] == "succeeded"


def test_parameters_reach_commands_as_data_not_shell_syntax(pipelines, tmp_path):
    out, injected = tmp_path / "out", tmp_path / "injected"
    spec = textwrap.dedent(f"""
        name: {unique("quoting")}
        params:
          text: {{type: string, default: plain}}
        steps:
          echo:
            command: echo {{{{params.text}}}} > {out}
            cache: false
    """)
    hostile = f"it's; touch {injected} $(touch {injected}) `touch {injected}`"
    run = pipelines.wait(pipelines.submit(spec, text=hostile)["run_id"])
    assert run["status"] == "succeeded", steps(run)
    assert out.read_text().strip() == hostile
    assert not injected.exists()
