#!/usr/bin/env bash
# Loads N generated articles into a fresh database of each backend through
# `folio import`, serves it from a release build, and times requests on loopback.
# usage: bench/run.sh [N] [POSTGRES_ADMIN_URL]
# e.g.   bench/run.sh 100000 postgres://postgres@127.0.0.1:5432/postgres
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
pg_admin=${2:-}
cargo build --release -q
folio=$(realpath target/release/folio)
work=$(mktemp -d)
python3 bench/generate.py "$n" > "$work/corpus.ndjson"
echo "corpus: $n articles, $(du -h "$work/corpus.ndjson" | cut -f1)"

bench_one() {
    local url=$1
    export DATABASE_URL=$url RUST_LOG=warn FOLIO_TIMEZONE=Europe/Paris
    local started=$SECONDS
    "$folio" import "$work/corpus.ndjson" | tail -n 1
    echo "import: $((SECONDS - started)) s"
    RUST_LOG=info "$folio" serve --bind 127.0.0.1:0 > "$work/server.log" 2>&1 &
    local server=$!
    local port=""
    for _ in $(seq 1 100); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.2
    done
    python3 bench/measure.py "http://127.0.0.1:$port" "${REQUESTS:-200}"
    kill $server
    wait $server 2>/dev/null || true
}

echo "## SQLite"
bench_one "sqlite://$work/bench.db"
if [ -n "$pg_admin" ]; then
    db="folio_bench_$$"
    psql "$pg_admin" -qc "CREATE DATABASE $db"
    echo "## PostgreSQL"
    bench_one "${pg_admin%/*}/$db"
    psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
