# Sourced by the read benchmarks after they set $n and $pg_admin: builds the
# release binary ($folio), makes a scratch directory ($work), and brings in the
# data loading (data.sh) and serving (serve.sh) helpers. A failed measurement
# leaves neither the server running nor the scratch directory behind.
# FOLIO_BIN measures another build (an earlier commit's, say) on the same data.
if [ -n "${FOLIO_BIN:-}" ]; then
    folio=$(realpath "$FOLIO_BIN")
else
    cargo build --release -q
    folio=$(realpath target/release/folio)
fi
work=$(mktemp -d)
source bench/data.sh
source bench/serve.sh
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
