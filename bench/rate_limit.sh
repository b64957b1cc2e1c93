#!/usr/bin/env bash
# The rate limiter under many clients: a release build on SQLite behind one trusted
# proxy (FOLIO_TRUST_FORWARDED=1), every request counted per client address. wrk
# sends GET /v1/tags (1) from one address, (2) from a new address each request
# (KEYS of them, 200,000 by default), (3) from one address again; each phase's
# requests per second and the server's resident memory are printed, and the memory
# again once idle clients have been swept.
# usage: bench/rate_limit.sh [KEYS] [SECONDS_PER_PHASE]
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-200000}
seconds=${2:-10}
cargo build --release -q
work=$(mktemp -d)
source bench/serve.sh
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

cat > "$work/one.lua" <<'LUA'
request = function()
  return wrk.format("GET", "/v1/tags", {["X-Forwarded-For"] = "192.0.2.1"})
end
LUA
cat > "$work/many.lua" <<LUA
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
local counter = 0
request = function()
  counter = counter + 1
  local n = (counter * 2 + tid) % $keys
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", "/v1/tags", {["X-Forwarded-For"] = ip})
end
LUA

export DATABASE_URL="sqlite://$work/folio.db" FOLIO_TRUST_FORWARDED=1 \
    FOLIO_RATE_LIMIT_ANONYMOUS=1000000000 FOLIO_RATE_LIMIT_WINDOW_SECONDS=60
serve target/release/folio "$work/server.log"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }
phase() {
    local script=$1 label=$2
    local rate
    rate=$(wrk -t2 -c32 -d"${seconds}s" -s "$work/$script" "http://127.0.0.1:$port" | awk '/Requests\/sec/ {print $2}')
    echo "$label: $rate req/s, server RSS $(rss)"
}
echo "server RSS at start: $(rss)"
phase one.lua "one client"
phase many.lua "a new client per request ($keys distinct)"
phase one.lua "one client again"
sleep 12
echo "server RSS after the idle clients were swept: $(rss)"
