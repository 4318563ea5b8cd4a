#!/usr/bin/env bash
# Drift benchmark: the same reference and current data (1,000,000 rows × 20 mixed features, four
# of them shifted) checked for drift by `cairn drift` and by Evidently's DataDriftPreset, in one
# run; prints both times, the ratio and whether every column's verdict agrees.
#
# Usage: benchmarks/drift/run.sh [--rows N]
#
# Environment:
#   EVIDENTLY_VENV     venv for Evidently (default ~/.cache/cairn/evidently-venv; created if missing)
#   CAIRN_BIN          prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_KEEP_TMP=1   keep the temp dir (the CSV files)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
VENV=${EVIDENTLY_VENV:-$HOME/.cache/cairn/evidently-venv}
ROWS=1000000
while (($#)); do
    case $1 in
        --rows) ROWS=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done

if [[ ! -x $VENV/bin/python ]]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet -r "$BENCH_DIR/requirements-evidently.txt"
if [[ -z ${CAIRN_BIN:-} ]]; then
    (cd "$ROOT" && swift build -c release --product cairn >&2)
    CAIRN_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/cairn"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-drift.XXXXXX")
cleanup() { if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
echo "[run.sh] $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD)" >&2
"$VENV/bin/python" "$BENCH_DIR/drift_bench.py" --cairn "$CAIRN_BIN" --work "$WORK" --rows "$ROWS" --results "$BENCH_DIR/results"
