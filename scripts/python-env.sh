#!/usr/bin/env bash
# Prints the path of a virtualenv holding the e2e and benchmark requirements, creating or
# refreshing it when tests/e2e/requirements.txt changes. Kept outside the checkout
# (${CAIRN_VENV:-~/.cache/cairn/venv}) so fresh clones reuse it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CAIRN_VENV:-$HOME/.cache/cairn/venv}"
requirements="$root/tests/e2e/requirements.txt"
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
