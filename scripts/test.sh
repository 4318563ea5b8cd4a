#!/usr/bin/env bash
# The whole test suite: Swift unit and store tests (SQLite and PostgreSQL), then the end-to-end
# suite with the real mlflow client against a real `cairn server`, on SQLite and on PostgreSQL.
# Installs what it needs (PostgreSQL, headless Chromium for the web UI tests and Redis for the
# online feature store from Debian's packages; pip packages in virtualenvs, Feast in its own).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/postgres.sh

venv="$(scripts/python-env.sh)"
# Feast, in a venv of its own (its pins differ from mlflow's), for the point-in-time join comparison.
export CAIRN_FEAST_PYTHON="$(scripts/python-env.sh tests/e2e/requirements-feast.txt "$HOME/.cache/cairn/feast-venv")/bin/python"
scripts/apt-install.sh chromium chromium-driver redis-server
cairn_postgres_start
trap cairn_postgres_stop EXIT

echo "== swift build"
build_log="$(mktemp)"
if ! swift build --build-tests >"$build_log" 2>&1; then
    grep -E "error:" "$build_log" | head -40 || tail -40 "$build_log"
    exit 1
fi
grep -E "^$PWD/(Sources|Tests)/.*warning:" "$build_log" || true

echo "== swift test"
# Tests that need Python (ONNX models built with skl2onnx, checked against onnxruntime) use the venv.
CAIRN_TEST_PYTHON="$venv/bin/python" swift test --skip-build --parallel

export CAIRN_BIN="$PWD/.build/debug/cairn"
echo "== e2e with the mlflow client against cairn on SQLite"
CAIRN_E2E_BACKEND=sqlite "$venv/bin/python" -m pytest tests/e2e -n 2 --dist loadgroup -q -p no:cacheprovider
echo "== e2e with the mlflow client against cairn on PostgreSQL"
CAIRN_E2E_BACKEND=postgres CAIRN_E2E_POSTGRES_URI="$CAIRN_TEST_POSTGRES_URI" \
    "$venv/bin/python" -m pytest tests/e2e -n 2 --dist loadgroup -q -p no:cacheprovider
