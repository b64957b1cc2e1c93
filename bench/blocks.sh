#!/usr/bin/env bash
# What blocks cost a write and a read (bench/blocks.py), against a release build
# on a fresh database of each backend (PostgreSQL when its admin URL is given).
# Run it with two binaries to compare them.
# usage: bench/blocks.sh FOLIO_BINARY [N] [POSTGRES_ADMIN_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
folio=$(realpath "$1")
n=${2:-500}
pg_admin=${3:-}
work=$(mktemp -d)
source bench/serve.sh
server=""
pg_db="folio_blocks_$$"
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ -n "$pg_admin" ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

measure() {
    echo "== $1"
    "$folio" migrate > /dev/null
    local token
    token=$("$folio" token create --name bench --scope write 2>/dev/null | tail -n 1)
    serve "$folio" "$work/server.log" 1500
    python3 bench/blocks.py "http://127.0.0.1:$port" "$token" "$n"
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
}

DATABASE_URL="sqlite://$work/folio.db" measure sqlite
if [ -n "$pg_admin" ]; then
    psql "$pg_admin" -qc "CREATE DATABASE $pg_db"
    DATABASE_URL="${pg_admin%/*}/$pg_db" measure postgres
fi
