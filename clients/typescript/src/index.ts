// A typed client for Folio. The request and response types are generated from
// openapi/openapi.json (openapi-typescript, in schema.d.ts) and the requests made
// by openapi-fetch, so every path, parameter and field is checked by the compiler.
// What is written here is only what a client needs on top: every page of a list,
// problems as errors, sync with a local store, the change stream, and webhook
// verification by the Standard Webhooks library.

import createClient, { type Client } from "openapi-fetch";
import { createParser } from "eventsource-parser";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
export { Webhook, WebhookVerificationError } from "standardwebhooks";

export type Problem = components["schemas"]["Problem"];
export type Article = components["schemas"]["Article"];
export type ArticleSummary = components["schemas"]["ArticleSummary"];
/** One node of an article's body, discriminated by `type`. */
export type Block = components["schemas"]["Block"];
/** A piece of text inside a block, discriminated by `type`. */
export type Inline = components["schemas"]["Inline"];
/** What a single article's read may include: `related`, `section_path`, `authors`. */
export type Include = components["schemas"]["Include"];
export type SyncItem = components["schemas"]["SyncItem"];
export type Delta = components["schemas"]["Delta"];
export type ArticleListPage = components["schemas"]["ArticleListPage"];
export type ArticleQuery = NonNullable<operations["list_articles"]["parameters"]["query"]>;
/** The list's filters, sort and paging: what a default read (no `fields`) takes. */
export type ListQuery = Omit<ArticleQuery, "fields">;

/** An RFC 9457 problem the API answered with, as an error. */
export class FolioProblem extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "FolioProblem";
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get type(): string {
    return this.problem.type;
  }
}

function isProblem(value: unknown): value is Problem {
  const v = value as Partial<Problem> | null;
  return typeof v?.type === "string" && typeof v?.status === "number";
}

/** The data of an openapi-fetch result (none for a `204`), or its problem thrown. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  if (isProblem(result.error)) throw new FolioProblem(result.error);
  const status = result.response.status;
  throw new FolioProblem({
    type: "about:blank",
    title: result.response.statusText || "Error",
    status,
    detail: `HTTP ${status} without a problem document`,
  });
}

export interface FolioOptions {
  /** Where the API is, such as `https://api.news.example`. */
  baseUrl: string;
  /** A bearer token: drafts for `read`, writes for `write`. */
  token?: string;
  fetch?: typeof globalThis.fetch;
}

/** What `sync` keeps between runs: the token to resume from, and the items by `type:id`. */
export interface SyncStore {
  token?: string;
  items: Map<string, SyncItem>;
}

/** The filters a sync or stream may be narrowed to. */
export interface ChangeFilters {
  type?: string;
  section?: string;
  language?: string;
}

/** A page of a numbered list (`ListPage` in the spec). */
export interface NumberedPage<T> {
  data: T[];
  page: number;
  per_page: number;
  total: number;
}

/**
 * Every item of any numbered list (revisions, trash, audit, webhooks…), given how
 * to fetch its `page`th page; article lists go by cursor (`articles`).
 */
export async function* allPages<T>(
  fetchPage: (page: number) => Promise<NumberedPage<T>>,
): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const result = await fetchPage(page);
    yield* result.data;
    if (result.data.length === 0 || result.page * result.per_page >= result.total) return;
  }
}

/** The reader's languages: names and descriptions are shown in the first that has them. */
export interface Reading {
  locale?: string;
  fallback?: string[];
}

/** The lists `named` walks, and what each holds. */
export interface NamedLists {
  "/v1/sections": components["schemas"]["Section"];
  "/v1/tags": components["schemas"]["Tag"];
  "/v1/authors": components["schemas"]["Author"];
}

export type Folio = ReturnType<typeof createFolio>;

export function createFolio(options: FolioOptions) {
  const fetch = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = options.token
    ? { Authorization: `Bearer ${options.token}` }
    : {};
  const client: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    fetch,
    // Lists in a query are comma-separated (`tag=russie,energie`), as the spec says
    // (style form, explode false); openapi-fetch would repeat the name otherwise.
    querySerializer: { array: { style: "form", explode: false } },
  });

  // The same client, typed with the default answers only: a read without `fields`
  // is `application/json`, the whole Article or ArticleSummary, while `fields=`
  // answers `application/vnd.folio.fields+json`, which openapi-fetch would
  // otherwise fold into every answer's type as a union.
  const whole = client as unknown as Client<paths, "application/json">;

  /** One article, whole, by slug or id, in the reader's languages when given. */
  /** One article whole; `include` reads what its page shows beside it (under `included`). */
  async function article(slug: string, reading: Reading = {}, include?: Include[]): Promise<Article> {
    return unwrap(await whole.GET("/v1/articles/{slug}", { params: { path: { slug }, query: { ...reading, include } } }));
  }

  /** One page of article summaries; follow `next_cursor` with `{ ...query, cursor }`. */
  async function articles(query: ListQuery = {}): Promise<ArticleListPage> {
    return unwrap(await whole.GET("/v1/articles", { params: { query } }));
  }

  /** One page of search results, best first, each with its `<mark>`ed `highlight`. */
  async function search(q: string, query: Omit<ListQuery, "q"> = {}): Promise<ArticleListPage> {
    return articles({ sort: "relevance", ...query, q });
  }

  /** Every article the query matches, page after page (by cursor). */
  async function* everyArticle(query: ArticleQuery = {}): AsyncGenerator<ArticleSummary> {
    let cursor: string | undefined;
    do {
      const page = unwrap(
        await client.GET("/v1/articles", { params: { query: { ...query, page: undefined, cursor } } }),
      );
      // With `fields`, items hold what was asked for; the caller typed the query.
      yield* page.data as ArticleSummary[];
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Every section, tag or author, page after page (by number). */
  function named<P extends keyof NamedLists>(
    path: P,
    perPage = 100,
    reading: Reading = {},
  ): AsyncGenerator<NamedLists[P]> {
    return allPages(
      async (page) =>
        unwrap(
          await client.GET(path, { params: { query: { page, per_page: perPage, ...reading } } } as never),
        ) as NumberedPage<NamedLists[P]>,
    );
  }

  /**
   * Brings `store` up to date: a first sync when it has no token, else what
   * changed since. Tombstones remove items; the new token is kept in the store.
   */
  async function sync(store: SyncStore, filters: ChangeFilters = {}): Promise<SyncStore> {
    let query: operations["sync"]["parameters"]["query"] = store.token
      ? { sync_token: store.token }
      : { initial: true, ...filters };
    for (;;) {
      const page: components["schemas"]["SyncPage"] = unwrap(
        await client.GET("/v1/sync", { params: { query } }),
      );
      for (const item of page.data) {
        const key = `${item.type}:${item.id}`;
        if (item.deleted) store.items.delete(key);
        else store.items.set(key, item);
      }
      if (page.next_page_token) {
        query = { page_token: page.next_page_token };
        continue;
      }
      store.token = page.next_sync_token ?? store.token;
      return store;
    }
  }

  /**
   * Follows `/v1/changes/stream` (server-sent events), handing each change to
   * `onDelta`, until `signal` aborts. Resumes after `lastEventId` when given.
   */
  async function stream(
    onDelta: (delta: Delta) => void,
    signal: AbortSignal,
    filters: ChangeFilters & { lastEventId?: string } = {},
  ): Promise<void> {
    const url = new URL("/v1/changes/stream", options.baseUrl);
    for (const [key, value] of Object.entries(filters)) {
      if (value !== undefined && key !== "lastEventId") url.searchParams.set(key, value);
    }
    const response = await fetch(url, {
      headers: {
        ...headers,
        Accept: "text/event-stream",
        ...(filters.lastEventId ? { "Last-Event-ID": filters.lastEventId } : {}),
      },
      signal,
    });
    if (!response.ok || !response.body) {
      const body: unknown = await response.json().catch(() => undefined);
      unwrap({ error: body ?? null, response });
    }
    const parser = createParser({
      onEvent(event) {
        onDelta(JSON.parse(event.data) as Delta);
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  return { client, article, articles, search, everyArticle, named, sync, stream };
}
