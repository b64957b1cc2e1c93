// A front end's view of Folio, written against the types generated from the spec.
// `npm run check` fails when the spec stops describing what a client needs.
import type { components, operations } from "./folio";

type ListQuery = NonNullable<operations["list_articles"]["parameters"]["query"]>;
type ArchiveQuery = NonNullable<operations["get_archive"]["parameters"]["query"]>;
type Page = operations["list_articles"]["responses"][200]["content"]["application/json"];
type Article = components["schemas"]["Article"];

// Every filter of the list is typed, lists as arrays, enums as literals.
export const query: ListQuery = {
  q: "centrales nucléaires -chine",
  section: "monde",
  descendants: false,
  tag: ["russie", "energie"],
  tag_any: ["chine"],
  author: "claire-dubois",
  language: "fr",
  status: "published",
  from: "2024-11-27",
  to: "2024-11-30T23:00:00Z",
  tz: "Europe/Paris",
  date_field: "published",
  sort: "-published_at",
  fields: ["id", "slug", "title", "published_at", "body_html"],
  include_total: true,
  per_page: 20,
  cursor: "opaque",
};

export const archive: ArchiveQuery = { granularity: "day", tag: ["russie"], tz: "America/New_York" };

// @ts-expect-error an unknown sort order is not a sort order
export const badSort: ListQuery = { sort: "newest" };
// @ts-expect-error a field that does not exist cannot be selected
export const badField: ListQuery = { fields: ["headline"] };
// @ts-expect-error tags are a list of slugs
export const badTags: ListQuery = { tag: 5 };
// @ts-expect-error a time zone is one the server knows
export const badZone: ArchiveQuery = { tz: "Mars/Olympus" };

// Responses are typed down to the metadata a newsroom adds.
export function headline(page: Page): string[] {
  return page.data.map((item) => String(item.title ?? ""));
}

export function dateline(article: Article): string | undefined {
  const value = article.metadata["dateline"];
  return typeof value === "string" ? value : undefined;
}

export function nextPage(page: Page): ListQuery | undefined {
  return page.next_cursor ? { ...query, cursor: page.next_cursor } : undefined;
}

// Metadata is any JSON object, not an empty record.
export const metadata: Article["metadata"] = { dateline: "Astana", event_date: "2024-11-28", pages: 3 };
