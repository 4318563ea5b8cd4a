#!/usr/bin/env bash
# Registry benchmark: the same MLflow-client model-registry workload (bench.py) against
# stock `mlflow server` and `cairn server`, both on fresh SQLite stores, then one table.
#
# Usage: benchmarks/registry/run.sh [--only mlflow|cairn] [--quick]
#
# Environment:
#   CAIRN_VENV            venv with mlflow==3.17.2 (default ~/.cache/cairn/venv; created if missing)
#   CAIRN_BIN             prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_MLFLOW_WORKERS  `mlflow server --workers` (default 4, its own default)
#   BENCH_HEALTH_TIMEOUT  seconds to wait for GET /health (default 240)
#   BENCH_KEEP_TMP=1      keep the temp dir (databases, artifacts, the transfer payload, server logs)
set -euo pipefail

BENCH_NAME=registry
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MLFLOW_SERVER_ARGS=(--workers "${BENCH_MLFLOW_WORKERS:-4}")
# shellcheck source=../common/lib.sh
source "$BENCH_DIR/../common/lib.sh"

# The transfer payload (1 GiB of random bytes; 64 MiB with --quick) is written once into
# $WORK/scratch and reused for both servers; cleanup removes it with the rest of $WORK.
bench_extra_args() { EXTRA_ARGS=(--scratch-dir "$WORK/scratch"); }

bench_main "$@"
