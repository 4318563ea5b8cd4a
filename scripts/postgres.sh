#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the test suite, installing Debian's package
# if it is missing. Usage: source scripts/postgres.sh; cairn_postgres_start; ...; cairn_postgres_stop
# Exports CAIRN_TEST_POSTGRES_URI (an admin URI: tests create their own databases through it).

cairn_postgres_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

cairn_postgres_install() {
    if [ -n "$(cairn_postgres_bin)" ] && [ -x "$(cairn_postgres_bin)/postgres" ]; then return 0; fi
    "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" postgresql
}

cairn_postgres_start() {
    cairn_postgres_install || return 1
    local bin; bin="$(cairn_postgres_bin)"
    CAIRN_PG_DIR="$(mktemp -d /tmp/cairn-pg.XXXXXX)"
    CAIRN_PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    local run=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$CAIRN_PG_DIR"
        run=(runuser -u postgres --)
    fi
    "${run[@]}" "$bin/initdb" -D "$CAIRN_PG_DIR/data" -U postgres -A trust >/dev/null || return 1
    "${run[@]}" "$bin/pg_ctl" -D "$CAIRN_PG_DIR/data" -l "$CAIRN_PG_DIR/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $CAIRN_PG_PORT -k $CAIRN_PG_DIR -c fsync=on -c max_connections=300" start >/dev/null || {
        cat "$CAIRN_PG_DIR/log"; return 1; }
    export CAIRN_TEST_POSTGRES_URI="postgresql://postgres@127.0.0.1:$CAIRN_PG_PORT/postgres"
    export CAIRN_PG_DIR CAIRN_PG_PORT
    echo "== PostgreSQL running at $CAIRN_TEST_POSTGRES_URI"
}

cairn_postgres_stop() {
    [ -n "${CAIRN_PG_DIR:-}" ] || return 0
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$(cairn_postgres_bin)/pg_ctl" -D "$CAIRN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$CAIRN_PG_DIR"
    unset CAIRN_PG_DIR
}
