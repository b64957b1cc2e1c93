#!/usr/bin/env bash
# Soak test on loopback: a release build on a fresh database of each backend,
# SECONDS of mixed reads and writes over CONNECTIONS connections (bench/soak.py),
# then its checks: no 5xx, every acknowledged write present, memory growth < 10 %.
# usage: bench/soak.sh [SECONDS] [CONNECTIONS] [POSTGRES_ADMIN_URL]
# (SOAK_BACKENDS=postgres runs PostgreSQL only; the default is both)
# e.g.   bench/soak.sh 600 64 postgres://postgres@127.0.0.1:5432/postgres
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
connections=${2:-64}
pg_admin=${3:-}
cargo build --release -q
folio=$(realpath target/release/folio)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Rate limits would answer a single address's thousands of requests with 429.
export RUST_LOG=warn FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
status=0

soak() {
    "$folio" migrate > /dev/null
    local token
    token=$("$folio" token create --name soak --scope write 2>/dev/null | tail -n 1)
    RUST_LOG=warn,folio::cli=info "$folio" serve --demo --bind 127.0.0.1:0 > "$work/server.log" 2>&1 &
    local server=$!
    local port=""
    for _ in $(seq 1 300); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ready" > /dev/null && break
        sleep 0.2
    done
    python3 bench/soak.py "http://127.0.0.1:$port" "$token" "$server" "$seconds" "$connections" || status=1
    kill $server
    wait $server 2>/dev/null || true
    echo "server log: $(grep -cE ' (WARN|ERROR) ' "$work/server.log" || true) warnings and errors; \"database is locked\": $(grep -c 'database is locked' "$work/server.log" || true)"
}

backends=${SOAK_BACKENDS:-sqlite postgres}
if [[ $backends == *sqlite* ]]; then
    echo "## SQLite"
    DATABASE_URL="sqlite://$work/soak.db" soak
fi
if [ -n "$pg_admin" ] && [[ $backends == *postgres* ]]; then
    echo "## PostgreSQL"
    db="folio_soak_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $db"
    DATABASE_URL="${pg_admin%/*}/$db" soak
    psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
fi
exit $status
