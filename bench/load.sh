#!/usr/bin/env bash
# Throughput under load: wrk on loopback against a release build, per request kind,
# at 32 and 64 connections, each row with its ratio to /health from the same run.
# usage: bench/load.sh [N] [POSTGRES_ADMIN_URL]   (N articles, default 10000)
# DURATION (seconds per run, default 10), CONNECTIONS ("32 64") and CACHE_MB (the
# in-process response cache sizes to try, "0 32": without it, then with 32 MB) can be set,
# and KINDS (some of the request kinds below) and FOLIO_BIN (another build on the same data).
# Databases are loaded as bench/run.sh loads them (BENCH_DATA keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
pg_admin=${2:-}
duration=${DURATION:-10}
connections=${CONNECTIONS:-32 64}
cache_sizes=${CACHE_MB:-0 32}
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
source bench/prepare.sh

# The request kinds: a name and a file of paths, one picked at random per request.
kinds() {
    local base=$1
    echo "/health" > "$work/health"
    # Hundreds of different articles, as readers spread over a front page and more.
    for page in 1 2 3; do
        curl -fs "$base/v1/articles?per_page=100&page=$page&fields=slug"
    done | python3 -c 'import json, sys
for line in sys.stdin.read().replace("}{", "}\n{").splitlines():
    for item in json.loads(line)["data"]:
        print("/v1/articles/" + item["slug"])' > "$work/article"
    for section in monde economie energie culture; do
        echo "/v1/articles?section=$section&per_page=20&fields=slug,title,standfirst,published_at,section,tags"
    done > "$work/list"
    # The same lists read in a language: each story once, in French when it
    # has a French version (most here are single-version stories).
    sed 's/$/\&locale=fr\&fallback=en/' "$work/list" > "$work/list-locale"
    printf '%s\n' "/v1/articles?q=alliance&per_page=20" "/v1/articles?q=nucleaire&per_page=20" \
        "/v1/articles?q=pipeline&per_page=20" > "$work/search"
    printf '%s\n' "/v1/articles?q=gouvernement&per_page=20" "/v1/articles?q=government&per_page=20" \
        > "$work/search-common"
    printf '%s\n' "/v1/articles?q=alliance&sort=-published_at&per_page=20" \
        "/v1/articles?q=nucleaire&sort=-published_at&per_page=20" > "$work/search-newest"
    echo "/v1/archive?granularity=month" > "$work/archive"
    echo "/v1/sync?initial=true&per_page=100" > "$work/sync"
}

# KINDS picks some of them (space-separated); /health always comes first.
read -r -a names <<< "health ${KINDS:-article list list-locale search search-common search-newest archive sync}"
declare -A label=(
    [health]="/health" [article]="one article by slug (random among 300)"
    [list]="20 newest of a section, fields"
    [list-locale]="the same, with locale=fr&fallback=en" [search]="search, topical word, 20 results"
    [search-common]="search, very common word, 20 results"
    [search-newest]="search, topical word, newest first" [archive]="archive by month"
    [sync]="first sync page (100 items)"
)

# One wrk run: "req/s p50_ms p99_ms errors".
run_wrk() {
    local base=$1 kind=$2 conns=$3
    PATHS="$work/$kind" wrk -t2 -c"$conns" -d"${duration}s" --latency -s bench/load.lua "$base" \
        | awk '
            function ms(v) {
                if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                if (v ~ /s$/) return v * 1000; return v
            }
            $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
            /Requests\/sec/ { rps = $2 } /Non-2xx/ { errors = $5 } /Socket errors/ { errors = errors "+socket" }
            END { printf "%.0f %.2f %.2f %s\n", rps, p50, p99, (errors == "" ? 0 : errors) }'
}

measure() {
    local title=$1
    for mb in $cache_sizes; do
        FOLIO_RESPONSE_CACHE_MB=$mb measure_once "$title, response cache $([ "$mb" = 0 ] && echo off || echo "$mb MB")"
    done
}

rss() {
    ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1 / 1024}'
}

measure_once() {
    local title=$1
    serve "$folio" "$work/server.log" 1500
    local base="http://127.0.0.1:$port"
    kinds "$base"
    for conns in $connections; do
        echo
        echo "### $title, $n articles, wrk -t2 -c$conns -d${duration}s"
        echo
        echo "| request | req/s | p50 ms | p99 ms | share of /health | non-2xx | server RSS after |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        local health=""
        for kind in "${names[@]}"; do
            read -r rps p50 p99 errors < <(run_wrk "$base" "$kind" "$conns")
            [ -n "$health" ] || health=$rps
            share=$(awk -v a="$rps" -v b="$health" 'BEGIN { printf "%.1f %%", 100 * a / b }')
            echo "| ${label[$kind]} | $rps | $p50 | $p99 | $share | $errors | $(rss) |"
        done
    done
    echo
    echo "server RSS after the runs: $(rss)"
    kill $server
    wait $server 2>/dev/null || true
    server=""
}

# One address sends every request: the anonymous rate limit would answer 429.
export RUST_LOG=warn FOLIO_TIMEZONE=Europe/Paris FOLIO_RATE_LIMIT_ANONYMOUS=0
use_sqlite
measure SQLite
if [ -n "$pg_admin" ]; then
    use_postgres
    measure PostgreSQL
    drop_postgres
fi
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
