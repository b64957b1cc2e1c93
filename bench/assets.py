#!/usr/bin/env python3
"""Measures image work against a running Folio (see assets.sh).

usage: assets.py BASE_URL WRITE_TOKEN SERVER_PID STORM_TRANSFORMS
"""
import http.client
import io
import json
import statistics
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from PIL import Image, ImageDraw

base, token, pid, storm_size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host = urllib.parse.urlparse(base)


def memory():
    """Resident memory now and at its peak, MiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    mib = lambda key: int(fields[key].split()[0]) / 1024
    return mib("VmRSS"), mib("VmHWM")


def request(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return res.status, data, elapsed


def photo(width, height):
    """A photo-like JPEG: gradients and shapes, so encoders have detail to keep."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for x in range(0, width, 8):
        draw.line([(x, 0), (x, height)], fill=(x * 255 // width, 120, 255 - x * 255 // width), width=8)
    for i in range(60):
        x, y = (i * 7919) % width, (i * 104729) % height
        draw.ellipse([x, y, x + width // 12, y + height // 12], fill=((i * 37) % 255, (i * 91) % 255, (i * 53) % 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def upload(data):
    status, body, elapsed = request(
        "POST", "/v1/assets?alt=bench", data,
        {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})
    assert status == 201, body
    return json.loads(body), elapsed


def median_ms(values):
    return statistics.median(values) * 1000


def p99_ms(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


rss, peak = memory()
print(f"server at rest: RSS {rss:.1f} MiB (peak so far {peak:.1f})")

original = photo(4000, 3000)
print(f"photo: 4000x3000 JPEG, {len(original) / 1e6:.1f} MB")
uploads = [upload(original) for _ in range(5)]
asset = uploads[0][0]
print(f"upload (probe, placeholder, store): median {median_ms([u[1] for u in uploads]):.0f} ms of 5")

# Cold transforms: every request a size not made before, 2 at a time (the
# default FOLIO_ASSET_TRANSFORMS on 2 cores is 1: the second waits its turn).
def cold(fmt, count, offset):
    paths = [f"/v1/assets/{asset['id']}/resize?w={400 + offset + i}&format={fmt}" for i in range(count)]
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: request("GET", p), paths))
    wall = time.perf_counter() - start
    assert all(r[0] == 200 for r in results), [r[0] for r in results]
    return count / wall, median_ms([r[2] for r in results])

for fmt, count in [("jpeg", 20), ("webp", 20), ("avif", 4)]:
    rate, median = cold(fmt, count, {"jpeg": 0, "webp": 100, "avif": 200}[fmt])
    print(f"cold {fmt:4}: {rate:.2f} transforms/s, median request {median:.0f} ms ({count} sizes from the 4000x3000 original)")

# The worst single copies: from a 6000x6000 PNG (36 megapixels, under the default
# FOLIO_MAX_ASSET_PIXELS), the largest box arbitrary sizes take, as AVIF at full
# quality, and the largest preset as AVIF. Each is bounded to 2048x2048 pixels.
big = io.BytesIO()
Image.open(io.BytesIO(photo(6000, 6000))).save(big, "PNG")
status, body, _ = request("POST", "/v1/assets?alt=worst", big.getvalue(),
                          {"Authorization": f"Bearer {token}", "Content-Type": "image/png"})
assert status == 201, body
worst = json.loads(body)
for label, path in [
    ("resize w=4096&h=4096 AVIF q=100", f"/v1/assets/{worst['id']}/resize?w=4096&h=4096&format=avif&q=100"),
    ("preset large AVIF", f"/v1/assets/{worst['id']}/large?format=avif"),
    ("preset large WebP", f"/v1/assets/{worst['id']}/large?format=webp"),
]:
    status, data, elapsed = request("GET", path)
    assert status == 200, (status, data[:200])
    size = Image.open(io.BytesIO(data)).size
    print(f"worst case, {label} from the 6000x6000 PNG: {elapsed:.2f} s, {size[0]}x{size[1]}")
rss, peak = memory()
print(f"server after the worst cases: RSS {rss:.1f} MiB, peak {peak:.1f} MiB")

medium = urllib.parse.urlparse(asset["presets"]["medium"]["url"])
medium_path = f"{medium.path}?{medium.query}"
request("GET", medium_path, headers={"Accept": "image/webp"})
warm = [request("GET", medium_path, headers={"Accept": "image/webp"})[2] for _ in range(300)]
print(f"warm preset (medium, WebP, from the store): median {median_ms(warm):.2f} ms, p99 {p99_ms(warm):.2f} ms")

# Article reads alone, then while a storm of cold transforms runs.
text = "Le président russe est arrivé à Astana pour une visite d’État. " * 60
created = json.dumps({"title": "Poutine au Kazakhstan", "body": f"{text}\n\n![](asset:{asset['id']})",
                      "status": "published", "cover": asset["id"]})
status, body, _ = request("POST", "/v1/articles", created.encode(),
                          {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
assert status == 201, body
article = f"/v1/articles/{json.loads(body)['slug']}"

def reads(seconds):
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        status, _, elapsed = request("GET", article)
        assert status == 200
        times.append(elapsed)
    return times

quiet = reads(5)
storm_answers = []
def storm():
    paths = [f"/v1/assets/{asset['id']}/resize?w={1000 + i}&format=webp" for i in range(storm_size)]
    with ThreadPoolExecutor(16) as pool:
        storm_answers.extend(r[0] for r in pool.map(lambda p: request("GET", p), paths))

storm_thread = threading.Thread(target=storm)
storm_start = time.perf_counter()
storm_thread.start()
during = reads(5)
storm_thread.join()
storm_wall = time.perf_counter() - storm_start
made = sum(1 for s in storm_answers if s == 200)
refused = sum(1 for s in storm_answers if s == 503)
print(f"article read alone: median {median_ms(quiet):.2f} ms, p99 {p99_ms(quiet):.2f} ms ({len(quiet)} reads)")
print(f"article read during a storm of {storm_size} cold WebP transforms from 16 clients: "
      f"median {median_ms(during):.2f} ms, p99 {p99_ms(during):.2f} ms ({len(during)} reads)")
print(f"storm: {made} made, {refused} refused with 503, {storm_wall:.1f} s")
rss, peak = memory()
print(f"server after everything: RSS {rss:.1f} MiB, peak {peak:.1f} MiB")
