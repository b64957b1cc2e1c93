#!/usr/bin/env bash
# Soak test on loopback: a release build on a fresh database of each backend,
# SECONDS of mixed reads and writes over CONNECTIONS connections (bench/soak.py),
# then its checks: no 5xx, every acknowledged write present, memory growth < 10 %.
# usage: bench/soak.sh [SECONDS] [CONNECTIONS] [POSTGRES_ADMIN_URL]
# (SOAK_BACKENDS=postgres runs PostgreSQL only; the default is both)
# e.g.   bench/soak.sh 600 64 postgres://postgres@127.0.0.1:5432/postgres
# SOAK_BACKENDS=replica runs two nodes over a PostgreSQL primary and a streaming
# replica of it that the script makes (initdb, pg_basebackup; as the postgres user
# when run as root), and also reads every acknowledged write back without a token,
# from the replica.
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

# Starts `folio serve` (its log in $1); appends its address to $bases and pid to $pids.
start_node() {
    RUST_LOG=warn,folio::cli=info "$folio" serve --demo --bind 127.0.0.1:0 > "$1" 2>&1 &
    local server=$! port=""
    for _ in $(seq 1 300); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$1" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ready" > /dev/null && break
        sleep 0.2
    done
    bases="${bases:+$bases,}http://127.0.0.1:$port"
    pids="${pids:+$pids,}$server"
}

# Soaks NODES nodes over $DATABASE_URL.
soak() {
    local nodes=${1:-1}
    "$folio" migrate > /dev/null
    local token
    token=$("$folio" token create --name soak --scope write 2>/dev/null | tail -n 1)
    bases="" pids=""
    for n in $(seq 1 "$nodes"); do
        start_node "$work/server-$n.log"
    done
    python3 bench/soak.py "$bases" "$token" "$pids" "$seconds" "$connections" || status=1
    kill ${pids//,/ }
    wait 2>/dev/null || true
    cat "$work"/server-*.log > "$work/server.log"
    echo "server logs: $(grep -cE ' (WARN|ERROR) ' "$work/server.log" || true) warnings and errors; \"database is locked\": $(grep -c 'database is locked' "$work/server.log" || true)"
}

# A PostgreSQL primary and its streaming replica on free ports, under $work.
pg_bin=$(pg_config --bindir 2>/dev/null || true)
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
start_pair() {
    local dir=$work/clusters
    mkdir -p "$dir"
    # The postgres user must reach its clusters inside the scratch directory.
    if [ "$(id -u)" = 0 ]; then chmod a+x "$work"; chown postgres "$dir"; fi
    primary_port=$(free_port)
    standby_port=$(free_port)
    as_postgres "$pg_bin/initdb" -D "$dir/primary" -A trust -U postgres --no-sync -E UTF8 > /dev/null
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nwal_level = replica\nmax_wal_senders = 4\n" \
        "$primary_port" "$dir" | as_postgres tee -a "$dir/primary/postgresql.conf" > /dev/null
    as_postgres "$pg_bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start > /dev/null
    as_postgres "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/standby" -R -X stream
    echo "port = $standby_port" | as_postgres tee -a "$dir/standby/postgresql.conf" > /dev/null
    as_postgres "$pg_bin/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w start > /dev/null
    psql "postgres://postgres@127.0.0.1:$primary_port/postgres" -qc "CREATE DATABASE folio"
}
stop_pair() {
    for cluster in standby primary; do
        as_postgres "$pg_bin/pg_ctl" -D "$work/clusters/$cluster" -m fast -w stop > /dev/null || true
    done
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
if [[ $backends == *replica* ]]; then
    echo "## Two nodes, PostgreSQL primary and streaming replica"
    start_pair
    trap 'stop_pair; rm -rf "$work"' EXIT
    DATABASE_URL="postgres://postgres@127.0.0.1:$primary_port/folio" \
        FOLIO_READ_DATABASE_URLS="postgres://postgres@127.0.0.1:$standby_port/folio" \
        SOAK_PUBLIC_CHECK=1 soak 2
fi
exit $status
