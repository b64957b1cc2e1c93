# Sourced by the read benchmarks after they set $n and $pg_admin: builds the
# release binary ($folio), makes a scratch directory ($work), and brings in the
# data loading (data.sh) and serving (serve.sh) helpers. A failed measurement
# leaves neither the server running nor the scratch directory behind.
cargo build --release -q
folio=$(realpath target/release/folio)
work=$(mktemp -d)
source bench/data.sh
source bench/serve.sh
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
