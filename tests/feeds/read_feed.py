#!/usr/bin/env python3
"""Reads a feed the way subscribers' software does, for the integration tests.

Usage: read_feed.py rss|atom|json|xml < document

RSS and Atom go through Python's `feedparser` (PyPI), which must parse them
without a `bozo` error. `feedparser` 6.0 does not read JSON Feed, so a JSON feed is
checked here against the rules of JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)
and read by them. Prints what a reader sees, as JSON:
  {"title", "self", "entries": [{"id", "link", "title", "content", "summary",
   "categories", "authors", "published", "language", "item_language",
   "translations" ({"hreflang", "href"} of alternate links with a language, or
   of JSON Feed's `_folio` extension), and "enclosures" (RSS, Atom) or "image"
   (JSON Feed)}]}
or exits 1 with the reason. Every XML document must also be well-formed to
Python's strict `xml.etree.ElementTree` (`xml` checks only that, for sitemaps).
"""
import json
import sys
from datetime import datetime
from urllib.parse import urlparse


def fail(why):
    print(why, file=sys.stderr)
    sys.exit(1)


def absolute(url, what):
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"{what} is not an absolute URL: {url!r}")
    return url


def rfc3339(text, what):
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        fail(f"{what} is not an RFC 3339 date: {text!r}")
    return text


def well_formed(document):
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        fail(f"ElementTree: {error}")
    return {"root": root.tag}


def read_xml(document):
    import feedparser

    well_formed(document)
    parsed = feedparser.parse(document)
    if parsed.bozo:
        fail(f"feedparser: {parsed.bozo_exception}")
    links = parsed.feed.get("links", [])
    return {
        "version": parsed.version,
        "title": parsed.feed.get("title"),
        "self": next((l["href"] for l in links if l.get("rel") == "self"), None),
        "entries": [
            {
                "id": e.get("id"),
                "link": e.get("link"),
                "title": e.get("title"),
                "content": (e.get("content") or [{}])[0].get("value"),
                "summary": e.get("summary"),
                "categories": [t["term"] for t in e.get("tags", [])],
                "authors": [a.get("name") for a in e.get("authors", []) if a.get("name")],
                "published": e.get("published"),
                "language": (e.get("content") or [{}])[0].get("language"),
                "item_language": e.get("language"),
                "translations": [
                    {"hreflang": l["hreflang"], "href": absolute(l["href"], "a translation")}
                    for l in e.get("links", [])
                    if l.get("rel") == "alternate" and l.get("hreflang")
                ],
                "enclosures": [
                    {"href": x.get("href"), "type": x.get("type"), "length": x.get("length")}
                    for x in e.get("enclosures", [])
                ],
            }
            for e in parsed.entries
        ],
    }


def read_json(document):
    feed = json.loads(document)
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        fail(f"version: {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str):
        fail("a feed has a title")
    for key in ("home_page_url", "feed_url"):
        if key in feed:
            absolute(feed[key], key)
    if not isinstance(feed.get("items"), list):
        fail("a feed has items")
    entries = []
    for item in feed["items"]:
        if not isinstance(item.get("id"), str) or not item["id"]:
            fail(f"an item's id is a non-empty string: {item.get('id')!r}")
        if not isinstance(item.get("content_html"), str) and not isinstance(
            item.get("content_text"), str
        ):
            fail(f"item {item['id']} has neither content_html nor content_text")
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                absolute(item[key], key)
        for key in ("date_published", "date_modified"):
            if key in item:
                rfc3339(item[key], key)
        for author in item.get("authors", []):
            if not any(k in author for k in ("name", "url", "avatar")):
                fail(f"an author has a name, url or avatar: {author!r}")
        if not all(isinstance(t, str) for t in item.get("tags", [])):
            fail("tags are strings")
        # Extensions: keys that start with an underscore, each an object.
        for key, value in item.items():
            if key.startswith("_") and not isinstance(value, dict):
                fail(f"extension {key} is an object: {value!r}")
        translations = item.get("_folio", {}).get("translations", [])
        entries.append(
            {
                "id": item["id"],
                "link": item.get("url"),
                "title": item.get("title"),
                "content": item.get("content_html"),
                "summary": item.get("summary"),
                "categories": item.get("tags", []),
                "authors": [a.get("name") for a in item.get("authors", [])],
                "published": item.get("date_published"),
                "language": item.get("language"),
                "item_language": item.get("language"),
                "translations": [
                    {"hreflang": t["language"], "href": absolute(t["url"], "a translation")}
                    for t in translations
                ],
                "image": item.get("image"),
            }
        )
    return {
        "version": "json11",
        "title": feed["title"],
        "self": feed.get("feed_url"),
        "entries": entries,
    }


def main():
    kind = sys.argv[1]
    document = sys.stdin.buffer.read()
    read = {"json": read_json, "xml": well_formed}.get(kind, read_xml)
    print(json.dumps(read(document), ensure_ascii=False))


if __name__ == "__main__":
    main()
