#!/usr/bin/env bash
# Feature store benchmark, Cairn vs Feast on the same data:
#   online      lookup of 50 features for 1 and for 100 entities, Cairn's /get-online-features vs
#               Feast's Python feature server (`feast serve`), each on its own online store holding
#               the same materialized data — SQLite, then Redis (Debian's redis-server) — at
#               concurrency 1 and 32 (wrk);
#   historical  the point-in-time join of 1,000,000 entity rows against 10,000,000 feature rows,
#               `cairn features historical` vs Feast's get_historical_features (local file store;
#               it needs about 17 GB of memory at this size).
#
# Usage: benchmarks/features/run.sh [--quick] [online|historical]   (default both; --quick: shorter
#        runs and a 100,000 × 1,000,000 join)
#
# Environment:
#   CAIRN_VENV   venv with numpy, pandas, requests (default ~/.cache/cairn/venv)
#   FEAST_VENV   venv with Feast (default ~/.cache/cairn/feast-venv; created from tests/e2e/requirements-feast.txt)
#   CAIRN_BIN    prebuilt cairn binary (default: swift build -c release --product cairn)
#   BENCH_SERVER_CPUS  run both online servers under `taskset -c` on these CPUs (e.g. 1; default: unpinned)
#   BENCH_CLIENT_CPUS  run wrk under `taskset -c` on these CPUs (e.g. 0; default: unpinned)
#   BENCH_KEEP_TMP=1   keep the temp dir
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
HISTORICAL_ROWS=(--feature-rows 10000000 --entity-rows 1000000 --entities 100000)
PARTS=(online historical)
while (($#)); do
    case $1 in
        --quick) SECONDS_PER_RUN=${BENCH_SECONDS:-2}; HISTORICAL_ROWS=(--feature-rows 1000000 --entity-rows 100000 --entities 10000); shift ;;
        online|historical) PARTS=("$1"); shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 1 ;;
    esac
done

"$ROOT/scripts/apt-install.sh" wrk redis-server
VENV=$("$ROOT/scripts/python-env.sh")
FEAST_VENV=$("$ROOT/scripts/python-env.sh" tests/e2e/requirements-feast.txt "${FEAST_VENV:-$HOME/.cache/cairn/feast-venv}")
if [[ -z ${CAIRN_BIN:-} ]]; then
    (cd "$ROOT" && swift build -c release --product cairn >&2)
    CAIRN_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/cairn"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-features.XXXXXX")
cleanup() { if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
echo "[run.sh] $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$ROOT" rev-parse --short HEAD)" >&2
for part in "${PARTS[@]}"; do
    case $part in
        online) "$VENV/bin/python" "$BENCH_DIR/features_bench.py" --cairn "$CAIRN_BIN" --feast-bin "$FEAST_VENV/bin/feast" --work "$WORK/online" \
                    --results "$BENCH_DIR/results" --seconds "$SECONDS_PER_RUN" ;;
        historical) "$FEAST_VENV/bin/python" "$BENCH_DIR/historical_bench.py" --cairn "$CAIRN_BIN" --work "$WORK/historical" \
                        --results "$BENCH_DIR/results" "${HISTORICAL_ROWS[@]}" ;;
    esac
done
