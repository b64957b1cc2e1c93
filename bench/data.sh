# Sourced by the benchmark scripts: a database of N generated articles per backend,
# loaded through `folio import` once and kept under BENCH_DATA when that is set.
# Expects $folio (the binary), $n, $work (a scratch directory) and $pg_admin
# (empty: SQLite only). `use_sqlite` and `use_postgres` point DATABASE_URL at a
# loaded database, loading it first if need be; `drop_postgres` removes the
# PostgreSQL one unless BENCH_DATA keeps it. BENCH_TRANSLATED=1 loads a corpus of
# two-version stories instead (see generate.py), under names of its own.
data=${BENCH_DATA:-$work}
mkdir -p "$data"
variant=${BENCH_TRANSLATED:+-translated}
corpus="$data/corpus-$n$variant.ndjson"

load() {
    [ -s "$corpus" ] || python3 bench/generate.py "$n" > "$corpus"
    echo "corpus: $n articles, $(du -h "$corpus" | cut -f1)"
    local started=$SECONDS
    # One file holds the whole corpus: let it in whatever its size.
    FOLIO_MAX_REQUEST_BYTES=$(($(stat -c %s "$corpus") + 1)) "$folio" import "$corpus" | tail -n 1
    echo "import: $((SECONDS - started)) s"
}

use_sqlite() {
    export DATABASE_URL="sqlite://$data/bench-$n$variant.db"
    [ -e "$data/bench-$n$variant.db" ] || load
}

pg_db="folio_bench_$n${variant//-/_}"
use_postgres() {
    export DATABASE_URL="${pg_admin%/*}/$pg_db"
    if [ -z "$(psql "$pg_admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" ]; then
        psql "$pg_admin" -qc "CREATE DATABASE $pg_db"
        # Loading is one transaction per article; waiting for each WAL flush would time
        # the disk, not Folio. Reads, which are what is measured here, are unaffected.
        psql "$pg_admin" -qc "ALTER DATABASE $pg_db SET synchronous_commit = off"
        load
    fi
}

drop_postgres() {
    [ -n "${BENCH_DATA:-}" ] || psql "$pg_admin" -qc "DROP DATABASE $pg_db WITH (FORCE)"
}
