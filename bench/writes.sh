#!/usr/bin/env bash
# What a write costs: N creates and N updates, one after another, against a release
# build on a fresh database of each backend (PostgreSQL when its admin URL is
# given); with SYNC_ARTICLES=M, M generated articles are imported first and a whole
# first sync of them is timed. Run it with two binaries to compare them. With
# MEASURE=bench/blocks.py, that script times the writes and reads instead.
# usage: bench/writes.sh FOLIO_BINARY [N] [POSTGRES_ADMIN_URL]
set -euo pipefail
cd "$(dirname "$0")/.."
folio=$(realpath "$1")
n=${2:-500}
pg_admin=${3:-}
work=$(mktemp -d)
source bench/serve.sh
server=""
pg_db="folio_writes_$$"
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
    local sync=""
    if [ -n "${SYNC_ARTICLES:-}" ]; then
        [ -s "$work/corpus.ndjson" ] || python3 bench/generate.py "$SYNC_ARTICLES" > "$work/corpus.ndjson"
        FOLIO_MAX_REQUEST_BYTES=$(($(stat -c %s "$work/corpus.ndjson") + 1)) \
            "$folio" import --status published "$work/corpus.ndjson" | tail -n 1
        sync=sync
    fi
    serve "$folio" "$work/server.log" 1500
    python3 "${MEASURE:-bench/writes.py}" "http://127.0.0.1:$port" "$token" "$n" $sync
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
}

DATABASE_URL="sqlite://$work/folio.db" measure sqlite
if [ -n "$pg_admin" ]; then
    psql "$pg_admin" -qc "CREATE DATABASE $pg_db"
    DATABASE_URL="${pg_admin%/*}/$pg_db" measure postgres
fi
