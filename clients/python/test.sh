#!/usr/bin/env bash
# Generates the Python client and tests it against a live Folio: on SQLite, then on
# PostgreSQL when FOLIO_TEST_POSTGRES_URL is set (a database is made and dropped).
# usage: clients/python/test.sh FOLIO_BINARY   (after pip install -r clients/python/requirements.txt)
set -euo pipefail
binary=$(realpath "${1:?FOLIO_BINARY}")
cd "$(dirname "$0")"
source ../../bench/serve.sh
bash build.sh
python3 -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps build/folio-client
python3 -m pip install --quiet --disable-pip-version-check build/folio-client

# Webhooks go to a receiver on loopback, which is refused unless allowed.
export FOLIO_WEBHOOK_ALLOWED_HOSTS=127.0.0.1 FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_RATE_LIMIT_TOKEN=0
work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

against() {
    export DATABASE_URL=$1
    echo "== the Python client against $DATABASE_URL"
    "$binary" migrate > /dev/null
    FOLIO_WRITE_TOKEN=$("$binary" token create --name "py-writer-$$" --scope write | tail -n 1)
    FOLIO_ADMIN_TOKEN=$("$binary" token create --name "py-admin-$$" --scope admin | tail -n 1)
    export FOLIO_WRITE_TOKEN FOLIO_ADMIN_TOKEN
    serve "$binary" "$work/server.log"
    FOLIO_URL="http://127.0.0.1:$port" python3 -m pytest -q -p no:cacheprovider tests \
        || { tail -n 50 "$work/server.log"; return 1; }
    kill "$server" && wait "$server" 2>/dev/null || true
    server=""
}

against "sqlite://$work/folio.db"
if [ -n "${FOLIO_TEST_POSTGRES_URL:-}" ]; then
    db="folio_py_$$"
    admin_url="${FOLIO_TEST_POSTGRES_URL%/*}/postgres"
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    against "${FOLIO_TEST_POSTGRES_URL%/*}/$db"
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
fi
