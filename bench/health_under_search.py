"""Whether heavy requests starve the others: /health's latency while two clients
search long articles with per_page=100 (highlights over megabyte bodies, large JSON).

usage: python3 bench/health_under_search.py BASE_URL WRITE_TOKEN [ARTICLES] [SECONDS]
Loads ARTICLES articles of about 1 MB that all match the query, then for SECONDS
runs two search loops and times GET /health every 20 ms; prints /health's median,
99th percentile and worst latency, alone and under the searches.
"""
import json
import statistics
import sys
import threading
import time
import urllib.request

base, token = sys.argv[1], sys.argv[2]
articles = int(sys.argv[3]) if len(sys.argv) > 3 else 40
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


paragraph = ("Le cœur de l’alliance stratégique bat dans les steppes, où le gaz et "
             "l’uranium pèsent plus que les discours. ") * 8
body = "\n\n".join([paragraph] * 1200).encode()[:1_000_000].decode(errors="ignore")
for i in range(articles):
    call("POST", "/v1/articles", {"title": f"Alliance {i}", "body": body, "status": "published"})
print(f"loaded {articles} articles of {len(body.encode()) // 1024} KiB")


def health_latencies(until):
    times = []
    while time.monotonic() < until:
        started = time.monotonic()
        urllib.request.urlopen(base + "/health", timeout=120).read()
        times.append((time.monotonic() - started) * 1000)
        time.sleep(0.02)
    return times


def describe(label, times):
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{label}: /health median {statistics.median(times):.1f} ms, "
          f"p99 {p99:.1f} ms, worst {times[-1]:.1f} ms ({len(times)} requests)")


describe("alone", health_latencies(time.monotonic() + 5))
stop = time.monotonic() + seconds
searches = []


def search():
    while time.monotonic() < stop:
        started = time.monotonic()
        call("GET", "/v1/articles?q=alliance&per_page=100")
        searches.append((time.monotonic() - started) * 1000)


workers = [threading.Thread(target=search) for _ in range(2)]
for w in workers:
    w.start()
describe("under two searches", health_latencies(stop))
for w in workers:
    w.join()
print(f"searches: {len(searches)}, median {statistics.median(searches):.0f} ms each")
