#!/usr/bin/env bash
# Tracking benchmark: the same MLflow-client workload (bench.py) against stock
# `mlflow server` and `cairn server`, both on fresh SQLite stores, then one table.
#
# Usage: benchmarks/tracking/run.sh [--only mlflow|cairn] [--quick]
#
# Environment:
#   CAIRN_VENV            venv with mlflow==3.17.2 (default ~/.cache/cairn/venv; created if missing)
#   CAIRN_BIN             prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_HEALTH_TIMEOUT  seconds to wait for GET /health (default 240; stock mlflow
#                         needs ~45 s on 2 cores to migrate a fresh database)
#   BENCH_KEEP_TMP=1      keep the temp dir (databases, server logs) for inspection
set -euo pipefail

BENCH_NAME=tracking
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../common/lib.sh
source "$BENCH_DIR/../common/lib.sh"

bench_main "$@"
