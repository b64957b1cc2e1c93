// A small newsroom site on Folio: home, sections with cursor pagination, articles
// with related ones, search with highlights, and an archive by month and day.
// Everything it shows comes through the TypeScript client (@folio/client).

import { createFolio, FolioProblem, unwrap, type Article, type ArticleSummary, type operations } from "@folio/client";

/** An IANA zone the server knows: the spec lists them. */
type Zone = NonNullable<NonNullable<operations["get_archive"]["parameters"]["query"]>["tz"]>;

import { renderBlocks } from "./blocks";
import { h, picture, trusted } from "./dom";
import { say, toggleLanguage, uiLanguage } from "./i18n";
import { pathOf, route as routeOf } from "./routes";

// Same origin: Vite passes /v1 on to Folio (see vite.config.ts).
const folio = createFolio({ baseUrl: window.location.origin });
const api = folio.client;
const main = document.querySelector<HTMLElement>("#main")!;
// Dates are shown, and archive days counted, in the reader's own zone.
const readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone as Zone;

/** The reader's languages: the site's, then the other one. */
function reading(): { locale: string; fallback: string[] } {
  const ui = uiLanguage();
  return { locale: ui, fallback: [ui === "fr" ? "en" : "fr"] };
}

/** The article on screen, for the language switch. */
let shown: Article | undefined;
/** The sections' slugs: a one-segment path is a section's page, else an article's. */
let sectionSlugs = new Set<string>();

/** Goes to `path` on this site, as a link would. */
function go(path: string) {
  history.pushState(null, "", path);
  void route();
}

/** A language's own name: « English », « français ». */
function languageName(tag: string): string {
  return new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? tag;
}

function when(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(uiLanguage(), {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: readerZone,
  }).format(new Date(iso));
}

/** Feed readers find the feeds of what the page shows. */
function advertiseFeeds(query: string) {
  for (const link of document.querySelectorAll<HTMLLinkElement>("link[data-feed]")) {
    link.href = `/v1/feeds/articles.${link.dataset.feed}${query}`;
  }
}

function teaser(article: ArticleSummary): HTMLElement {
  const item = h(
    "article",
    { class: "teaser", lang: article.language ?? "" },
    ...(article.cover ? [picture(article.cover, "thumb", "")] : []),
    h("h2", {}, h("a", { href: pathOf(article.url, `/${article.slug}`) }, article.title)),
    h("p", { class: "meta" }, when(article.published_at), article.section ? ` · ${article.section.name}` : ""),
  );
  if (article.highlight) item.append(trusted("p", article.highlight, { class: "highlight" }));
  else if (article.excerpt) item.append(h("p", {}, article.excerpt));
  return item;
}

async function home() {
  advertiseFeeds("");
  // Each story once, in the reader's language when it has one.
  const page = await folio.articles({ per_page: 10, ...reading() });
  main.replaceChildren(h("h1", {}, say("latest")), ...page.data.map(teaser));
}

/** A page of articles paged by cursor: a section's, a tag's or an author's. */
async function listing(title: string, filter: { section?: string; tag?: string[]; author?: string }) {
  const list = h("div", { class: "list" });
  const more = h("button", { type: "button", id: "more" }, say("more"));
  main.replaceChildren(h("h1", {}, title), list, more);
  let cursor: string | undefined;
  const load = async () => {
    const page = await folio.articles({ ...filter, per_page: 5, cursor, ...reading() });
    list.append(...page.data.map(teaser));
    cursor = page.next_cursor ?? undefined;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => void load().catch(showProblem));
  await load();
}

async function section(slug: string) {
  advertiseFeeds(`?section=${encodeURIComponent(slug)}`);
  const about = unwrap(await api.GET("/v1/sections/{slug}", { params: { path: { slug }, query: reading() } }));
  await listing(about.name, { section: slug });
}

async function tag(slug: string) {
  advertiseFeeds(`?tag=${encodeURIComponent(slug)}`);
  const about = unwrap(await api.GET("/v1/tags/{slug}", { params: { path: { slug }, query: reading() } }));
  await listing(`#${about.name}`, { tag: [slug] });
}

async function author(slug: string) {
  advertiseFeeds(`?author=${encodeURIComponent(slug)}`);
  const about = unwrap(await api.GET("/v1/authors/{slug}", { params: { path: { slug }, query: reading() } }));
  await listing(about.name, { author: slug });
}

async function article(slug: string) {
  // The whole article; the slug names the version to show.
  const article = await folio.article(slug);
  shown = article;
  advertiseFeeds(article.section ? `?section=${encodeURIComponent(article.section.slug)}` : "");
  const related = unwrap(
    await api.GET("/v1/articles/{slug}/related", { params: { path: { slug }, query: { limit: 3 } } }),
  );
  const byline = article.authors.map((a) => a.name).join(", ");
  main.replaceChildren(
    h(
      "article",
      { lang: article.language, class: "full" },
      h("h1", {}, article.title),
      ...(article.cover
        ? [
            h(
              "figure",
              { class: "cover" },
              picture(article.cover, "medium", "(max-width: 46rem) 100vw, 46rem"),
              h("figcaption", {}, [article.cover.caption, article.cover.credit].filter(Boolean).join(" — ")),
            ),
          ]
        : []),
      h(
        "p",
        { class: "meta" },
        [byline, when(article.published_at), say("minutes", article.reading_time_minutes)]
          .filter(Boolean)
          .join(" · "),
      ),
      ...(article.translations.length
        ? [
            h(
              "p",
              { class: "translations" },
              say("alsoIn"),
              ...article.translations.map((t) =>
                h("a", { href: pathOf(t.url, `/${t.slug}`), hreflang: t.language, lang: t.language }, ` ${languageName(t.language)}`),
              ),
            ),
          ]
        : []),
      h("div", { class: "body" }, ...renderBlocks(article.blocks)),
      h("p", { class: "tags" }, ...article.tags.map((t) => h("a", { href: `/tag/${encodeURIComponent(t.slug)}` }, `#${t.name} `))),
    ),
    h("h2", {}, say("related")),
    ...related.data.map(teaser),
  );
}

async function search(q: string) {
  advertiseFeeds(`?q=${encodeURIComponent(q)}`);
  const input = document.querySelector<HTMLInputElement>("#search input")!;
  input.value = q;
  const page = await folio.search(q, { per_page: 20, ...reading() });
  main.replaceChildren(h("h1", {}, say("results", page.data.length, q)), ...page.data.map(teaser));
}

async function archive(month?: string) {
  advertiseFeeds("");
  if (!month) {
    const months = unwrap(await api.GET("/v1/archive", { params: { query: { granularity: "month", tz: readerZone } } }));
    main.replaceChildren(
      h("h1", {}, say("archive")),
      h("ol", { class: "archive" }, ...months.data.map((p) => h("li", {}, h("a", { href: `/archive/${p.period}` }, p.period), ` (${p.count})`))),
    );
    return;
  }
  const [year, number] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, number, 0)).getUTCDate();
  const range = { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}`, tz: readerZone };
  const days = unwrap(await api.GET("/v1/archive", { params: { query: { granularity: "day", ...range } } }));
  const list = h("div", { class: "list" });
  const picker = h(
    "ol",
    { class: "days" },
    ...days.data.map((p) => {
      const button = h("button", { type: "button", "data-day": p.period }, `${p.period} (${p.count})`);
      button.addEventListener("click", () => {
        void folio
          .articles({ from: p.period, to: p.period, tz: readerZone, per_page: 50 })
          .then((page) => list.replaceChildren(...page.data.map(teaser)))
          .catch(showProblem);
      });
      return h("li", {}, button);
    }),
  );
  main.replaceChildren(h("h1", {}, say("archive"), ` ${month}`), picker, list);
}

function showProblem(e: unknown) {
  const text = e instanceof FolioProblem ? e.problem.detail : String(e);
  main.replaceChildren(h("h1", {}, say("error")), h("p", { class: "problem" }, text));
}

async function route() {
  const to = routeOf(window.location.pathname, window.location.search);
  shown = undefined;
  try {
    switch (to.page) {
      case "home":
        return await home();
      case "search":
        return await search(to.q);
      case "archive":
        return await archive(to.month);
      case "tag":
        return await tag(to.slug);
      case "author":
        return await author(to.slug);
      case "section-or-article":
        return await (sectionSlugs.has(to.slug) ? section(to.slug) : article(to.slug));
      case "article":
        return await article(to.slug);
    }
  } catch (e) {
    showProblem(e);
  }
}

async function frame() {
  document.documentElement.lang = uiLanguage();
  document.querySelector("#search button")!.textContent = say("search");
  document.querySelector("#archive-link")!.textContent = say("archive");
  document.querySelector("#language")!.textContent = say("other-language");
  const nav = document.querySelector<HTMLElement>("#sections")!;
  const sections = [];
  const slugs = new Set<string>();
  for await (const s of folio.named("/v1/sections", 100, reading())) {
    slugs.add(s.slug);
    if (!s.parent) sections.push(s);
  }
  sectionSlugs = slugs;
  nav.replaceChildren(...sections.map((s) => h("a", { href: pathOf(s.url, `/${s.slug}`) }, s.name)));
}

document.querySelector("#search")!.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = new FormData(event.target as HTMLFormElement).get("q");
  go(`/search?q=${encodeURIComponent(String(q ?? ""))}`);
});
document.querySelector("#language")!.addEventListener("click", () => {
  toggleLanguage();
  // On an article, its version in the new language when the story has one.
  const version = shown?.translations.find((t) => t.language === uiLanguage());
  if (version) void frame().then(() => go(pathOf(version.url, `/${version.slug}`)));
  else void frame().then(route);
});
// Links within the site change the page without reloading it.
document.addEventListener("click", (event) => {
  const link = (event.target as Element | null)?.closest?.("a");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const to = new URL(link.href, window.location.href);
  if (to.origin !== window.location.origin || to.pathname.startsWith("/v1/")) return;
  event.preventDefault();
  go(to.pathname + to.search);
});
window.addEventListener("popstate", () => void route());
void frame()
  .then(route)
  .catch(showProblem);
