#!/usr/bin/env python3
"""Soak test: mixed reads and writes against a running Folio for a fixed time,
then checks that no answer was a 5xx, that every acknowledged write is there, and
how much the server's memory grew after warm-up.

The workload is a newsroom's steady state: each connection keeps up to MINE live
articles of its own that it edits, deleting its oldest before creating another,
so the set of live articles (and what a list or a search goes through) stays
bounded while revisions, the trash and the audit log keep growing.

usage: soak.py BASE_URLS WRITE_TOKEN SERVER_PIDS [SECONDS] [CONNECTIONS]
BASE_URLS and SERVER_PIDS may each list several nodes, comma-separated: the
connections are spread over the nodes, and each node's memory is checked. With
SOAK_PUBLIC_CHECK set, every acknowledged write is also read back without a token
from every node (from a read replica, where one is configured).
Run by bench/soak.sh, which starts the servers.
"""
import collections
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

BASES, TOKEN = sys.argv[1].split(","), sys.argv[2]
PIDS = [int(pid) for pid in sys.argv[3].split(",")]
SECONDS = int(sys.argv[4]) if len(sys.argv) > 4 else 600
CONNECTIONS = int(sys.argv[5]) if len(sys.argv) > 5 else 64
WARM_UP = min(60, SECONDS // 5)
MINE = 8
HOSTS = [urllib.parse.urlsplit(base).netloc for base in BASES]
PUBLIC_CHECK = bool(os.environ.get("SOAK_PUBLIC_CHECK"))

BODY = ("Le « partenariat » remonte à 1992\u00a0: l’alliance, cœur du dispositif 🇰🇿. "
        "La centrale nucléaire d’Aktaou alimente la région. ") * 8
WORDS = ["nucleaire", "alliance", "coeur", "centrale", "energie", "kazakh*", '"alliance strategique"']

lock = threading.Lock()
statuses = collections.Counter()
failures = []          # (request, status, body) of every 5xx or transport error
acknowledged = {}      # slug -> title the last acknowledged write gave it, or None once deleted
latencies = collections.defaultdict(list)


def memory_kib(pid):
    """Resident memory, and its anonymous part (the heap: where a leak would show;
    the rest is the database file mapped into memory, which the kernel manages)."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon"):
                found[key] = int(line.split()[1])
    return found.get("VmRSS", 0), found.get("RssAnon", 0)


class Client:
    def __init__(self, rng, host):
        self.rng = rng
        self.host = host
        self.conn = http.client.HTTPConnection(host, timeout=60)
        self.mine = []  # slugs this client created and has not deleted

    def call(self, kind, method, path, body=None, token=False):
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {TOKEN}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            res = self.conn.getresponse()
            text = res.read()
            status = res.status
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, timeout=60)
            status, text = 0, str(error).encode()
        elapsed = time.perf_counter() - started
        with lock:
            statuses[status] += 1
            latencies[kind].append(elapsed)
            if status >= 500 or status == 0:
                failures.append((f"{method} {path}", status, text[:300]))
        return status, text

    def step(self):
        r = self.rng.random()
        if r < 0.30:
            self.call("list", "GET", "/v1/articles?per_page=20")
        elif r < 0.45:
            q = urllib.parse.quote(self.rng.choice(WORDS))
            self.call("search", "GET", f"/v1/articles?q={q}")
        elif r < 0.55:
            self.call("archive", "GET", "/v1/archive?granularity=month")
        elif r < 0.70:
            slug = self.rng.choice(self.mine) if self.mine else "poutine-au-kazakhstan-une-alliance-strategique"
            self.call("get", "GET", f"/v1/articles/{slug}", token=True)
        elif r < 0.78 and len(self.mine) >= MINE:
            slug = self.mine.pop(0)
            status, _ = self.call("delete", "DELETE", f"/v1/articles/{slug}", token=True)
            if status == 204:
                with lock:
                    acknowledged[slug] = None
        elif r < 0.78:
            title = f"Soak {self.rng.getrandbits(48):012x} : une alliance stratégique"
            status, text = self.call("create", "POST", "/v1/articles", {
                "title": title, "body": BODY, "status": "published", "tags": [], "language": "fr"},
                token=True)
            if status == 201:
                slug = json.loads(text)["slug"]
                self.mine.append(slug)
                with lock:
                    acknowledged[slug] = title
        elif self.mine:
            slug = self.rng.choice(self.mine)
            title = f"Révisé {self.rng.getrandbits(32):08x} : cœur"
            status, _ = self.call("update", "PATCH", f"/v1/articles/{slug}", {"title": title}, token=True)
            if status == 200:
                with lock:
                    acknowledged[slug] = title


def worker(seed, deadline):
    client = Client(random.Random(seed), HOSTS[seed % len(HOSTS)])
    while time.time() < deadline:
        client.step()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def main():
    start = time.time()
    deadline = start + SECONDS
    threads = [threading.Thread(target=worker, args=(i, deadline)) for i in range(CONNECTIONS)]
    for t in threads:
        t.start()
    memory = {pid: [] for pid in PIDS}
    while time.time() < deadline:
        time.sleep(5)
        for pid in PIDS:
            memory[pid].append((time.time() - start, *memory_kib(pid)))
    for t in threads:
        t.join()

    missing = []
    checks = [(host, True) for host in HOSTS]
    if PUBLIC_CHECK:
        time.sleep(3)  # longer than a replica may lag and still serve
        checks += [(host, False) for host in HOSTS]
    for host, token in checks:
        checker = Client(random.Random(0), host)
        for slug, title in acknowledged.items():
            status, text = checker.call("verify", "GET", f"/v1/articles/{slug}", token=token)
            reader = f"{host} {'with' if token else 'without'} a token"
            if title is None:
                if status != 410:
                    missing.append((slug, reader, "deleted, but answers", status))
            elif status != 200 or json.loads(text)["title"] != title:
                missing.append((slug, reader, title, status))

    total = sum(statuses.values())
    print(f"duration: {SECONDS} s, connections: {CONNECTIONS}, requests: {total} "
          f"({total / SECONDS:.0f}/s)")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    for kind, values in sorted(latencies.items()):
        print(f"  {kind:8} n={len(values):7}  p50 {percentile(values, 0.5):7.1f} ms  "
              f"p99 {percentile(values, 0.99):7.1f} ms")
    writes = sum(1 for t in acknowledged.values() if t is not None)
    deleted = sum(1 for t in acknowledged.values() if t is None)
    ways = ", ".join(f"{host} {'with' if token else 'without'} a token" for host, token in checks)
    print(f"acknowledged writes checked: {len(acknowledged)} articles "
          f"({writes} live with their last title, {deleted} deleted), read back from {ways}; "
          f"missing or stale: {len(missing)}")
    growths = []
    for pid, samples in memory.items():
        after_warm_up = [m for m in samples if m[0] >= WARM_UP] or samples
        base_rss, base_anon = after_warm_up[0][1], after_warm_up[0][2]
        final_rss, final_anon = samples[-1][1], samples[-1][2]
        peak_anon = max(m[2] for m in samples)
        growth = (final_anon - base_anon) / base_anon * 100 if base_anon else 0.0
        rss_growth = (final_rss - base_rss) / base_rss * 100 if base_rss else 0.0
        growths.append(growth)
        node = f"node {pid}: " if len(PIDS) > 1 else ""
        print(f"{node}memory, anonymous (heap): {base_anon / 1024:.1f} MiB after {WARM_UP} s warm-up, "
              f"{final_anon / 1024:.1f} MiB at the end (peak {peak_anon / 1024:.1f}): growth {growth:+.1f} %")
        print(f"{node}memory, resident (heap and mapped database): {base_rss / 1024:.1f} MiB → "
              f"{final_rss / 1024:.1f} MiB ({rss_growth:+.1f} %)")
        series = [f"{at / 60:.0f} min {anon / 1024:.1f}" for at, _, anon in samples[11::12]]
        print(f"{node}heap by minute (MiB): " + ", ".join(series))
    for failure in failures[:10]:
        print("5xx:", failure)
    for m in missing[:10]:
        print("missing:", m)
    ok = not failures and not missing and all(g < 10 for g in growths)
    print("SOAK PASSED" if ok else "SOAK FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
