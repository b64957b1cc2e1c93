#!/usr/bin/env bash
# Runs schemathesis (all checks) against a fresh `folio serve --demo`, first
# anonymously, then with a write token. Any 5xx or spec violation fails.
# usage: schemathesis.sh FOLIO_BINARY DATABASE_URL
set -euo pipefail
binary=$(realpath "$1")
config=$(realpath "$(dirname "$0")/schemathesis.toml")
export DATABASE_URL="$2"
export RUST_LOG=warn
# Thousands of generated requests a minute from one address: rate limiting
# (tested in tests/integration/rate_limit.rs) would answer most of them 429.
export FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
# Feeds and permalinks need the public site's address.
export FOLIO_SITE_URL=https://news.example
work=$(mktemp -d)
cd "$work"

"$binary" migrate
token=$("$binary" token create --name schemathesis --scope write | tail -n 1)
RUST_LOG=info "$binary" serve --demo --bind 127.0.0.1:0 > server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT

port=""
for _ in $(seq 1 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' server.log | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break
    sleep 0.2
done
[ -n "$port" ] || { cat server.log; echo "the server did not start"; exit 1; }
echo "schemathesis against $DATABASE_URL (port $port)"

# One worker: with several threads, hypothesis's lambda introspection trips a
# CPython 3.11 AST bug ("AST constructor recursion depth mismatch"). The live
# change stream never ends: schemathesis reads each call's events for the
# request timeout that schemathesis.toml gives it, checking each against the spec.
for who in anonymous token; do
    auth=()
    [ "$who" = token ] && auth=(-H "Authorization: Bearer $token")
    echo "-- $who"
    st --config-file "$config" run "http://127.0.0.1:$port/openapi.json" --checks all --workers 1 \
        --suppress-health-check too_slow "${auth[@]}"
done
