#!/usr/bin/env bash
# Runs the churn training pipeline end to end on a throwaway local Cairn server, twice: the first
# run trains, evaluates and registers a champion; the second finds prepare and train cached and,
# with no better model than the champion, registers nothing.
#
# Usage: examples/churn-pipeline/run.sh          (needs only what scripts/test.sh installs)
#   CAIRN_BIN=<cairn binary>   default: builds .build/debug/cairn
#   KEEP=1                     keep the server's data folder
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$("$root/scripts/python-env.sh")"
if [ -z "${CAIRN_BIN:-}" ]; then (cd "$root" && swift build --product cairn >/dev/null); CAIRN_BIN="$root/.build/debug/cairn"; fi
data="$(mktemp -d /tmp/cairn-example.XXXXXX)"
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export CAIRN_SERVER="http://127.0.0.1:$port" MLFLOW_TRACKING_URI="http://127.0.0.1:$port"
# Steps run `python`: the server hands its PATH to them, so put the venv's first.
PATH="$venv/bin:$PATH" "$CAIRN_BIN" server --port "$port" --backend-store-uri "sqlite:///$data/cairn.db" \
    --artifacts-destination "$data/artifacts" >"$data/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; [ "${KEEP:-}" = 1 ] && echo "data kept in $data" || rm -rf "$data"; }
trap cleanup EXIT
until curl -sf "$CAIRN_SERVER/health" >/dev/null; do sleep 0.2; done

for attempt in first second; do
    echo "== $attempt run"
    start=$(date +%s%N)
    "$CAIRN_BIN" pipeline run "$here/pipeline.yaml" --param "code=$here" --watch
    echo "took $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
echo "== registry"
"$CAIRN_BIN" models show churn-classifier
