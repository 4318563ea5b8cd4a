"""Fixtures for the end-to-end suite.

Environment:
  CAIRN_E2E_SERVER      cairn (default) | mlflow
  CAIRN_BIN             Cairn binary (default <repo>/.build/debug/cairn)
  CAIRN_E2E_BACKEND     sqlite (default) | postgres
  CAIRN_E2E_POSTGRES_URI  admin URI for postgres, e.g. postgresql://postgres@127.0.0.1:5433/postgres;
                        a fresh database is created per server instance
  CAIRN_E2E_STARTUP_TIMEOUT  seconds to wait for GET /health (default 60 cairn, 180 mlflow)
  CAIRN_E2E_SERVER_ARGS extra arguments appended to the server command line
  CAIRN_E2E_MLFLOW_WORKERS   uvicorn workers for `mlflow server` (default 2)
"""

from __future__ import annotations

import os

# Client-side settings, before mlflow is imported anywhere.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
# The stock client retries 5xx/connection errors 7 times with backoff factor 2 (about 4 minutes).
# Keep a little retrying (like a user would have) but fail fast enough to be useful.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.pop("MLFLOW_TRACKING_URI", None)
os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
os.environ.pop("MLFLOW_RUN_ID", None)

import pytest  # noqa: E402

from e2e_support import (  # noqa: E402
    BACKEND_KIND,
    IS_MLFLOW,
    SERVER_KIND,
    Backend,
    RawApi,
    ServerProcess,
    ServerStartError,
    unique,
)


def pytest_report_header(config):
    return [f"cairn e2e: server={SERVER_KIND} backend={BACKEND_KIND}"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mlflow_differs(reason): real `mlflow server` behaves differently here; the test is "
        "skipped when CAIRN_E2E_SERVER=mlflow",
    )


def pytest_collection_modifyitems(config, items):
    if not IS_MLFLOW:
        return
    for item in items:
        marker = item.get_closest_marker("mlflow_differs")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"real mlflow server differs: {reason}"))


# ----------------------------------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def backends():
    """Backend per kind ("sqlite" / "postgres"), created on first use; postgres DBs dropped at the end."""
    made: dict[str, Backend] = {}

    def get(kind: str = BACKEND_KIND) -> Backend:
        if kind not in made:
            made[kind] = Backend(kind)
        return made[kind]

    yield get
    for b in made.values():
        b.drop_all()


@pytest.fixture(scope="session")
def backend(backends):
    """The backend selected by CAIRN_E2E_BACKEND."""
    return backends()


def _start_or_fail(server: ServerProcess) -> ServerProcess:
    try:
        return server.start()
    except ServerStartError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory, backend):
    """The shared server for tests that don't stop or kill it (one per xdist worker)."""
    base = tmp_path_factory.mktemp("default-server")
    srv = ServerProcess(
        store_uri=backend.new_store_uri(base / "db"),
        artifacts_dir=base / "artifacts",
        log_path=base / "server.log",
    )
    _start_or_fail(srv)
    yield srv
    srv.stop()


@pytest.fixture
def server_factory(tmp_path, backends):
    """Start private servers (fresh backend each) for tests that stop, kill or restart them.

    `server_factory(name, backend_kind=None, extra_args=None)`; backend_kind defaults to CAIRN_E2E_BACKEND.
    """
    started: list[ServerProcess] = []

    def make(name: str = "server", backend_kind: str | None = None, extra_args: list[str] | None = None) -> ServerProcess:
        base = tmp_path / name
        srv = ServerProcess(
            store_uri=backends(backend_kind or BACKEND_KIND).new_store_uri(base / "db"),
            artifacts_dir=base / "artifacts",
            log_path=base / "server.log",
            extra_args=extra_args,
        )
        started.append(srv)
        return _start_or_fail(srv)

    make.servers = started
    yield make
    for srv in started:
        srv.stop(timeout=10)


@pytest.fixture
def client(server):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=server.url)


@pytest.fixture
def fluent(server):
    """Point the fluent API (mlflow.start_run, mlflow.log_*) at the shared server."""
    import mlflow
    import mlflow.tracking.fluent as fluent_mod
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(server.url)
    fluent_mod._active_experiment_id = None
    yield MlflowClient(tracking_uri=server.url)
    while mlflow.active_run() is not None:
        mlflow.end_run()
    fluent_mod._active_experiment_id = None


@pytest.fixture
def api(server):
    return RawApi(server.url)


@pytest.fixture
def name():
    """A unique experiment name per test (safe under pytest-xdist)."""
    return unique("e2e")


# ----------------------------------------------------------------------------------------------
# Attach server logs to failing tests
# ----------------------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    servers = []
    funcargs = getattr(item, "funcargs", {})
    if isinstance(funcargs.get("server"), ServerProcess):
        servers.append(("server", funcargs["server"]))
    factory = funcargs.get("server_factory")
    for i, srv in enumerate(getattr(factory, "servers", []) or []):
        servers.append((f"server_factory[{i}]", srv))
    for label, srv in servers:
        report.sections.append(
            (f"{label} log tail ({srv.log_path})", srv.log_tail(80))
        )
