"""Server process management and small helpers for the end-to-end suite.

The suite drives a real tracking server (Cairn, or the real `mlflow server` for validation) with the
stock MLflow Python client. Which server and which metadata backend is chosen by environment
variables, see conftest.py and README.md.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

SERVER_KIND = os.environ.get("CAIRN_E2E_SERVER", "cairn").strip().lower()
BACKEND_KIND = os.environ.get("CAIRN_E2E_BACKEND", "sqlite").strip().lower()
IS_MLFLOW = SERVER_KIND == "mlflow"
IS_CAIRN = SERVER_KIND == "cairn"

# Default readiness timeouts: `mlflow server` imports a lot and forks uvicorn workers (10-40 s on a
# busy 2-core machine); Cairn should be up in well under a second.
DEFAULT_STARTUP_TIMEOUT = 180.0 if IS_MLFLOW else 60.0
STARTUP_TIMEOUT = float(os.environ.get("CAIRN_E2E_STARTUP_TIMEOUT", DEFAULT_STARTUP_TIMEOUT))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix: str) -> str:
    """A name no other test (or xdist worker) will use."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------------------------
# Metadata backends
# --------------------------------------------------------------------------------------------


class Backend:
    """Hands out fresh, empty backend store URIs of the configured kind."""

    def __init__(self, kind: str = BACKEND_KIND):
        if kind not in ("sqlite", "postgres"):
            raise ValueError(f"CAIRN_E2E_BACKEND must be 'sqlite' or 'postgres', got {kind!r}")
        self.kind = kind
        self._databases: list[str] = []
        if kind == "postgres":
            self.admin_uri = os.environ.get("CAIRN_E2E_POSTGRES_URI")
            if not self.admin_uri:
                raise RuntimeError(
                    "CAIRN_E2E_BACKEND=postgres needs CAIRN_E2E_POSTGRES_URI, an admin URI such as "
                    "postgresql://postgres@127.0.0.1:5433/postgres"
                )

    def new_store_uri(self, directory: Path) -> str:
        if self.kind == "sqlite":
            directory.mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{directory.resolve() / 'cairn.db'}"
        import psycopg2

        name = f"cairn_e2e_{uuid.uuid4().hex[:16]}"
        conn = psycopg2.connect(self.admin_uri)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        self._databases.append(name)
        parts = urlsplit(self.admin_uri)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))

    def drop_all(self) -> None:
        """Drop the databases this object created (best effort; servers must be stopped first)."""
        if self.kind != "postgres" or not self._databases:
            return
        import psycopg2

        try:
            conn = psycopg2.connect(self.admin_uri)
        except Exception:
            return
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                for name in self._databases:
                    try:
                        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    except Exception:
                        pass
        finally:
            conn.close()
        self._databases.clear()


# --------------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------------


def _server_command(kind: str, port: int, store_uri: str, artifacts_dir: Path, extra_args: list[str] = ()) -> list[str]:
    common = [
        "--host", "127.0.0.1",
        "--port", str(port),
        "--backend-store-uri", store_uri,
        "--artifacts-destination", str(artifacts_dir),
    ]
    extra = [*extra_args, *shlex.split(os.environ.get("CAIRN_E2E_SERVER_ARGS", ""))]
    if kind == "cairn":
        binary = os.environ.get("CAIRN_BIN", str(REPO_ROOT / ".build" / "debug" / "cairn"))
        return [binary, "server", *common, *extra]
    if kind == "mlflow":
        if store_uri.startswith(("postgresql://", "postgres://")):
            # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; the venv has psycopg2.
            common[common.index(store_uri)] = "postgresql+psycopg2://" + store_uri.split("://", 1)[1]
        python = os.environ.get("CAIRN_E2E_MLFLOW_PYTHON", sys.executable)
        workers = os.environ.get("CAIRN_E2E_MLFLOW_WORKERS", "2")
        return [python, "-m", "mlflow", "server", *common, "--workers", workers, *extra]
    raise ValueError(f"CAIRN_E2E_SERVER must be 'cairn' or 'mlflow', got {kind!r}")


class ServerStartError(RuntimeError):
    pass


class ServerProcess:
    """One tracking server process (in its own process group) on a fixed port.

    `restart()` / `start()` after `stop()` or `kill()` reuse the same port, backend store and
    artifacts directory, as an operator restarting a crashed server would.
    """

    def __init__(
        self,
        store_uri: str,
        artifacts_dir: Path,
        log_path: Path,
        kind: str = SERVER_KIND,
        port: int | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        extra_args: list[str] | None = None,
    ):
        self.kind = kind
        self.store_uri = store_uri
        self.artifacts_dir = Path(artifacts_dir)
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.extra_args = list(extra_args or [])

    # -- properties ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> "ServerProcess":
        if self.is_running:
            raise RuntimeError("server already running")
        cmd = _server_command(self.kind, self.port, self.store_uri, self.artifacts_dir, self.extra_args)
        if self.kind == "cairn" and not Path(cmd[0]).exists():
            raise ServerStartError(
                f"Cairn binary not found at {cmd[0]}. Build it (swift build) or set CAIRN_BIN; "
                "set CAIRN_E2E_SERVER=mlflow to run the suite against the real mlflow server."
            )
        env = dict(os.environ)
        if self.kind == "mlflow":
            # The background job runner (huey) is irrelevant here and slows start-up/shut-down.
            env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        self._wait_port_free()
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(
                f"\n===== e2e: start #{self.starts} at {time.strftime('%H:%M:%S')}: "
                f"{shlex.join(cmd)}\n".encode()
            )
            log.flush()
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(self.log_path.parent),
                start_new_session=True,  # own process group: stop/kill reach every child
            )
        self._wait_ready()
        return self

    def _wait_port_free(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)
        raise ServerStartError(f"port {self.port} is still accepting connections")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(
                    f"{self.kind} server exited with code {self.proc.returncode} during start-up.\n"
                    f"--- log tail ({self.log_path}) ---\n{self.log_tail()}"
                )
            try:
                r = requests.get(self.url + "/health", timeout=2)
                if r.status_code == 200 and r.text.strip() == "OK":
                    return
                last_error = f"GET /health -> {r.status_code} {r.text[:100]!r}"
            except requests.RequestException as e:
                last_error = repr(e)
            time.sleep(0.1)
        self.kill()
        raise ServerStartError(
            f"{self.kind} server not ready after {self.startup_timeout:.0f}s ({last_error}).\n"
            f"--- log tail ({self.log_path}) ---\n{self.log_tail()}"
        )

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # the group id is the leader's pid (start_new_session)
        except ProcessLookupError:
            pass

    def _wait_group_gone(self, timeout: float) -> bool:
        """Reap the leader, then wait until no process of its group is left."""
        deadline = time.monotonic() + timeout
        try:
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        return False

    def stop(self, timeout: float = 20.0) -> None:
        """Graceful stop (SIGTERM to the process group), SIGKILL if it does not exit in time."""
        if self.proc is None:
            return
        if self.proc.poll() is None or self._group_alive():
            self._signal_group(signal.SIGTERM)
            if not self._wait_group_gone(timeout):
                self.kill()
                return
        self._note("stopped")

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or the OOM killer would."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        self._wait_group_gone(30.0)
        self._note("killed with SIGKILL")

    def restart(self) -> "ServerProcess":
        """Graceful stop if running, then start again on the same port, store and artifacts dir."""
        self.stop()
        return self.start()

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def _note(self, what: str) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== e2e: {what} at {time.strftime('%H:%M:%S')}\n".encode())


# --------------------------------------------------------------------------------------------
# Raw HTTP helpers
# --------------------------------------------------------------------------------------------


class RawApi:
    """Thin `requests` wrapper for hand-made REST calls."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False

    def post(self, path: str, json=None, data=None, headers=None, timeout=60):
        return self.session.post(self.base + path, json=json, data=data, headers=headers,
                                 timeout=timeout)

    def get(self, path: str, params=None, timeout=60):
        return self.session.get(self.base + path, params=params, timeout=timeout)

    # convenience wrappers used to check state
    def experiment_by_name(self, name: str):
        r = self.get("/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": name})
        return r.json().get("experiment") if r.status_code == 200 else None

    def get_run(self, run_id: str) -> dict:
        r = self.get("/api/2.0/mlflow/runs/get", params={"run_id": run_id})
        assert r.status_code == 200, r.text
        return r.json()["run"]

    def metric_history(self, run_id: str, key: str) -> list[dict]:
        r = self.get("/api/2.0/mlflow/metrics/get-history",
                     params={"run_id": run_id, "metric_key": key})
        assert r.status_code == 200, r.text
        return r.json().get("metrics", [])


def assert_json_error(resp, statuses=(400,), codes=("INVALID_PARAMETER_VALUE",)) -> dict:
    """Assert an MLflow-style error response and return its parsed body."""
    if isinstance(statuses, int):
        statuses = (statuses,)
    if isinstance(codes, str):
        codes = (codes,)
    assert resp.status_code in statuses, (
        f"expected HTTP {statuses}, got {resp.status_code}: {resp.text[:500]}"
    )
    try:
        body = resp.json()
    except ValueError:
        raise AssertionError(
            f"error body is not JSON (Content-Type {resp.headers.get('Content-Type')}): "
            f"{resp.text[:300]!r}"
        )
    assert isinstance(body, dict), body
    assert body.get("error_code") in codes, f"error_code {body.get('error_code')!r} not in {codes}: {body}"
    assert isinstance(body.get("message"), str) and body["message"].strip(), body
    return body


def start_replica(model: str, server_url: str | None = None, cache=None, extra_args: list[str] | None = None,
                  timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Starts `cairn replica --model MODEL` (a models:/ URI fetched from `server_url`, or a file or
    folder) and waits until it is ready. Its output is kept in a temporary file, shown on failure."""
    port = free_port()
    binary = os.environ.get("CAIRN_BIN", str(REPO_ROOT / ".build" / "debug" / "cairn"))
    # The replica finds libonnxruntime.so by asking the Python on PATH: make that this venv's.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("CAIRN_ONNXRUNTIME_LIB", None)
    command = [binary, "replica", "--model", model, "--port", str(port)]
    if server_url:
        command += ["--server", server_url, "--cache-dir", str(cache)]
    command += extra_args or []
    # A file, not a pipe: an external runtime logs every request, and a full pipe would stall it.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    process.log = log

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert process.poll() is None, output()
        try:
            if requests.get(f"{url}/v2/health/ready", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the replica never became ready:\n{output()}")


def register_onnx(server_url: str, onnx: bytes, folder: Path, prefix: str) -> str:
    """Logs `onnx` as a run's `model` artifact (with an MLmodel naming the onnx flavour) through the
    mlflow client and registers it as version 1 of a new model, aliased @champion."""
    from mlflow import MlflowClient

    name = unique(prefix)
    version = add_onnx_version(server_url, name, onnx, folder)
    MlflowClient(tracking_uri=server_url).set_registered_model_alias(name, "champion", version)
    return name


def add_onnx_version(server_url: str, name: str, onnx: bytes, folder: Path) -> str:
    """Logs `onnx` as a run's `model` artifact and registers it as the next version of `name`
    (the first creates the registered model)."""
    import mlflow
    from mlflow import MlflowClient

    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(onnx)
    (folder / "MLmodel").write_text("artifact_path: model\nflavors:\n  onnx: {data: model.onnx}\n")
    client = MlflowClient(tracking_uri=server_url)
    run_id = client.create_run("0").info.run_id
    client.log_artifacts(run_id, str(folder), "model")
    mlflow.set_tracking_uri(server_url)
    return mlflow.register_model(f"runs:/{run_id}/model", name).version
