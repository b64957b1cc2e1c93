#!/usr/bin/env python3
"""Times requests against a running Folio on loopback and prints p50/p99 per kind.

usage: measure.py BASE_URL [REQUESTS_PER_KIND]
"""
import calendar
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

def month_by_day(r):
    """A date picker's question: the days of one month (of the corpus's ten years) with articles."""
    year, month = r.randint(2015, 2024), r.randint(1, 12)
    last = calendar.monthrange(year, month)[1]
    return urllib.parse.urlencode({"granularity": "day", "from": f"{year}-{month:02}-01",
                                   "to": f"{year}-{month:02}-{last}"})


KINDS = {
    "list": lambda r: "/v1/articles",
    "list, cursor page 5": None,  # filled in at run time
    "filtered list": lambda r: "/v1/articles?" + urllib.parse.urlencode({
        "section": r.choice(["monde", "economie", "energie", "culture"]),
        "tag": r.choice(["russie", "chine", "gaz", "climat"]),
        "language": r.choice(["fr", "en"]),
        "from": "2019-01-01", "to": "2021-12-31"}),
    "archive (month)": lambda r: "/v1/archive?granularity=month",
    "archive, one month by day": lambda r: "/v1/archive?" + month_by_day(r),
    "archive, filtered": lambda r: "/v1/archive?" + urllib.parse.urlencode({"tag": r.choice(["russie", "chine"]), "granularity": "day"}),
    "search, one word": lambda r: "/v1/articles?" + urllib.parse.urlencode({"q": r.choice(["nucleaire", "centrales", "elections", "pipeline", "sécheresse"])}),
    # Words in about half of each language's articles: the worst case for ranking.
    "search, very common word": lambda r: "/v1/articles?" + urllib.parse.urlencode({"q": r.choice(["gouvernement", "government", "kazakh"])}),
    "search, phrase and exclusion": lambda r: "/v1/articles?" + urllib.parse.urlencode({"q": r.choice(['"alliance stratégique" -chine', '"power plant" -beijing', 'kazakh* energie'])}),
}


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main():
    base = urllib.parse.urlparse(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    rng = random.Random(7)

    def get(path):
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:200]!r}")
        return elapsed, body

    # A cursor five pages deep, to time keyset pagination away from the start.
    path = "/v1/articles?per_page=20"
    for _ in range(5):
        _, body = get(path)
        path = "/v1/articles?per_page=20&cursor=" + json.loads(body)["next_cursor"]
    deep = path
    KINDS["list, cursor page 5"] = lambda r: deep

    print(f"| request | p50 ms | p99 ms | requests |")
    print(f"|---|---:|---:|---:|")
    for kind, make in KINDS.items():
        for _ in range(10):  # warm-up
            get(make(rng))
        times = [get(make(rng))[0] for _ in range(count)]
        print(f"| {kind} | {statistics.median(times):.2f} | {percentile(times, 99):.2f} | {count} |")


if __name__ == "__main__":
    main()
