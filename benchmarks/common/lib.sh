# Shared by benchmarks/*/run.sh: venv, cairn binary, one server at a time on a free loopback port,
# its bench.py, cleanup, and the comparison table (report.py). Not executable on its own.
#
# The sourcing script sets, then calls `bench_main "$@"`:
#   BENCH_NAME            results file prefix and temp dir name (e.g. tracking)
#   BENCH_DIR             its folder, holding bench.py and requirements.txt
#   MLFLOW_SERVER_ARGS    optional array: extra `mlflow server` arguments (e.g. --workers 4)
# and may redefine the hook bench_extra_args (sets EXTRA_ARGS: more bench.py arguments; $WORK exists).
#
# Environment: CAIRN_VENV, CAIRN_BIN, BENCH_HEALTH_TIMEOUT, BENCH_KEEP_TMP (see the run.sh headers).

COMMON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$COMMON_DIR/../.." && pwd)
VENV=${CAIRN_VENV:-$HOME/.cache/cairn/venv}
MLFLOW_VERSION=3.17.2
HEALTH_TIMEOUT=${BENCH_HEALTH_TIMEOUT:-240}
SERVERS=(mlflow cairn)
BENCH_ARGS=()
if [[ -z ${MLFLOW_SERVER_ARGS+x} ]]; then MLFLOW_SERVER_ARGS=(); fi

# Neither the client nor stock mlflow should phone home mid-measurement.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
unset MLFLOW_TRACKING_URI

log() { printf '[run.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The calling script's header comment, minus the '#'.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

bench_extra_args() { EXTRA_ARGS=(); }

parse_args() {
    while (($#)); do
        case $1 in
            --only)
                [[ ${2:-} == mlflow || ${2:-} == cairn ]] || die "--only takes mlflow or cairn"
                SERVERS=("$2"); shift 2 ;;
            --quick) BENCH_ARGS+=(--quick); shift ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown argument: $1" ;;
        esac
    done
}

selected() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }

ensure_venv() {
    if [[ ! -x $VENV/bin/python ]]; then
        log "creating venv $VENV"
        python3 -m venv "$VENV"
    fi
    if ! "$VENV/bin/python" -c "import mlflow, sys; sys.exit(mlflow.__version__ != '$MLFLOW_VERSION')" 2>/dev/null; then
        log "installing $BENCH_DIR/requirements.txt into $VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -r "$BENCH_DIR/requirements.txt"
    fi
}

ensure_cairn() {
    if [[ -n ${CAIRN_BIN:-} ]]; then
        CAIRN=$CAIRN_BIN
    else
        log "building cairn (release)"
        (cd "$ROOT" && swift build -c release --product cairn)
        CAIRN="$(cd "$ROOT" && swift build -c release --show-bin-path)/cairn"
    fi
    [[ -x $CAIRN ]] || die "cairn binary not found at $CAIRN"
}

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# server_cmd NAME PORT DIR: sets CMD to the command line that serves NAME
server_cmd() {
    local name=$1 port=$2 dir=$3
    case $name in
        mlflow) CMD=("$VENV/bin/mlflow" server --host 127.0.0.1 --port "$port"
                     --backend-store-uri "sqlite:///$dir/mlflow.db" --artifacts-destination "$dir/art"
                     ${MLFLOW_SERVER_ARGS[@]+"${MLFLOW_SERVER_ARGS[@]}"}) ;;
        cairn)  CMD=("$CAIRN" server --host 127.0.0.1 --port "$port"
                     --backend-store-uri "sqlite:///$dir/cairn.db" --artifacts-destination "$dir/art2") ;;
    esac
}

# Started with job control on, so each server leads its own process group and
# stop_server can take down it and its workers (uvicorn forks) and nothing else.
SERVER_PID=""
SERVER_LOG=""
start_server() {
    local name=$1 port=$2 dir="$WORK/$1"
    mkdir -p "$dir"
    server_cmd "$name" "$port" "$dir"
    SERVER_LOG="$dir/server.log"
    log "starting $name on 127.0.0.1:$port"
    set -m
    "${CMD[@]}" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    set +m
}

# Exited-but-unreaped processes count as gone (PID 1 in containers may never reap
# the orphaned mlflow workers, and kill -0 succeeds on zombies).
alive() { local stat; stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]; }

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local t0=$SECONDS
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do
        alive "$SERVER_PID" || break
        sleep 0.2
    done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true  # stragglers, or a leader that ignored TERM
    wait "$SERVER_PID" 2>/dev/null || true
    log "server stopped in $((SECONDS - t0))s"
    SERVER_PID=""
}

server_failed() {
    log "$1; last lines of $SERVER_LOG:"
    tail -n 30 "$SERVER_LOG" >&2 || true
    exit 1
}

# Warnings and errors the server logged during the run (cairn: "… warning …"; mlflow: Python logging).
summarize_log() {
    local name=$1 pattern=' (warning|error|critical) |Traceback|ERROR|CRITICAL' count
    count=$(grep -Ec "$pattern" "$SERVER_LOG" || true)
    if ((count > 0)); then
        log "$name logged $count warning/error lines; last ones ($SERVER_LOG):"
        grep -E "$pattern" "$SERVER_LOG" | tail -n 5 | cut -c1-300 >&2
    else
        log "$name logged no warnings or errors"
    fi
}

# The server's peak resident memory (its leader process only: mlflow's uvicorn workers are not counted).
peak_rss() {
    local hwm
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null) || return 0
    [[ -n $hwm ]] && log "$1 server process peak RSS: $((hwm / 1024)) MiB"
    return 0
}

wait_healthy() {
    local url=$1 deadline=$((SECONDS + HEALTH_TIMEOUT))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/health") == 200 ]]; do
        alive "$SERVER_PID" || server_failed "server exited before becoming healthy"
        ((SECONDS < deadline)) || server_failed "no healthy /health after ${HEALTH_TIMEOUT}s"
        sleep 0.5
    done
}

bench_server() {
    local name=$1 port url t0
    port=$(free_port)
    url="http://127.0.0.1:$port"
    t0=$SECONDS
    start_server "$name" "$port"
    wait_healthy "$url"
    log "$name healthy after $((SECONDS - t0))s"
    bench_extra_args
    # In the background so that a signal to this script is handled (trap) at once,
    # not after the client finishes; cleanup then stops the client too.
    "$VENV/bin/python" "$BENCH_DIR/bench.py" "$url" --label "$name" --out "$WORK/$name.json" \
        ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"} ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"} &
    BENCH_PID=$!
    wait "$BENCH_PID" || server_failed "bench.py failed against $name"
    BENCH_PID=""
    summarize_log "$name"
    peak_rss "$name"
    stop_server
    RESULTS+=("$WORK/$name.json")
}

BENCH_PID=""
cleanup() {
    if [[ -n $BENCH_PID ]]; then kill "$BENCH_PID" 2>/dev/null || true; fi
    stop_server
    if [[ -n ${WORK:-} ]]; then
        if [[ ${BENCH_KEEP_TMP:-} == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
}

cpu_count() { nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo "?"; }

# 1/5/15-minute load averages: other work on the host skews every figure.
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load averages*: //'; }

git_rev() {
    local rev
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
    git -C "$ROOT" diff --quiet HEAD 2>/dev/null || rev+="-dirty"
    echo "$rev"
}

bench_main() {
    parse_args "$@"
    ensure_venv
    if selected cairn; then ensure_cairn; fi

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-$BENCH_NAME.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    RESULTS=()
    local name started=$SECONDS load_start
    load_start=$(loadavg)
    for name in "${SERVERS[@]}"; do bench_server "$name"; done

    "$VENV/bin/python" "$COMMON_DIR/report.py" --name "$BENCH_NAME" --out-dir "$BENCH_DIR/results" \
        --meta "cairn_commit=$(git_rev)" --meta "host=$(uname -srm)" --meta "cpus=$(cpu_count)" \
        --meta "servers=${SERVERS[*]}" --meta "wall_seconds=$((SECONDS - started))" \
        --meta "loadavg_start=$load_start" --meta "loadavg_end=$(loadavg)" "${RESULTS[@]}"
    log "wall time $((SECONDS - started))s"
}
