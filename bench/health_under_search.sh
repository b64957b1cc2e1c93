#!/usr/bin/env bash
# Runs bench/health_under_search.py against a release build on a fresh SQLite database.
# usage: bench/health_under_search.sh [ARTICLES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/folio.db" RUST_LOG=info,folio::http=warn \
    FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
target/release/folio migrate > /dev/null
token=$(target/release/folio token create --name bench --scope write 2>/dev/null | tail -n 1)
target/release/folio serve --bind 127.0.0.1:0 > "$work/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 1 300); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ready" > /dev/null && break
    sleep 0.2
done
python3 bench/health_under_search.py "http://127.0.0.1:$port" "$token" "${1:-40}" "${2:-20}"
