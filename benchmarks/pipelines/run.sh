#!/usr/bin/env bash
# Pipeline orchestration benchmark: a 500-step DAG of no-op commands on `cairn server`, against the
# raw cost of spawning the same 500 processes at the same parallelism, plus trigger-to-first-step
# latency. Prints one table.
#
# Usage: benchmarks/pipelines/run.sh [--quick]
#
# Environment:
#   CAIRN_VENV            venv (default ~/.cache/cairn/venv; created if missing)
#   CAIRN_BIN             prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_KEEP_TMP=1      keep the temp dir (database, step folders, server log)
set -euo pipefail

BENCH_NAME=pipelines
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../common/lib.sh
source "$BENCH_DIR/../common/lib.sh"
SERVERS=(cairn)  # the baseline is the raw process spawn, measured by bench.py itself

# Steps may hold 2 CPUs at once; each step asks for 1, so two run at a time (the raw baseline
# spawns with the same parallelism).
server_cmd() {
    local port=$2 dir=$3
    CMD=("$CAIRN" server --host 127.0.0.1 --port "$port" --backend-store-uri "sqlite:///$dir/cairn.db"
         --artifacts-destination "$dir/artifacts" --pipeline-cpus 2)
}
bench_extra_args() { EXTRA_ARGS=(--parallelism 2); }

bench_main "$@"
