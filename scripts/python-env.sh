#!/usr/bin/env bash
# Prints the path of a virtualenv holding a requirements file (default: the e2e and benchmark
# requirements, in ${CAIRN_VENV:-~/.cache/cairn/venv}), creating or refreshing it when the file
# changes. Kept outside the checkout so fresh clones reuse it.
#
# Usage: scripts/python-env.sh [REQUIREMENTS VENV]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${2:-${CAIRN_VENV:-$HOME/.cache/cairn/venv}}"
requirements="$root/${1:-tests/e2e/requirements.txt}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== preparing Python environment in $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --upgrade pip >&2
    "$venv/bin/pip" install -q -r "$requirements" >&2
    echo "$want" > "$stamp"
fi
echo "$venv"
