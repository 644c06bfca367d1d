#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests/test_postgres.py (and for trying the
# shared-database path by hand). Installs Debian's `postgresql` when its server binaries are
# missing (as root, or through sudo), like install-system-deps.sh.
#
#   scripts/test-postgres.sh start DIR   # prints the SQLAlchemy URL of a new, empty server
#   scripts/test-postgres.sh stop DIR    # stops it; DIR can then be removed
#
# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user the
# Debian package creates. The server listens on 127.0.0.1 only, on a free port, with trust
# authentication: it is for tests, never for data.
set -euo pipefail

action=${1:?usage: $0 start|stop DIR}
dir=${2:?usage: $0 start|stop DIR}

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bin)" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "postgresql is not installed; run as root or install sudo" >&2
        exit 1
    fi
    echo "installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq >&2
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(pg_bin)
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries after installing" >&2; exit 1; }

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    as_owner=(runuser -u postgres --)
fi

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    "${as_owner[@]}" "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    "${as_owner[@]}" "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
