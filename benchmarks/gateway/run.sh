#!/usr/bin/env bash
# Gateway benchmark: what routing through `cairn server`'s deployment gateway costs. One ONNX model
# is registered on a cairn server and deployed twice with one replica each (prediction logging at
# 100 %, the default, and off); wrk then loads a replica directly and each deployment through the
# gateway (/v2/models/<deployment>/infer), in turn, at concurrency 1 and 32 with single-row
# requests, and the table shows the latency the gateway adds.
#
# The peer, KServe's queue-proxy (2–3 ms per request by its own docs), needs a Kubernetes cluster
# with Knative and cannot run on this machine; the comparison is with the direct path.
#
# Usage: benchmarks/gateway/run.sh [--quick]
#
# Environment:
#   CAIRN_VENV         venv with mlflow, scikit-learn, skl2onnx (default ~/.cache/cairn/venv; created if missing)
#   CAIRN_BIN          prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_SECONDS      seconds per run (default 5; 2 with --quick); each figure is the median of 3 runs
#   BENCH_SERVER_CPUS  run the server and the replica under `taskset -c` on these CPUs (default: unpinned)
#   BENCH_CLIENT_CPUS  run wrk under `taskset -c` on these CPUs (default: unpinned)
#   BENCH_REPLICA_CPUS move the replicas onto these CPUs once started (default: where the server runs)
#   BENCH_KEEP_TMP=1   keep the temp dir (database, logs)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
VENV=${CAIRN_VENV:-$HOME/.cache/cairn/venv}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true

while (($#)); do
    case $1 in
        --quick) SECONDS_PER_RUN=${BENCH_SECONDS:-2}; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done

"$ROOT/scripts/apt-install.sh" wrk
if [[ ! -x $VENV/bin/python ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet -r "$ROOT/benchmarks/serving/requirements.txt"
if [[ -z ${CAIRN_BIN:-} ]]; then
    (cd "$ROOT" && swift build -c release --product cairn >&2)
    CAIRN_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/cairn"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-gateway.XXXXXX")
cleanup() { if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
echo "[run.sh] $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD)" >&2
# Replicas find libonnxruntime.so through the Python on PATH: the venv's.
PATH="$VENV/bin:$PATH" "$VENV/bin/python" "$BENCH_DIR/gateway_bench.py" --cairn "$CAIRN_BIN" --work "$WORK" \
    --results "$BENCH_DIR/results" --seconds "$SECONDS_PER_RUN"
