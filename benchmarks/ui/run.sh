#!/usr/bin/env bash
# Web UI benchmark: server time for the two heavy pages, on the same data in stock `mlflow server`
# and `cairn server` (fresh SQLite stores): an experiment of 10,000 runs shown 100 at a time sorted
# by a metric, and a run whose metric has 100,000 steps drawn as a chart. Prints one table.
#
# Usage: benchmarks/ui/run.sh [--only mlflow|cairn] [--quick]
#
# Environment:
#   CAIRN_VENV            venv with mlflow==3.17.2 (default ~/.cache/cairn/venv; created if missing)
#   CAIRN_BIN             prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_MLFLOW_WORKERS  `mlflow server --workers` (default 4, its own default)
#   BENCH_HEALTH_TIMEOUT  seconds to wait for GET /health (default 240)
#   BENCH_KEEP_TMP=1      keep the temp dir (databases, server logs)
set -euo pipefail

BENCH_NAME=ui
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MLFLOW_SERVER_ARGS=(--workers "${BENCH_MLFLOW_WORKERS:-4}")
# shellcheck source=../common/lib.sh
source "$BENCH_DIR/../common/lib.sh"

bench_main "$@"
