#!/usr/bin/env bash
# Peak memory of `folio import` on one large JSON array: N articles of about 3 KB
# each (20,000 make about 60 MB), imported into a fresh SQLite database with the
# request limit raised to let the file in. Prints the file's size, the time taken,
# the importer's maximum resident set size (GNU time), and that peak split into
# the process's own memory (RssAnon) and the database file's pages mapped into it
# (RssFile: SQLite's memory map, page cache the kernel can drop), sampled from
# /proc every 100 ms.
# usage: bench/import_memory.sh [N] [FOLIO_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
folio=${2:-target/release/folio}
[ -x "$folio" ] || cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$n" > "$work/articles.json" <<'PY'
import json, sys
n = int(sys.argv[1])
paragraph = "Le cœur du réacteur « nucléaire » bat au rythme de l’alliance stratégique. " * 8
sys.stdout.write("[\n")
for i in range(n):
    article = {"title": f"Dépêche numéro {i}", "body": "\n\n".join([paragraph] * 5),
               "status": "published", "published_at": "2024-11-27T09:00:00Z"}
    sys.stdout.write(("," if i else "") + json.dumps(article, ensure_ascii=False) + "\n")
sys.stdout.write("]\n")
PY
size=$(stat -c %s "$work/articles.json")
echo "file: $n articles, $((size / 1048576)) MiB"
DATABASE_URL="sqlite://$work/folio.db" RUST_LOG=warn FOLIO_MAX_REQUEST_BYTES=$((size + 1)) \
    /usr/bin/time -o "$work/time" -f "import: %e s, peak RSS %M kB" "$folio" import "$work/articles.json" &
timer=$!
anon=0 file=0
while kill -0 "$timer" 2>/dev/null; do
    for pid in $(pgrep -P "$timer"); do
        read -r a f < <(awk '/^RssAnon/{a=$2} /^RssFile/{f=$2} END{print a+0, f+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
        ((a > anon)) && anon=$a
        ((f > file)) && file=$f
    done
    sleep 0.1
done
wait "$timer"
cat "$work/time"
echo "peak RssAnon $anon kB, peak RssFile $file kB"
