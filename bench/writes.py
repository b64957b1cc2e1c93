#!/usr/bin/env python3
"""Times writes one after another on one kept-alive connection: N creates, then N
updates of those articles; then, optionally, a whole first sync with 1,000 items a
page. Prints medians and 99th percentiles in milliseconds, and sync items per second.

usage: writes.py BASE_URL TOKEN N [sync]
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method, path, body=None):
        started = time.perf_counter()
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status >= 300:
            sys.exit(f"{method} {path}: {response.status} {payload[:300]!r}")
        return elapsed, payload

    paragraph = "Le cœur du réacteur « nucléaire » bat au rythme de l’alliance stratégique. " * 6
    slugs, creates, updates = [], [], []
    for i in range(n):
        elapsed, payload = call("POST", "/v1/articles", {
            "title": f"Dépêche d’écriture {i}", "body": "\n\n".join([paragraph] * 4),
            "status": "published", "published_at": "2024-11-27T09:00:00Z"})
        creates.append(elapsed)
        slugs.append(json.loads(payload)["slug"])
    for i, slug in enumerate(slugs):
        elapsed, _ = call("PATCH", f"/v1/articles/{slug}", {"title": f"Dépêche réécrite {i}"})
        updates.append(elapsed)
    for name, values in (("create", creates), ("update", updates)):
        if not values:
            continue
        print(f"{name}: p50 {statistics.median(values):.2f} ms, p99 {percentile(values, 0.99):.2f} ms ({len(values)})")

    if len(sys.argv) > 4 and sys.argv[4] == "sync":
        items, pages = 0, 0
        path = "/v1/sync?initial=true&type=article&per_page=1000"
        started = time.perf_counter()
        while True:
            _, payload = call("GET", path)
            page = json.loads(payload)
            items += len(page["data"])
            pages += 1
            if page.get("next_page_token"):
                path = "/v1/sync?per_page=1000&page_token=" + urllib.parse.quote(page["next_page_token"])
            else:
                break
        seconds = time.perf_counter() - started
        print(f"first sync: {items} articles in {pages} pages, {seconds:.1f} s, {items / seconds:.0f} items/s")


if __name__ == "__main__":
    main()
