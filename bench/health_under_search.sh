#!/usr/bin/env bash
# Runs bench/health_under_search.py against a release build on a fresh SQLite database.
# usage: bench/health_under_search.sh [ARTICLES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
work=$(mktemp -d)
source bench/serve.sh
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/folio.db" \
    FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
target/release/folio migrate > /dev/null
token=$(target/release/folio token create --name bench --scope write 2>/dev/null | tail -n 1)
serve target/release/folio "$work/server.log"
python3 bench/health_under_search.py "http://127.0.0.1:$port" "$token" "${1:-40}" "${2:-20}"
