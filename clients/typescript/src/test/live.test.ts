// The client against a live Folio started by test.sh (FOLIO_URL, with a write
// and an admin token), on SQLite and on PostgreSQL.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { after, before, test } from "node:test";

import {
  allPages,
  createFolio,
  FolioProblem,
  unwrap,
  Webhook,
  type Block,
  type Delta,
  type Inline,
  type SyncStore,
} from "../index.js";

const baseUrl = process.env.FOLIO_URL ?? "";
const writer = createFolio({ baseUrl, token: process.env.FOLIO_WRITE_TOKEN });
const admin = createFolio({ baseUrl, token: process.env.FOLIO_ADMIN_TOKEN });
const reader = createFolio({ baseUrl });
// Each run writes under its own prefix: the database may hold earlier runs' content.
const run = `r${Date.now().toString(36)}`;
const title = (n: number) => `${run} « Le cœur\u00a0du nucléaire » n° ${n} — l’énergie`;

before(async () => {
  assert.ok(baseUrl, "FOLIO_URL is set (see test.sh)");
  unwrap(await writer.client.POST("/v1/sections", { body: { name: `Entrevue ${run}`, slug: `entrevue-${run}` } }));
  for (let n = 1; n <= 5; n++) {
    unwrap(
      await writer.client.POST("/v1/articles", {
        body: {
          title: title(n),
          slug: `${run}-${n}`,
          body: `## Sous-titre\n\n« Texte ${n} »\u00a0: cœur.`,
          section: `entrevue-${run}`,
          status: "published",
          published_at: `2024-11-2${n}T09:00:00Z`,
        },
      }),
    );
  }
});

test("one-call helpers answer the whole shapes, typed without a cast", async () => {
  const one = await reader.article(`${run}-3`);
  // Article's fields are there as the spec says: no `undefined` to rule out.
  assert.equal(one.title, title(3));
  assert.ok(one.body_html.length > 0);
  assert.ok(one.body_html.includes("<h2"));
  const page = await reader.articles({ section: `entrevue-${run}`, per_page: 2 });
  assert.equal(page.data[0].title.toUpperCase(), title(5).toUpperCase());
  const next = await reader.articles({ section: `entrevue-${run}`, per_page: 2, cursor: page.next_cursor ?? undefined });
  assert.equal(next.data[0].title, title(3));
  const found = await reader.search("nucléaire", { section: `entrevue-${run}` });
  assert.equal(found.data.length, 5);
  assert.ok(found.data.every((item) => (item.highlight ?? "").includes("<mark>")));
  await assert.rejects(reader.article(`${run}-absent`), (e: unknown) => e instanceof FolioProblem && e.status === 404);
});

/** Lays a body out as lines of text, as a native view would: a switch on each
 * node's type, which the compiler checks covers every one. */
function layOut(blocks: Block[], indent = ""): string[] {
  const text = (content: Inline[]) =>
    content
      .map((inline) => {
        switch (inline.type) {
          case "text":
            return inline.text;
          case "link":
            return inline.content.map((run) => run.text).join("");
          case "image":
            return inline.alt;
          case "break":
            return "\n";
          default:
            return assertNever(inline);
        }
      })
      .join("");
  return blocks.flatMap((block): string[] => {
    switch (block.type) {
      case "paragraph":
        return [indent + text(block.content)];
      case "heading":
        return [`${indent}${"#".repeat(block.level)} ${text(block.content)}`];
      case "list":
        return block.items.flatMap((item) => layOut(item.content, `${indent}• `));
      case "quote":
        return [...layOut(block.content, `${indent}> `), ...(block.attribution ? [`${indent}— ${block.attribution}`] : [])];
      case "image":
        return [`${indent}[${block.alt}] ${block.media?.presets["medium"]?.url ?? block.src}`];
      case "embed":
        return [`${indent}${block.provider}: ${block.id}`];
      case "table":
        return [block.header, ...block.rows].map((row) => indent + row.map((cell) => text(cell.content)).join(" | "));
      case "code":
        return [indent + block.text];
      case "divider":
        return [`${indent}—`];
      default:
        return assertNever(block);
    }
  });
}

function assertNever(node: never): never {
  throw new Error(`a node of no known type: ${JSON.stringify(node)}`);
}

test("a body as blocks, written and read with a type for every node", async () => {
  const blocks: Block[] = [
    { type: "heading", level: 2, content: [{ type: "text", text: "Le nucléaire au centre du jeu" }] },
    {
      type: "paragraph",
      content: [
        { type: "text", text: "Le " },
        { type: "text", text: "cœur", marks: ["em"] },
        { type: "text", text: "\u00a0du sujet." },
      ],
    },
    { type: "quote", content: [{ type: "paragraph", content: [{ type: "text", text: "Nous additionnons." }] }], attribution: "Un diplomate" },
    { type: "embed", provider: "youtube", url: "https://youtu.be/dQw4w9WgXcQ", id: "dQw4w9WgXcQ" },
  ];
  const created = unwrap(await writer.client.POST("/v1/articles", { body: { title: `${run} en blocs`, blocks, status: "published" } }));
  assert.ok(created.body.startsWith("## Le nucléaire au centre du jeu\n\nLe *cœur*\u00a0du sujet."));
  const read = await reader.article(created.slug, {}, ["section_path", "related"]);
  assert.deepEqual(read.included?.section_path, []);
  assert.ok(Array.isArray(read.included?.related));
  assert.deepEqual(layOut(read.blocks), [
    "## Le nucléaire au centre du jeu",
    "Le cœur\u00a0du sujet.",
    "> Nous additionnons.",
    "— Un diplomate",
    "youtube: dQw4w9WgXcQ",
  ]);
});

test("every page of a list, text byte-exact", async () => {
  const seen: string[] = [];
  for await (const article of reader.everyArticle({ section: `entrevue-${run}`, per_page: 2 })) {
    seen.push(article.title);
  }
  assert.deepEqual(seen, [5, 4, 3, 2, 1].map(title));
  const sections = [];
  for await (const section of reader.named("/v1/sections", 1)) sections.push(section.slug);
  assert.ok(sections.includes(`entrevue-${run}`));
  // Any numbered list: an article's revisions, one to a page.
  const slug = `${run}-1`;
  unwrap(
    await writer.client.PATCH("/v1/articles/{slug}", {
      params: { path: { slug } },
      body: { standfirst: "Une seconde version." },
    }),
  );
  const revisions = [];
  for await (const revision of allPages((page) =>
    writer.client
      .GET("/v1/articles/{slug}/revisions", { params: { path: { slug }, query: { page, per_page: 1 } } })
      .then(unwrap),
  )) {
    revisions.push(revision);
  }
  assert.equal(revisions.length, 2);
});

test("problems are typed errors", async () => {
  await assert.rejects(
    async () => unwrap(await reader.client.GET("/v1/articles/{slug}", { params: { path: { slug: `${run}-absent` } } })),
    (e: unknown) => e instanceof FolioProblem && e.status === 404 && e.type === "/problems/not-found",
  );
  await assert.rejects(
    async () => unwrap(await reader.client.POST("/v1/articles", { body: { title: "x", body: "x" } })),
    (e: unknown) => e instanceof FolioProblem && e.status === 401,
  );
});

test("sync keeps a local store current", async () => {
  const store: SyncStore = { items: new Map() };
  await reader.sync(store, { type: "article" });
  assert.ok(store.token);
  assert.ok(store.items.has(`article:${await idOf(`${run}-1`)}`));
  unwrap(
    await writer.client.POST("/v1/articles", {
      body: { title: title(6), slug: `${run}-6`, body: "x", status: "published", published_at: "2024-11-30T09:00:00Z" },
    }),
  );
  unwrap(await writer.client.DELETE("/v1/articles/{slug}", { params: { path: { slug: `${run}-2` } } }));
  await reader.sync(store);
  const titles = [...store.items.values()].map((item) => item.article?.title);
  assert.ok(titles.includes(title(6)));
  assert.ok(!titles.includes(title(2)), "the deleted article left the store");
});

test("the change stream delivers a new article", async () => {
  const control = new AbortController();
  const received: Delta[] = [];
  const listening = reader.stream((delta) => {
    received.push(delta);
    if (delta.article?.slug === `${run}-7`) control.abort();
  }, control.signal, { type: "article" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  unwrap(
    await writer.client.POST("/v1/articles", {
      body: { title: title(7), slug: `${run}-7`, body: "x", status: "published", published_at: "2024-11-30T10:00:00Z" },
    }),
  );
  const timeout = setTimeout(() => control.abort(), 10_000);
  await listening;
  clearTimeout(timeout);
  const delta = received.find((d) => d.article?.slug === `${run}-7`);
  assert.ok(delta, "the new article came through the stream");
  assert.equal(delta.article?.title, title(7));
  assert.ok(delta.seq > 0);
});

let receiver: ReturnType<typeof createServer> | undefined;
after(() => receiver?.close());

test("webhook messages verify with the Standard Webhooks library", async () => {
  const messages: { headers: IncomingMessage["headers"]; body: string }[] = [];
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      messages.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  assert.ok(address && typeof address === "object");
  const created = unwrap(
    await admin.client.POST("/v1/webhooks", {
      body: { url: `http://127.0.0.1:${address.port}/folio`, events: ["article.*"] },
    }),
  );
  unwrap(
    await writer.client.POST("/v1/articles", {
      body: { title: title(8), slug: `${run}-8`, body: "x", status: "published", published_at: "2024-11-30T11:00:00Z" },
    }),
  );
  const deadline = Date.now() + 15_000;
  while (!messages.some((m) => m.body.includes(`${run}-8`)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const message = messages.find((m) => m.body.includes(`${run}-8`));
  assert.ok(message, "the message arrived");
  const verified = new Webhook(created.secret).verify(message.body, message.headers as Record<string, string>);
  assert.equal((verified as { type?: string }).type, "article.published");
  assert.throws(() => new Webhook(created.secret).verify(message.body.replace("8", "9"), message.headers as Record<string, string>));
  unwrap(
    await admin.client.DELETE("/v1/webhooks/{id}", { params: { path: { id: created.webhook.id } } }),
  );
});

async function idOf(slug: string): Promise<string | undefined> {
  const article = unwrap(await reader.client.GET("/v1/articles/{slug}", { params: { path: { slug } } }));
  return article.id;
}
