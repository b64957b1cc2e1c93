#!/usr/bin/env bash
# Image transforms: upload cost, cold transform throughput by format, warm copies,
# article reads before and during a transform storm, and the server's memory.
# Needs python3 with Pillow (pip install pillow) to make the test photo.
# usage: bench/assets.sh [FOLIO_BINARY] [STORM_TRANSFORMS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$(realpath "${1:-target/release/folio}")
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
export DATABASE_URL="sqlite://$work/folio.db"
export FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
export FOLIO_ASSET_ARBITRARY_SIZES=true
# Each copy is timed whole: no request stops waiting for its copy.
export FOLIO_ASSET_TRANSFORM_TIME=600s
"$binary" migrate > /dev/null
token=$("$binary" token create --name bench --scope write | tail -n 1)
# shellcheck source=bench/serve.sh
source "$here/serve.sh"
serve "$binary" server.log
python3 "$here/assets.py" "http://127.0.0.1:$port" "$token" "$server" "${2:-120}"
