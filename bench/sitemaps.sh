#!/usr/bin/env bash
# Sitemaps of many articles: fills a fresh SQLite database with N public articles
# (only the columns a sitemap reads carry content: a sitemap never reads bodies),
# a fifth of them with a cover (an image entry each) and every tenth with an
# English version (hreflang alternates on both),
# serves it, and fetches /sitemap.xml then every shard in turn, timing each and
# reading the server's peak resident memory (VmHWM) and anonymous memory after.
# The memory map is off (FOLIO_SQLITE_MMAP_MB=0) so that resident memory is the
# server's own and not the database file's pages.
# usage: bench/sitemaps.sh N FOLIO_BINARY
set -euo pipefail
count=${1:?N articles}
binary=$(realpath "${2:?FOLIO_BINARY}")
cd "$(dirname "$0")"
source ./serve.sh
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/sitemaps.db"
export FOLIO_SITE_URL=https://news.example FOLIO_RATE_LIMIT_ANONYMOUS=0 FOLIO_SQLITE_MMAP_MB=0
"$binary" migrate > /dev/null
started=$(date +%s.%N)
python3 - "$work/sitemaps.db" "$count" <<'PY'
import sqlite3, sys, uuid
path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("INSERT INTO sections (name, slug, position, created_at, updated_at) "
           "VALUES ('Monde', 'monde', 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00')")
section = db.execute("SELECT id FROM sections WHERE slug = 'monde'").fetchone()[0]
db.execute("INSERT INTO assets (public_id, media_type, filename, byte_size, sha256, width, height, "
           "alt, created_at, updated_at) VALUES (?, 'image/jpeg', 'cover.jpg', 1000, 'x', 1600, "
           "1067, 'Une couverture', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
           (str(uuid.UUID(int=count + 1)),))
def rows():
    for n in range(count):
        day = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:00:00"
        public_id = str(uuid.UUID(int=n + 1))
        # Every tenth article and the next are one story, in French and English.
        story = str(uuid.UUID(int=n)) if n % 10 == 1 else public_id
        language = "en" if n % 10 == 1 else "fr"
        yield (public_id, f"article-{n}", f"Article {n}", "x", "<p>x</p>", "x",
               language, "published", section if n % 2 else None, day, day, day, day, story)
db.executemany(
    "INSERT INTO articles (public_id, slug, title, body, body_html, excerpt, language, status, "
    "section_id, word_count, reading_time_minutes, published_at, first_published_at, "
    "created_at, updated_at, translation_group) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?)", rows())
db.execute("INSERT INTO article_assets (article_id, asset_id, role, position) "
           "SELECT id, (SELECT id FROM assets), 'cover', 0 FROM articles WHERE id % 5 = 0")
db.commit()
db.execute("ANALYZE")
db.commit()
PY
echo "filled with $count articles in $(echo "$(date +%s.%N) - $started" | bc) s"
started=$(date +%s.%N)
# At first start the server indexes the articles for search (here all of them).
serve "$binary" "$work/server.log" 6000
echo "ready in $(echo "$(date +%s.%N) - $started" | bc) s"
base="http://127.0.0.1:$port"
hwm() { grep VmHWM "/proc/$server/status" | awk '{print $2 / 1024 " MiB"}'; }
echo "before: peak RSS $(hwm)"
curl -fs -o "$work/index.xml" -w "index: %{time_total} s, %{size_download} bytes\n" "$base/sitemap.xml"
shards=$(grep -o 'articles-[0-9]*\.xml' "$work/index.xml" | wc -l)
started=$(date +%s.%N)
urls=0 images=0 alternates=0
for n in $(seq 1 "$shards"); do
    line=$(curl -fs -o "$work/shard.xml" -w "%{time_total} %{size_download}" "$base/sitemaps/articles-$n.xml")
    listed=$(grep -o '<url>' "$work/shard.xml" | wc -l)
    urls=$((urls + listed))
    images=$((images + $(grep -o '<image:image>' "$work/shard.xml" | wc -l)))
    alternates=$((alternates + $(grep -o '<xhtml:link' "$work/shard.xml" | wc -l)))
    echo "shard $n: ${line% *} s, ${line#* } bytes, $listed URLs"
done
echo "all $shards shards: $urls URLs ($images images, $alternates hreflang links) in $(echo "$(date +%s.%N) - $started" | bc) s"
echo "after: peak RSS $(hwm), anonymous $(grep -m1 Anonymous "/proc/$server/smaps_rollup" | awk '{print $2 / 1024 " MiB"}')"
