#!/usr/bin/env python3
"""What blocks cost: times, one after another on one kept-alive connection, N
creates of a structured body (headings, marks, links, a quote with its
attribution, a list, a table, an embed), N creates of the same body sent as
blocks (when the server takes them), N updates of the body, and N reads of one
such article whole, with `fields=body_html` and with `fields=blocks`. Prints
medians and 99th percentiles in milliseconds.

usage: MEASURE=bench/blocks.py bench/writes.sh FOLIO_BINARY [N] [POSTGRES_ADMIN_URL]
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

from writes import percentile

BODY = """Le président russe est arrivé mercredi à Astana pour une visite d’État de deux jours. Au **cœur** des discussions\u00a0: l’énergie, les *corridors* de transport et la [sécurité régionale](https://news.example/securite).

## Une relation ancienne

Les deux pays partagent plus de 7\u00a0500 kilomètres de frontière et une histoire commune que ni l’un ni l’autre ne peut ignorer. Depuis 1992, le traité d’amitié a été renouvelé sans interruption.

> Le Kazakhstan ne choisit pas, il additionne.
>
> — Un diplomate européen

## Le nucléaire au centre du jeu

1. Rosatom est sur les rangs ;
2. le chinois CNNC aussi ;
3. et le français **EDF**, discrètement.

| Pays | Part de l’uranium mondial |
|:---|---:|
| Kazakhstan | 43 % |
| Canada | 15 % |

https://www.youtube.com/watch?v=dQw4w9WgXcQ

Pour Astana, l’enjeu est d’équilibre\u00a0: rester proche de Moscou sans fermer la porte à Pékin, à Bruxelles ni à Washington. « Nous sommes des alliés naturels », a déclaré Vladimir Poutine à sa descente d’avion, sous un ciel d’hiver déjà bas.
"""


def main():
    base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method, path, body=None, allowed=300):
        started = time.perf_counter()
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status >= allowed:
            sys.exit(f"{method} {path}: {response.status} {payload[:300]!r}")
        return elapsed, response.status, payload

    timings = {}
    slugs = []
    for i in range(n):
        elapsed, _, payload = call("POST", "/v1/articles", {
            "title": f"Poutine au Kazakhstan {i}", "body": BODY,
            "status": "published", "published_at": "2024-11-27T09:00:00Z"})
        timings.setdefault("create with body", []).append(elapsed)
        slugs.append(json.loads(payload)["slug"])
    _, _, payload = call("GET", f"/v1/articles/{slugs[0]}")
    blocks = json.loads(payload).get("blocks")
    if blocks is not None:
        for i in range(n):
            elapsed, _, _ = call("POST", "/v1/articles", {
                "title": f"En blocs {i}", "blocks": blocks,
                "status": "published", "published_at": "2024-11-27T09:00:00Z"})
            timings.setdefault("create with blocks", []).append(elapsed)
    for i, slug in enumerate(slugs):
        elapsed, _, _ = call("PATCH", f"/v1/articles/{slug}", {"body": BODY + f"\nÉdition {i}.\n"})
        timings.setdefault("update of the body", []).append(elapsed)
    reads = [("read whole", ""), ("read fields=body_html", "?fields=body_html")]
    if blocks is not None:
        reads.append(("read fields=blocks", "?fields=blocks"))
    for name, query in reads:
        for i in range(n):
            elapsed, _, _ = call("GET", f"/v1/articles/{slugs[i % len(slugs)]}{query}")
            timings.setdefault(name, []).append(elapsed)
    _, _, whole = call("GET", f"/v1/articles/{slugs[0]}")
    print(f"an article whole: {len(whole)} bytes" + (f", of which blocks {len(json.dumps(blocks, ensure_ascii=False).encode())}" if blocks is not None else ""))
    for name, values in timings.items():
        print(f"{name}: p50 {statistics.median(values):.2f} ms, p99 {percentile(values, 0.99):.2f} ms ({len(values)})")


if __name__ == "__main__":
    main()
