#!/usr/bin/env bash
# Loads N generated articles into a database of each backend through `folio import`,
# serves it from a release build, and times requests on loopback.
# usage: bench/run.sh [N] [POSTGRES_ADMIN_URL]
# e.g.   bench/run.sh 100000 postgres://postgres@127.0.0.1:5432/postgres
# With BENCH_DATA=DIR the loaded databases are kept (DIR/bench-N.db and the PostgreSQL
# database folio_bench_N) and a later run with the same N measures them again without
# re-importing; new migrations are applied when the server opens them.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
pg_admin=${2:-}
source bench/prepare.sh

measure() {
    # Ready, not only listening: migrations new since the data was loaded run first.
    serve "$folio" "$work/server.log" 1500
    python3 bench/measure.py "http://127.0.0.1:$port" "${REQUESTS:-200}"
    kill $server
    wait $server 2>/dev/null || true
    server=""
}

# One address sends every request: the anonymous rate limit would answer 429.
export RUST_LOG=warn FOLIO_TIMEZONE=Europe/Paris FOLIO_RATE_LIMIT_ANONYMOUS=0
echo "## SQLite"
use_sqlite
measure
if [ -n "$pg_admin" ]; then
    echo "## PostgreSQL"
    use_postgres
    measure
    drop_postgres
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
