// The site's addresses are Folio's: an article lives at the path its `url` has
// (FOLIO_PERMALINK, default `/{section}/{slug}`, on FOLIO_SITE_URL), a section at
// `/{slug}`, a tag at `/tag/{slug}`, an author at `/author/{slug}`. So a URL from a
// feed, a sitemap or the JSON opens here, on the page it names.

/** The permalink pattern the site was built with: the server's FOLIO_PERMALINK. */
const PERMALINK: string = import.meta.env.VITE_FOLIO_PERMALINK ?? "/{section}/{slug}";

export type Route =
  | { page: "home" }
  | { page: "search"; q: string }
  | { page: "archive"; month?: string }
  | { page: "tag"; slug: string }
  | { page: "author"; slug: string }
  | { page: "section-or-article"; slug: string }
  | { page: "article"; slug: string };

const PART: Record<string, string> = {
  year: "\\d{4}",
  month: "\\d{2}",
  day: "\\d{2}",
};

/** The pattern as a regular expression over a path: a segment that is a part on
 * its own other than the slug or id may be missing (an article in no section). */
function permalinkExpression(pattern: string): RegExp {
  const segments = pattern.split("/").filter(Boolean);
  const source = segments
    .map((segment) => {
      const alone = segment.match(/^\{(\w+)\}$/);
      const group = segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
        return `(?<${name}>${PART[name] ?? "[^/]+"})`;
      });
      return alone && alone[1] !== "slug" && alone[1] !== "id" ? `(?:/${group})?` : `/${group}`;
    })
    .join("");
  return new RegExp(`^${source}/?$`);
}

const permalink = permalinkExpression(PERMALINK);

/** Where a path leads. */
export function route(pathname: string, search: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "home" };
  if (parts[0] === "search" && parts.length === 1) return { page: "search", q: new URLSearchParams(search).get("q") ?? "" };
  if (parts[0] === "archive" && parts.length <= 2) return { page: "archive", month: parts[1] };
  if (parts[0] === "tag" && parts.length === 2) return { page: "tag", slug: parts[1] };
  if (parts[0] === "author" && parts.length === 2) return { page: "author", slug: parts[1] };
  const found = pathname.match(permalink)?.groups;
  const article = found?.slug ?? found?.id;
  // One segment is a section's page or an article in no section: the section
  // list decides.
  if (parts.length === 1) return { page: "section-or-article", slug: parts[0] };
  return article ? { page: "article", slug: decodeURIComponent(article) } : { page: "home" };
}

/** The path of a Folio address on the public site (its `url`), else `fallback`. */
export function pathOf(url: string | null | undefined, fallback: string): string {
  if (!url) return fallback;
  const { pathname, search } = new URL(url);
  return pathname + search;
}
