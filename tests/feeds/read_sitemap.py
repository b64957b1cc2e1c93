#!/usr/bin/env python3
"""Reads a sitemap index and every sitemap it lists the way crawlers do, with the
`ultimate-sitemap-parser` package (PyPI), for the integration tests.

Usage: read_sitemap.py URL

Prints, as JSON, {"sitemaps": [{"url", "pages": [{"url", "lastmod", "images", "news"}]}]}
with news as {"title", "name", "language", "date"} on Google News entries; exits 1
when the parser found any sitemap invalid.
"""
import json
import sys

from usp.fetch_parse import SitemapFetcher
from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap


def main():
    root = SitemapFetcher(url=sys.argv[1], recursion_level=0).sitemap()
    if isinstance(root, InvalidSitemap):
        sys.exit(f"{root.url}: {root.reason}")
    if not isinstance(root, AbstractIndexSitemap):
        sys.exit(f"{root.url} is not a sitemap index")
    listed = []
    for sitemap in root.sub_sitemaps:
        if isinstance(sitemap, InvalidSitemap):
            sys.exit(f"{sitemap.url}: {sitemap.reason}")
        pages = []
        for page in sitemap.all_pages():
            story = page.news_story
            pages.append(
                {
                    "url": page.url,
                    "lastmod": page.last_modified.isoformat() if page.last_modified else None,
                    "images": [image.loc for image in (page.images or [])],
                    "news": story
                    and {
                        "title": story.title,
                        "name": story.publication_name,
                        "language": story.publication_language,
                        "date": story.publish_date.isoformat(),
                    },
                }
            )
        listed.append({"url": sitemap.url, "pages": pages})
    print(json.dumps({"sitemaps": listed}, ensure_ascii=False))


if __name__ == "__main__":
    main()
