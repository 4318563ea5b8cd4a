#!/usr/bin/env bash
# Serving benchmark: the same scikit-learn model served by `cairn replica` (ONNX), `mlflow models
# serve` (pickled) and MLServer (mlserver-sklearn), one at a time on loopback, under the same
# closed-loop wrk load: concurrency 1 and 32, 1-row and 100-row requests. Prints one table.
#
# Usage: benchmarks/serving/run.sh [--quick] [--only cairn|mlflow|mlserver]
#
# Environment:
#   CAIRN_VENV            venv with mlflow, scikit-learn, skl2onnx (default ~/.cache/cairn/venv; created if missing)
#   MLSERVER_VENV         venv for MLServer, whose pins clash with mlflow's (default ~/.cache/cairn/mlserver-venv)
#   CAIRN_BIN             prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_SECONDS         seconds per run (default 5; 2 with --quick); each measurement is the median of 3 runs
#   BENCH_PEER_WORKERS    worker processes for mlflow and MLServer (default: the number of cores)
#   BENCH_SERVER_CPUS     run every server under `taskset -c` on these CPUs (e.g. 0; default: unpinned)
#   BENCH_CLIENT_CPUS     run wrk under `taskset -c` on these CPUs (e.g. 1; default: unpinned)
#   BENCH_KEEP_TMP=1      keep the temp dir (models, server logs)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
VENV=${CAIRN_VENV:-$HOME/.cache/cairn/venv}
MLSERVER_VENV=${MLSERVER_VENV:-$HOME/.cache/cairn/mlserver-venv}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
EXTRA=()
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true

while (($#)); do
    case $1 in
        --quick) SECONDS_PER_RUN=${BENCH_SECONDS:-2}; shift ;;
        --only) EXTRA+=(--only "$2"); shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done

"$ROOT/scripts/apt-install.sh" wrk
if [[ ! -x $VENV/bin/python ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet -r "$BENCH_DIR/requirements.txt"
if [[ ! -x $MLSERVER_VENV/bin/mlserver ]]; then
    python3 -m venv "$MLSERVER_VENV"
    "$MLSERVER_VENV/bin/python" -m pip install --quiet -r "$BENCH_DIR/requirements-mlserver.txt"
fi
if [[ -z ${CAIRN_BIN:-} ]]; then
    (cd "$ROOT" && swift build -c release --product cairn >&2)
    CAIRN_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/cairn"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-serving.XXXXXX")
cleanup() { if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
echo "[run.sh] $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD)" >&2
# The replica finds libonnxruntime.so through the Python on PATH: the venv's.
PATH="$VENV/bin:$PATH" "$VENV/bin/python" "$BENCH_DIR/bench.py" --cairn "$CAIRN_BIN" --mlflow "$VENV/bin/mlflow" \
    --mlserver "$MLSERVER_VENV/bin/mlserver" --work "$WORK" --results "$BENCH_DIR/results" --seconds "$SECONDS_PER_RUN" \
    --peer-workers "${BENCH_PEER_WORKERS:-$(nproc)}" ${EXTRA[@]+"${EXTRA[@]}"}
